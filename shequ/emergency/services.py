"""Emergency management: every write, as one service each (STYLE.md §1), audited in its transaction.

A warning is published in one transaction (validated, its areas inside the publisher's scope, audited); the
fan-out leaves after COMMIT through Celery (tasks.py) in batches of residents by id range. `fanout_plan` cuts the
batches once (the warning row locked); `batch_deliver` delivers one batch in one transaction that writes the
deliveries, the inbox messages and the text messages (the outbox is transactional) and marks the batch done, so
that a batch run twice (a redelivered task, a broker restart, the resume sweep) reaches nobody twice, and a batch
lost with the broker is found again by `fanout_resume`. The unique constraint on (warning, resident) is the
last word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.access.scoping import scope_for
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record
from shequ.core.errors import NotFound, ShequError
from shequ.core.idnumbers import normalize_phone
from shequ.geo.models import Area
from shequ.messages.services import message_send, sms_send
from shequ.residents.models import Resident

from .choices import AckWay, Channel, Hazard, Level, SafetyState, WarningStatus
from .models import Delivery, Drill, FanoutBatch, Plan, PlanRole, Shelter, Supply, Team, Warning

PUBLISH = Action.EMERGENCY_PUBLISH
MANAGE = Action.EMERGENCY_MANAGE
CALL = Action.EMERGENCY_CALL

FANOUT_BATCH = 2000  # residents per batch: one transaction each, short enough to redo after a crash
# A batch sent this long ago and not done was lost (a broker restart) or dropped: the resume sweep sends it again.
RESUME_AFTER = timedelta(minutes=5)
MESSAGE_MAX = 500
LIFT_BATCH = 2000  # people told per transaction that the warning is lifted


# --- warnings -----------------------------------------------------------------------------------------------
def _minimal(areas: list[Area]) -> list[Area]:
    """Drop an area already covered by another one chosen (a community under a chosen street)."""
    kept: list[Area] = []
    for a in sorted(areas, key=lambda a: len(a.path)):
        if not any(a.path.startswith(k.path) for k in kept):
            kept.append(a)
    return kept


def warning_title(*, hazard: str, level: str) -> str:
    return _("%(level)s %(hazard)s warning") % {"level": Level(level).label, "hazard": Hazard(hazard).label}


def warning_publish(
    *, actor: User, hazard: str, level: str, area_codes: Iterable[str], message: str
) -> Warning:
    """Publish a warning to everyone in the areas (each inside the actor's scope); the fan-out starts after
    COMMIT. Nothing is written when anything is wrong."""
    fields: dict[str, str] = {}
    if hazard not in Hazard.values:
        fields["hazard"] = _("Choose the type of emergency.")
    if level not in Level.values:
        fields["level"] = _("Choose the warning level.")
    message = (message or "").strip()
    if not message:
        fields["message"] = _("Write the message people will read.")
    elif len(message) > MESSAGE_MAX:
        fields["message"] = _("The message is too long (at most 500 characters).")
    codes = [c.strip() for c in area_codes if c and c.strip()]
    areas: list[Area] = []
    if not codes:
        fields["areas"] = _("Choose at least one area the warning covers.")
    else:
        found = {a.code: a for a in Area.objects.filter(code__in=codes)}
        scope = scope_for(actor, PUBLISH)
        unknown = [c for c in codes if c not in found]
        outside = [c for c in codes if c in found and not scope.covers_path(found[c].path)]
        if unknown:
            fields["areas"] = _("No area has the code %(codes)s.") % {"codes": "、".join(unknown)}
        elif outside:
            names = "、".join(found[c].name for c in outside)
            fields["areas"] = _("%(names)s is outside the areas you may warn.") % {"names": names}
        areas = _minimal(list(found.values()))
    if fields:
        raise ShequError(_("The warning was not published: please correct the marked fields."), fields=fields)
    with transaction.atomic():
        warning = Warning.objects.create(
            hazard=hazard,
            level=level,
            title=warning_title(hazard=hazard, level=level),
            message=message,
            published_by=actor,
        )
        warning.areas.set(areas)
        audit_record(
            action="emergency.warning_publish",
            actor=actor,
            obj=warning,
            object_repr=f"{warning.title} @ {','.join(a.code for a in areas)}",
            changes={"level": {"before": None, "after": level}, "areas": {"before": None, "after": codes}},
        )
        transaction.on_commit(lambda: _start_fanout(warning.pk))
    return warning


def _start_fanout(warning_id: int) -> None:
    from .tasks import fanout

    fanout.delay(warning_id)


def covered_residents(warning: Warning) -> QuerySet[Resident]:
    """Every resident living under the warning's areas (the area ids first: one indexed IN on the residents)."""
    condition = Q(pk__in=[])
    for path in warning.areas.values_list("path", flat=True):
        condition |= Q(path__prefix=path)
    return Resident.objects.filter(area_id__in=Area.objects.filter(condition).values("id"))


def fanout_plan(*, warning_id: int, batch_size: int = FANOUT_BATCH) -> None:
    """Cut the warning's residents into batches by id range, once (again: nothing happens)."""
    with transaction.atomic():
        warning = Warning.objects.select_for_update().get(pk=warning_id)
        if not FanoutBatch.objects.filter(warning=warning).exists():
            ids = list(covered_residents(warning).order_by("id").values_list("id", flat=True))
            batches = [
                FanoutBatch(warning=warning, lo=ids[i], hi=ids[min(i + batch_size, len(ids)) - 1])
                for i in range(0, len(ids), batch_size)
            ]
            if batches:
                # The last batch reaches to the end of the id space: someone who moved in meanwhile is reached.
                batches[-1].hi = 2**62
            else:
                warning.fanned_out_at = timezone.now()
                warning.save(update_fields=["fanned_out_at"])
            FanoutBatch.objects.bulk_create(batches, batch_size=1000)


def batches_to_send(*, warning_id: int, stale_after: timedelta | None = RESUME_AFTER) -> list[int]:
    """The batches not done (with `stale_after`: only those sent to the broker longer ago than that, which the
    broker has lost or a worker dropped); marked as sent now."""
    now = timezone.now()
    qs = FanoutBatch.objects.filter(warning_id=warning_id, done_at__isnull=True)
    if stale_after is not None:
        qs = qs.filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - stale_after))
    ids = list(qs.values_list("id", flat=True))
    FanoutBatch.objects.filter(id__in=ids).update(queued_at=now)
    return ids


def _sms_text(warning: Warning) -> str:
    return _("[%(title)s] %(message)s") % {"title": warning.title, "message": warning.message}


def batch_deliver(*, batch_id: int) -> int:
    """Deliver one batch, in one transaction; answers how many were reached now (0 when it was done before)."""
    with transaction.atomic():
        batch = FanoutBatch.objects.select_for_update().select_related("warning").get(pk=batch_id)
        if batch.done_at is not None:
            return 0
        warning = batch.warning
        in_range = Q(id__gte=batch.lo, id__lte=batch.hi)
        already = Delivery.objects.filter(
            warning=warning, resident_id__gte=batch.lo, resident_id__lte=batch.hi
        ).values("resident_id")
        residents = (
            covered_residents(warning)
            .filter(in_range)
            .exclude(id__in=already)
            .select_related("user")
            .only(
                "id",
                "area_id",
                "phone",
                "user__id",
                "user__phone",
                "user__sms_notifications",
                "user__is_active",
            )
            .order_by("id")
        )
        vulnerable = set(
            Resident.tags.through.objects.filter(
                resident_id__gte=batch.lo, resident_id__lte=batch.hi, tag__vulnerable=True
            ).values_list("resident_id", flat=True)
        )
        sms_body, link = _sms_text(warning), f"/emergency/{warning.pk}/"
        rows = []
        for r in residents:
            user = r.user if r.user is not None and r.user.is_active else None
            if user is not None:
                sent = message_send(
                    person=user,
                    kind="emergency.warning",
                    title=warning.title,
                    body=warning.message,
                    link=link,
                    sms_body=sms_body,
                    phone=user.phone or r.phone,
                )
                channel = Channel.INBOX_SMS if sent.sms else Channel.INBOX
            elif r.phone:
                sms_send(phone=r.phone, body=sms_body, purpose="emergency.warning")
                channel = Channel.SMS
            else:
                channel = Channel.NONE  # the loudspeaker and the grid worker's call list reach him
            rows.append(
                Delivery(
                    warning=warning,
                    resident_id=r.id,
                    user=user,
                    area_id=r.area_id,
                    vulnerable=r.id in vulnerable,
                    channel=channel,
                )
            )
        Delivery.objects.bulk_create(rows, batch_size=1000)
        batch.done_at = timezone.now()
        batch.delivered = len(rows)
        batch.attempts += 1
        batch.save(update_fields=["done_at", "delivered", "attempts"])
        if not FanoutBatch.objects.filter(warning=warning, done_at__isnull=True).exists():
            Warning.objects.filter(pk=warning.pk, fanned_out_at__isnull=True).update(
                fanned_out_at=timezone.now()
            )
    return len(rows)


def fanout_pending() -> list[int]:
    """Warnings whose fan-out has not finished (for the resume sweep)."""
    return list(Warning.objects.filter(fanned_out_at__isnull=True).values_list("id", flat=True))


def warning_end(*, actor: User, warning: Warning) -> Warning:
    """Lift a warning: everyone it reached through the message centre is told so after COMMIT (tasks.py, in
    batches) and asked to report that they are safe."""
    with transaction.atomic():
        warning = Warning.objects.select_for_update().get(pk=warning.pk)
        if warning.status == WarningStatus.ENDED:
            raise ShequError(_("This warning has already been lifted."), code="already_ended")
        warning.status, warning.ended_at = WarningStatus.ENDED, timezone.now()
        warning.save(update_fields=["status", "ended_at"])
        audit_record(
            action="emergency.warning_end",
            actor=actor,
            obj=warning,
            object_repr=warning.title,
            changes={"status": {"before": WarningStatus.ACTIVE, "after": WarningStatus.ENDED}},
        )
        transaction.on_commit(lambda: _start_lift(warning.pk))
    return warning


def _start_lift(warning_id: int) -> None:
    from .tasks import lift_notify

    Warning.objects.filter(pk=warning_id).update(lift_queued_at=timezone.now())
    lift_notify.delay(warning_id)


def lift_title(warning: Warning) -> str:
    return _("Lifted: %(title)s") % {"title": warning.title}


def _untold() -> Q:
    """Who is told of a lift: everyone the warning reached through the message centre, and by text message those
    it reached by text only (no account)."""
    return Q(lift_told_at__isnull=True) & (Q(user__isnull=False) | Q(channel=Channel.SMS))


def lift_tell_batch(
    *, warning_id: int, after: int = 0, batch_size: int = LIFT_BATCH
) -> tuple[int, int] | None:
    """Tell the next batch of people the lifted warning reached (deliveries with an id above `after`): a message
    in the message centre to those with an account, a text to those it reached by text only; in one
    transaction that also marks them told. Answers (the last delivery id looked at, how many were told), or None
    when nobody is left. A batch run twice tells nobody twice: the told mark commits with the messages (texts
    leave on COMMIT), and the rows are locked, so a duplicate task waits and then finds them told."""
    with transaction.atomic():
        warning = Warning.objects.filter(pk=warning_id, status=WarningStatus.ENDED).first()
        if warning is None:
            return None
        rows = list(
            Delivery.objects.select_for_update(of=("self",))
            .filter(_untold(), warning_id=warning_id, id__gt=after)
            .select_related("user", "resident")
            .only("id", "channel", "user__id", "user__is_active", "resident__id", "resident__phone")
            .order_by("id")[:batch_size]
        )
        if not rows:
            return None
        title = lift_title(warning)
        body = _(
            "The warning has been lifted. Please tell your community whether you are safe: open the warning and "
            "choose “I am safe” or “I need help”."
        )
        sms_body = _(
            "[%(title)s] The warning has been lifted. If you need help, call your community or 12345."
        ) % {"title": title}
        link = reverse("emergency:my_warning", args=[warning.pk])
        told = 0
        for d in rows:
            if d.user is not None:
                if d.user.is_active:
                    message_send(person=d.user, kind="emergency.lifted", title=title, body=body, link=link)
                    told += 1
            elif d.resident.phone:
                sms_send(phone=d.resident.phone, body=sms_body, purpose="emergency.lifted")
                told += 1
        Delivery.objects.filter(id__in=[d.id for d in rows]).update(lift_told_at=timezone.now())
    return rows[-1].id, told


def lift_finish(*, warning_id: int) -> bool:
    """The lift message is complete once the fan-out is and nobody it reached is left untold (someone the fan-out
    reached after the lift is told by the resume sweep)."""
    with transaction.atomic():
        warning = Warning.objects.select_for_update().get(pk=warning_id)
        if warning.lift_told_at is not None:
            return True
        left = Delivery.objects.filter(_untold(), warning=warning)
        if warning.fanned_out_at is None or left.exists():
            return False
        warning.lift_told_at = timezone.now()
        warning.save(update_fields=["lift_told_at"])
    return True


def lift_pending(*, stale_after: timedelta = RESUME_AFTER) -> list[int]:
    """Lifted warnings whose lift message has not finished and was last sent to the broker long ago (lost, or
    waiting for its fan-out); marked as sent now."""
    now = timezone.now()
    qs = Warning.objects.filter(status=WarningStatus.ENDED, lift_told_at__isnull=True).filter(
        Q(lift_queued_at__isnull=True) | Q(lift_queued_at__lt=now - stale_after)
    )
    ids = list(qs.values_list("id", flat=True))
    Warning.objects.filter(id__in=ids).update(lift_queued_at=now)
    return ids


def _own_delivery(person: User, warning_id: int) -> Delivery:
    delivery = (
        Delivery.objects.select_for_update()
        .select_related("warning")
        .filter(warning_id=warning_id, user=person)
        .first()
        if getattr(person, "is_authenticated", False)
        else None
    )
    if delivery is None:
        raise NotFound(_("This warning did not reach you."))
    return delivery


def warning_acknowledge(*, person: User, warning_id: int) -> Delivery:
    """The resident confirms he has read the warning. Again is harmless; a warning that did not reach him is
    "not found", and nothing is written."""
    with transaction.atomic():
        delivery = _own_delivery(person, warning_id)
        if delivery.acknowledged_at is None:
            delivery.acknowledged_at, delivery.ack_way, delivery.ack_by = timezone.now(), AckWay.SELF, person
            delivery.save(update_fields=["acknowledged_at", "ack_way", "ack_by"])
    return delivery


def safety_report(*, person: User, warning_id: int, state: str, note: str = "") -> Delivery:
    """After the event: "I am safe", or "I need help" (which puts him on the follow-up list)."""
    note = (note or "").strip()
    with transaction.atomic():
        # First whether the warning reached him: for anyone else it does not exist, whatever he sent.
        delivery = _own_delivery(person, warning_id)
        if state not in SafetyState.values:
            raise ShequError(_("Say whether you are safe."), fields={"state": _("Say whether you are safe.")})
        if len(note) > 200:
            raise ShequError(_("At most 200 characters."), fields={"note": _("At most 200 characters.")})
        delivery.safety, delivery.safety_note, delivery.safety_at = state, note, timezone.now()
        fields = ["safety", "safety_note", "safety_at"]
        if delivery.acknowledged_at is None:
            delivery.acknowledged_at, delivery.ack_way, delivery.ack_by = timezone.now(), AckWay.SELF, person
            fields += ["acknowledged_at", "ack_way", "ack_by"]
        delivery.save(update_fields=fields)
    return delivery


def delivery_confirm(*, actor: User, delivery: Delivery, way: str, note: str = "") -> Delivery:
    """A grid worker reached a person of the call list by phone or at the door: he leaves the list."""
    if way not in (AckWay.CALL, AckWay.VISIT):
        raise ShequError(_("Say how you reached the person."), fields={"way": _("Choose one.")})
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.acknowledged_at is not None:
            raise ShequError(_("This person has already confirmed the warning."), code="already_confirmed")
        delivery.acknowledged_at, delivery.ack_way, delivery.ack_by = timezone.now(), way, actor
        delivery.follow_up_note = (note or "").strip()[:200]
        delivery.save(update_fields=["acknowledged_at", "ack_way", "ack_by", "follow_up_note"])
        audit_record(
            action="emergency.delivery_confirm",
            actor=actor,
            obj=delivery,
            object_repr=f"warning {delivery.warning_id} resident {delivery.resident_id}",
            changes={"ack_way": {"before": "", "after": way}},
        )
    return delivery


def delivery_follow_up(*, actor: User, delivery: Delivery, note: str) -> Delivery:
    """After the event: a person who asked for help (or never said he was safe) has been looked after."""
    note = (note or "").strip()
    if not note:
        raise ShequError(_("Write what was done."), fields={"note": _("This field is required.")})
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.followed_up_at is not None:
            raise ShequError(_("This person has already been followed up."), code="already_followed_up")
        delivery.followed_up_at, delivery.follow_up_note = timezone.now(), note[:200]
        delivery.save(update_fields=["followed_up_at", "follow_up_note"])
        audit_record(
            action="emergency.follow_up",
            actor=actor,
            obj=delivery,
            object_repr=f"warning {delivery.warning_id} resident {delivery.resident_id}",
        )
    return delivery


# --- plans, shelters, supplies, drills, teams -----------------------------------------------------------------
def _check_area(actor: User | None, area: Area) -> None:
    if actor is not None and not scope_for(actor, MANAGE).covers_path(area.path):
        raise NotFound(_("No area has this code."))


@dataclass
class RoleData:
    role: str
    name: str
    phone: str = ""
    duty: str = ""
    # On a plan's edit: the role this row was (its id); a phone left empty keeps that role's phone (never shown).
    was: int | None = None


_ROLE_PHONE = re.compile(r"1[3-9][0-9]{9}|0[1-9][0-9]{8,10}")  # a mobile, or a landline with its area code


def _check_roles(roles: list[RoleData]) -> dict[str, str]:
    """Errors of a plan's roles, keyed as the form's rows name their fields ("roles-0-name")."""
    fields: dict[str, str] = {}
    for i, r in enumerate(roles):
        key = f"roles-{i}-"
        for name, value, most in (("role", r.role, 40), ("name", r.name, 50)):
            if not value:
                fields[key + name] = _("This field is required.")
            elif len(value) > most:
                fields[key + name] = _("At most %(n)s characters.") % {"n": most}
        if r.phone and not _ROLE_PHONE.fullmatch(normalize_phone(r.phone)):
            fields[key + "phone"] = _("Give a mobile number or a landline with its area code.")
        if len(r.duty) > 200:
            fields[key + "duty"] = _("At most %(n)s characters.") % {"n": 200}
    return fields


def plan_create(
    *,
    actor: User | None,
    area: Area,
    title: str,
    hazard: str,
    summary: str = "",
    roles: Iterable[RoleData] = (),
) -> Plan:
    _check_area(actor, area)
    roles = [
        RoleData(role=r.role.strip(), name=r.name.strip(), phone=r.phone.strip(), duty=r.duty.strip())
        for r in roles
    ]
    fields = _check_roles(roles)
    if not title.strip():
        fields["title"] = _("This field is required.")
    elif len(title.strip()) > 100:
        fields["title"] = _("At most 100 characters.")
    if hazard not in Hazard.values:
        fields["hazard"] = _("Choose the type of emergency.")
    if fields:
        raise ShequError(_("Please correct the marked fields."), fields=fields)
    with transaction.atomic():
        plan = Plan.objects.create(
            area=area, title=title.strip(), hazard=hazard, summary=summary.strip(), synthetic=actor is None
        )
        # The phone is personal data: stored encrypted (EncryptedTextField), shown masked, never audited.
        PlanRole.objects.bulk_create(
            [
                PlanRole(plan=plan, role=r.role, name=r.name, phone=normalize_phone(r.phone), duty=r.duty)
                for r in roles
            ]
        )
        audit_record(action="emergency.plan_create", actor=actor, obj=plan, object_repr=plan.title)
    return plan


def plan_update(
    *, actor: User, plan: Plan, title: str, hazard: str, summary: str = "", roles: Iterable[RoleData] = ()
) -> Plan:
    """A plan's new wording and roles. A row that was a role of the plan and leaves the phone empty keeps that
    role's phone: the phone is never put back in the form (personal data, shown masked). The audit says what
    changed, never a phone."""
    _check_area(actor, plan.area)
    roles = [
        RoleData(
            role=r.role.strip(), name=r.name.strip(), phone=r.phone.strip(), duty=r.duty.strip(), was=r.was
        )
        for r in roles
    ]
    fields = _check_roles(roles)
    title = title.strip()
    if not title:
        fields["title"] = _("This field is required.")
    elif len(title) > 100:
        fields["title"] = _("At most 100 characters.")
    if hazard not in Hazard.values:
        fields["hazard"] = _("Choose the type of emergency.")
    if fields:
        raise ShequError(_("Please correct the marked fields."), fields=fields)
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        old = list(locked.roles.all())
        phones = {r.pk: r.phone for r in old}
        changes = {
            k: {"before": getattr(locked, k), "after": v}
            for k, v in (("title", title), ("hazard", hazard), ("summary", summary.strip()))
            if getattr(locked, k) != v
        }
        before_roles = [(r.role, r.name, r.duty) for r in old]
        after_roles = [(r.role, r.name, r.duty) for r in roles]
        if before_roles != after_roles or any(r.phone for r in roles):
            changes["roles"] = {"before": len(old), "after": len(roles)}
        locked.title, locked.hazard, locked.summary = title, hazard, summary.strip()
        locked.updated_at = timezone.now()
        locked.save(update_fields=["title", "hazard", "summary", "updated_at"])
        PlanRole.objects.filter(plan=locked).delete()
        PlanRole.objects.bulk_create(
            [
                PlanRole(
                    plan=locked,
                    role=r.role,
                    name=r.name,
                    phone=normalize_phone(r.phone) if r.phone else phones.get(r.was or 0, ""),
                    duty=r.duty,
                )
                for r in roles
            ]
        )
        audit_record(
            action="emergency.plan_update", actor=actor, obj=locked, object_repr=locked.title, changes=changes
        )
    return locked


def shelter_create(
    *,
    actor: User | None,
    area: Area,
    name: str,
    lat: float,
    lng: float,
    capacity: int,
    address: str = "",
    synthetic: bool = False,
) -> Shelter:
    """A shelter, registered on the facility map too (facilities' own service, type "shelter")."""
    from shequ.facilities.services import FacilityData, facility_create

    _check_area(actor, area)
    if capacity <= 0:
        raise ShequError(_("The capacity must be at least 1."), fields={"capacity": _("At least 1.")})
    with transaction.atomic():
        facility = facility_create(
            actor=actor,
            data=FacilityData(
                name=name,
                type="shelter",
                area=area.code,
                lat=lat,
                lng=lng,
                address=address,
                synthetic=synthetic,
            ),
        )
        shelter = Shelter.objects.create(
            area=area,
            name=name,
            address=address,
            lat=lat,
            lng=lng,
            capacity=capacity,
            facility_id=facility.pk,
            synthetic=synthetic,
        )
        audit_record(action="emergency.shelter_create", actor=actor, obj=shelter, object_repr=name)
    return shelter


def shelter_set_occupancy(*, actor: User, shelter: Shelter, occupied: int, is_open: bool) -> Shelter:
    if occupied < 0 or occupied > shelter.capacity:
        raise ShequError(
            _("Between 0 and the capacity (%(n)s).") % {"n": shelter.capacity},
            fields={"occupied": _("Between 0 and the capacity (%(n)s).") % {"n": shelter.capacity}},
        )
    with transaction.atomic():
        before = Shelter.objects.select_for_update().values("occupied", "is_open").get(pk=shelter.pk)
        Shelter.objects.filter(pk=shelter.pk).update(occupied=occupied, is_open=is_open)
        audit_record(
            action="emergency.shelter_occupancy",
            actor=actor,
            obj=shelter,
            object_repr=shelter.name,
            changes={"occupied": {"before": before["occupied"], "after": occupied}},
        )
    shelter.occupied, shelter.is_open = occupied, is_open
    return shelter


def supply_create(
    *,
    actor: User | None,
    area: Area,
    name: str,
    unit: str,
    quantity: int,
    minimum: int = 0,
    expires_on: date | None = None,
    location: str = "",
    synthetic: bool = False,
) -> Supply:
    _check_area(actor, area)
    if quantity < 0 or minimum < 0:
        raise ShequError(_("Quantities cannot be negative."), fields={"quantity": _("At least 0.")})
    with transaction.atomic():
        supply = Supply.objects.create(
            area=area,
            name=name,
            unit=unit,
            quantity=quantity,
            minimum=minimum,
            expires_on=expires_on,
            location=location,
            synthetic=synthetic,
        )
        audit_record(action="emergency.supply_create", actor=actor, obj=supply, object_repr=name)
    return supply


def supply_update(
    *,
    actor: User,
    supply: Supply,
    quantity: int,
    minimum: int,
    expires_on: date | None,
    location: str,
) -> Supply:
    """A stock count after use, a delivery or a check: the new quantity, minimum, expiry and place; the audit
    keeps what it was before."""
    if quantity < 0 or minimum < 0:
        raise ShequError(_("Quantities cannot be negative."), fields={"quantity": _("At least 0.")})
    fields = ("quantity", "minimum", "expires_on", "location")
    after = {"quantity": quantity, "minimum": minimum, "expires_on": expires_on, "location": location.strip()}
    with transaction.atomic():
        before = Supply.objects.select_for_update().values(*fields).get(pk=supply.pk)
        Supply.objects.filter(pk=supply.pk).update(**after)
        audit_record(
            action="emergency.supply_update",
            actor=actor,
            obj=supply,
            object_repr=supply.name,
            changes={
                k: {"before": str(before[k] or ""), "after": str(after[k] or "")}
                for k in fields
                if before[k] != after[k]
            },
        )
    for k, v in after.items():
        setattr(supply, k, v)
    return supply


def supply_alerts_notify(*, today: date | None = None) -> int:
    """Tell the keepers of supplies (those who may manage emergencies over the supply's area) what needs doing:
    a supply below its minimum, expired or expiring within 30 days. Each is told once per change of a supply's
    alerts (a restocked supply that runs low again is told again); one message per person, listing his supplies.
    Answers how many people were told."""
    from shequ.accounts.models import Grant
    from shequ.accounts.roles import role_allows

    from .selectors import supply_alert_codes, supply_alert_labels

    today = today or timezone.localdate()
    labels = supply_alert_labels()
    with transaction.atomic():
        supplies = list(Supply.objects.select_for_update(of=("self",)).select_related("area"))
        changed, news = [], []
        for supply in supplies:
            state = ",".join(supply_alert_codes(supply, today))
            if state != supply.alert_state:
                if state and not set(state.split(",")) <= set(supply.alert_state.split(",")):
                    news.append((supply, state))  # a new alert (one going away is not news)
                supply.alert_state = state
                changed.append(supply)
        Supply.objects.bulk_update(changed, ["alert_state"])
        if not news:
            return 0
        keepers = [
            g
            for g in Grant.objects.active().select_related("area", "user").filter(user__is_active=True)
            if role_allows(g.role, MANAGE)
        ]
        lines: dict[int, tuple[User, list[str]]] = {}
        for supply, state in news:
            text = _("%(name)s (%(area)s): %(alerts)s") % {
                "name": supply.name,
                "area": supply.area.name,
                "alerts": "、".join(str(labels[c]) for c in state.split(",")),
            }
            for g in keepers:
                if supply.area.path.startswith(g.area.path):
                    lines.setdefault(g.user_id, (g.user, []))[1].append(text)
        title = _("Emergency supplies need attention")
        for user, texts in lines.values():
            message_send(
                person=user,
                kind="emergency.supplies",
                title=title,
                body="\n".join(dict.fromkeys(texts)),
                link=reverse("emergency:console") + "#supplies-heading",
            )
    return len(lines)


def drill_record(
    *, actor: User | None, plan: Plan, held_on: date, participants: int, record: str, synthetic: bool = False
) -> Drill:
    if not record.strip():
        raise ShequError(_("Write the drill's record."), fields={"record": _("This field is required.")})
    if held_on > timezone.localdate():
        raise ShequError(
            _("A drill is recorded after it was held."), fields={"held_on": _("Not in the future.")}
        )
    with transaction.atomic():
        drill = Drill.objects.create(
            plan=plan,
            area=plan.area,
            held_on=held_on,
            participants=participants,
            record=record.strip(),
            recorded_by=actor,
            synthetic=synthetic,
        )
        audit_record(action="emergency.drill_record", actor=actor, obj=drill, object_repr=plan.title)
    return drill


def team_create(
    *,
    actor: User | None,
    area: Area,
    name: str,
    speciality: str = "",
    volunteer_team_id: int | None = None,
    synthetic: bool = False,
) -> Team:
    _check_area(actor, area)
    if volunteer_team_id is not None:
        from shequ.volunteers.selectors import team_get_public

        team_get_public(pk=volunteer_team_id)  # a volunteer team that exists (404 otherwise)
    with transaction.atomic():
        team = Team.objects.create(
            area=area,
            name=name,
            speciality=speciality,
            volunteer_team_id=volunteer_team_id,
            synthetic=synthetic,
        )
        audit_record(action="emergency.team_create", actor=actor, obj=team, object_repr=name)
    return team
