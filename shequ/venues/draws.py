"""Scarce slots: a draw at a set time, and a waiting list that holds a freed slot for the next person.

The draw (documented rule, tested as a property)
    Each applicant's weight is 1 + k, where k is the number of draws he lost in the 60 days before this one, at most
    3 counted (so weights run 1…4): someone who lost recently is up to four times as likely to win as a newcomer.
    The order is drawn by weighted sampling without replacement (Efraimidis–Spirakis): with a `random.Random(seed)`,
    the entries taken in id order each get the key u ** (1 / weight), u uniform in (0, 1), and the order is by key,
    highest first (ties by id). The first wins the slot; the rest join the slot's waiting list in that order. The
    seed (63 random bits from `secrets`) is drawn at the draw, recorded with every weight and rank, and published:
    anyone can recompute the order from the seed, the entry ids and their weights (`draw_order`).

The waiting list
    When a held slot frees (a cancellation, a lapsed offer), the first waiting person is offered it: a booking in
    status `offered` that holds the place (the same exclusion constraint) until `hold_until` (the venue's N minutes,
    never past the start). He accepts, or the offer lapses at the scan and the next one is offered.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.access.scoping import can_at, home_area_for
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record
from shequ.core.errors import NotFound, ShequError
from shequ.core.masking import mask_name
from shequ.messages.services import message_send

from . import workflow
from .choices import HOLDING, BookingStatus
from .models import Booking, Draw, DrawEntry, DrawStatus, Venue, WaitlistEntry, WaitStatus

LOSS_WINDOW = timedelta(days=60)
MAX_LOSSES_COUNTED = 3


def draw_order(seed: int, entries: Sequence[tuple[int, int]]) -> list[int]:
    """The drawn order of (entry id, weight) pairs, from the seed alone: pure, so anyone can check a result."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible draw from a published seed, not a secret
    keyed = []
    for entry_id, weight in sorted(entries):
        u = rng.random() or 1e-300
        keyed.append((u ** (1.0 / weight), -entry_id, entry_id))
    keyed.sort(reverse=True)
    return [entry_id for _key, _neg, entry_id in keyed]


def loss_weight(recent_losses: int) -> int:
    return 1 + min(recent_losses, MAX_LOSSES_COUNTED)


def open_draw_over(venue: Venue, start: datetime, end: datetime) -> Draw | None:
    return (
        Draw.objects.filter(venue=venue, status=DrawStatus.OPEN, start__lt=end, end__gt=start)
        .order_by("draw_at")
        .first()
    )


def draw_create(
    *, actor: User | None, venue: Venue, start: datetime, end: datetime, draw_at: datetime
) -> Draw:
    """Make a popular slot open by draw (venue managers)."""
    if actor is not None and not can_at(actor, Action.VENUES_MANAGE, venue.area.path):
        raise NotFound(_("No venue with this id."))
    if not draw_at < start:
        raise ShequError(
            _("The draw must take place before the slot."), code="invalid", fields={"draw_at": "late"}
        )
    with transaction.atomic():
        if Booking.objects.filter(venue=venue, status__in=HOLDING, start__lt=end, end__gt=start).exists():
            raise ShequError(
                _("This time is already booked. Choose another slot."), code="slot_taken", status=409
            )
        draw = Draw.objects.create(venue=venue, start=start, end=end, draw_at=draw_at)
        audit_record(
            action="draw.create",
            actor=actor,
            actor_username="" if actor else "system",
            obj=draw,
            object_repr=f"draw {draw.pk} of venue {venue.pk}",
        )
    return draw


def draw_apply(*, actor: User, draw: Draw) -> DrawEntry:
    from .services import _check_ban, _check_who

    now = timezone.now()
    if draw.status != DrawStatus.OPEN or now >= draw.draw_at:
        raise ShequError(_("Applications for this draw are closed."), code="draw_closed", status=409)
    _check_who(draw.venue, home_area_for(actor), team=None)
    _check_ban(actor, now)
    with transaction.atomic():
        entry, created = DrawEntry.objects.get_or_create(draw=draw, person=actor)
        if not created:
            raise ShequError(_("You have already applied for this draw."), code="duplicate", status=409)
        audit_record(
            action="draw.apply", actor=actor, obj=entry, object_repr=f"entry {entry.pk} of draw {draw.pk}"
        )
    return entry


def _recent_losses(person_ids: list[int], before: datetime) -> dict[int, int]:
    counts: dict[int, int] = {}
    for pid in DrawEntry.objects.filter(
        person_id__in=person_ids,
        won=False,
        draw__drawn_at__gte=before - LOSS_WINDOW,
        draw__drawn_at__lt=before,
    ).values_list("person_id", flat=True):
        counts[pid] = counts.get(pid, 0) + 1
    return counts


def draw_run(*, draw: Draw, now: datetime | None = None, seed: int | None = None) -> Draw:
    """Draw now: weights from recent losses, the order from a fresh seed (recorded), the winner booked, the others
    queued on the waiting list in drawn order; everyone told. `seed` only for tests."""
    from .services import _insert

    now = now or timezone.now()
    with transaction.atomic():
        draw = Draw.objects.select_for_update().select_related("venue").get(pk=draw.pk)
        if draw.status != DrawStatus.OPEN:
            return draw
        entries = list(DrawEntry.objects.filter(draw=draw).select_related("person").order_by("pk"))
        losses = _recent_losses([e.person_id for e in entries], now)
        for e in entries:
            e.weight = loss_weight(losses.get(e.person_id, 0))
        draw.seed = seed if seed is not None else secrets.randbits(63)
        order = draw_order(draw.seed, [(e.pk, e.weight) for e in entries])  # type: ignore[misc]
        by_id = {e.pk: e for e in entries}
        for rank, entry_id in enumerate(order, start=1):
            e = by_id[entry_id]
            e.rank, e.won = rank, rank == 1
        DrawEntry.objects.bulk_update(entries, ["weight", "rank", "won"])
        draw.status, draw.drawn_at = DrawStatus.DRAWN, now
        draw.result = {
            "seed": draw.seed,
            "rule": f"weight = 1 + recent losses (last {LOSS_WINDOW.days} days, at most {MAX_LOSSES_COUNTED})",
            "entries": [
                {
                    "entry": by_id[i].pk,
                    "name": mask_name(by_id[i].person.display_name or by_id[i].person.username),
                    "weight": by_id[i].weight,
                    "rank": by_id[i].rank,
                }
                for i in order
            ],
        }
        if order:
            winner = by_id[order[0]]
            draw.booking = _insert(
                Booking(
                    venue=draw.venue,
                    person=winner.person,
                    start=draw.start,
                    end=draw.end,
                    status=BookingStatus.CONFIRMED,
                    price_cents=0,
                )
            )
        draw.save(update_fields=["seed", "status", "drawn_at", "result", "booking"])
        for rank, entry_id in enumerate(order[1:], start=2):
            WaitlistEntry.objects.create(
                venue=draw.venue, start=draw.start, end=draw.end, person=by_id[entry_id].person, position=rank
            )
        audit_record(
            action="draw.run",
            actor_username="system",
            obj=draw,
            object_repr=f"draw {draw.pk} of venue {draw.venue_id}",
            changes={"seed": {"after": draw.seed}, "entries": {"after": len(order)}},
        )
        when = timezone.localtime(draw.start).strftime("%m-%d %H:%M")
        for e in entries:
            message_send(
                person=e.person,
                kind="draw.won" if e.won else "draw.lost",
                title=(
                    _("You won the draw for %(venue)s %(when)s")
                    if e.won
                    else _("The draw for %(venue)s %(when)s: you are number %(n)d on the waiting list")
                )
                % {"venue": draw.venue.name, "when": when, "n": (e.rank or 1) - 1},
                link="/me/bookings/",
            )
    return draw


def draws_run_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    due = list(Draw.objects.filter(status=DrawStatus.OPEN, draw_at__lte=now).order_by("draw_at")[:100])
    for d in due:
        draw_run(draw=d, now=now)
    return len(due)


# --- the waiting list ---------------------------------------------------------------------------------------------
def waitlist_join(*, actor: User, venue: Venue, start: datetime, end: datetime) -> WaitlistEntry:
    from .services import _check_ban, _check_who

    now = timezone.now()
    if start <= now:
        raise ShequError(_("This time has already passed."), code="past")
    _check_who(venue, home_area_for(actor), team=None)
    _check_ban(actor, now)
    with transaction.atomic():
        if WaitlistEntry.objects.filter(
            venue=venue, start=start, person=actor, status__in=[WaitStatus.WAITING, WaitStatus.OFFERED]
        ).exists():
            raise ShequError(
                _("You are already on the waiting list for this time."), code="duplicate", status=409
            )
        if Booking.objects.filter(venue=venue, person=actor, start=start, status__in=HOLDING).exists():
            raise ShequError(_("You have already booked this time."), code="duplicate", status=409)
        last = WaitlistEntry.objects.filter(venue=venue, start=start).aggregate(m=Max("position"))["m"] or 1
        entry = WaitlistEntry.objects.create(
            venue=venue, start=start, end=end, person=actor, position=last + 1
        )
        audit_record(
            action="waitlist.join", actor=actor, obj=entry, object_repr=f"wait {entry.pk} venue {venue.pk}"
        )
        # Free already (e.g. a cancellation a moment ago): offered at once.
        waitlist_offer_next(venue=venue, start=start, end=end, now=now)
    return entry


def waitlist_offer_next(*, venue: Venue, start: datetime, end: datetime, now: datetime) -> Booking | None:
    """Offer the freed [start, end) to the first waiting person, held for the venue's N minutes (caller's
    transaction). Nothing if the time is held again or has begun."""
    from .services import _insert

    if start <= now:
        return None
    if Booking.objects.filter(venue=venue, status__in=HOLDING, start__lt=end, end__gt=start).exists():
        return None
    entry = (
        WaitlistEntry.objects.select_for_update()
        .filter(venue=venue, start=start, end=end, status=WaitStatus.WAITING)
        .select_related("person")
        .order_by("position", "pk")
        .first()
    )
    if entry is None:
        return None
    hold_until = min(now + timedelta(minutes=venue.hold_minutes), start)
    offer = _insert(
        Booking(
            venue=venue,
            person=entry.person,
            start=start,
            end=end,
            status=BookingStatus.OFFERED,
            hold_until=hold_until,
        )
    )
    entry.status, entry.offer = WaitStatus.OFFERED, offer
    entry.save(update_fields=["status", "offer"])
    audit_record(action="waitlist.offer", actor_username="system", obj=offer, object_repr=offer.audit_repr())
    message_send(
        person=entry.person,
        kind="waitlist.offered",
        title=_("A slot at %(venue)s is free for you until %(until)s")
        % {"venue": venue.name, "until": timezone.localtime(hold_until).strftime("%H:%M")},
        link="/me/bookings/",
        sms_body=_("[Shequ] %(venue)s on %(when)s is held for you until %(until)s. Please confirm soon.")
        % {
            "venue": venue.name,
            "when": timezone.localtime(start).strftime("%m-%d %H:%M"),
            "until": timezone.localtime(hold_until).strftime("%H:%M"),
        },
    )
    return offer


def offer_accept(*, actor: User, booking: Booking) -> Booking:
    now = timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("venue").get(pk=booking.pk)
        if booking.person_id != actor.pk:
            raise NotFound(_("No booking with this id."))
        if not workflow.allowed("accept", booking.status, workflow.PERSON) or (
            booking.hold_until is not None and booking.hold_until < now
        ):
            raise ShequError(_("This offer has lapsed."), code="wrong_state", status=409)
        booking.status = workflow.target("accept")
        booking.save(update_fields=["status"])
        WaitlistEntry.objects.filter(offer=booking).update(status=WaitStatus.BOOKED)
        audit_record(
            action="waitlist.accept",
            actor=actor,
            obj=booking,
            object_repr=booking.audit_repr(),
            changes={"status": {"before": BookingStatus.OFFERED, "after": booking.status}},
        )
    return booking


def offers_lapse(*, now: datetime | None = None) -> int:
    """Offers whose hold ran out lapse; the next waiting person is offered the slot."""
    now = now or timezone.now()
    lapsed = 0
    for pk in list(
        Booking.objects.filter(status=BookingStatus.OFFERED, hold_until__lt=now).values_list("pk", flat=True)[
            :500
        ]
    ):
        with transaction.atomic():
            booking = Booking.objects.select_for_update().select_related("venue").get(pk=pk)
            if booking.status != BookingStatus.OFFERED:
                continue
            booking.status = workflow.target("lapse")
            booking.save(update_fields=["status"])
            WaitlistEntry.objects.filter(offer=booking).update(status=WaitStatus.LAPSED)
            audit_record(
                action="waitlist.lapse",
                actor_username="system",
                obj=booking,
                object_repr=booking.audit_repr(),
            )
            waitlist_offer_next(venue=booking.venue, start=booking.start, end=booking.end, now=now)
            lapsed += 1
    return lapsed
