"""Owners' votes from notice to final result, and their ballots (online, paper entered twice, written proxy).

Every write is one transaction with its audit entry. Ballots lock the vote's row (SELECT … FOR UPDATE on
PostgreSQL; SQLite's one writer lock under BEGIN IMMEDIATE): the check "has this person voted?" and the insert
cannot interleave, and the unique (vote, part) constraint is the last line behind it. Each cast or change appends
to the vote's hash chain under the same lock.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext

from shequ.audit.services import audit_record
from shequ.core.chain import chain_hash
from shequ.core.errors import ShequError
from shequ.core.uploads import image_clean
from shequ.geo.models import Area

from . import engine
from .choices import Channel, Choice, Convener, DocumentKind, Item, Phase, VoteStatus
from .models import (
    DEVELOPER,
    Ballot,
    BallotRecord,
    Document,
    Matter,
    Owner,
    PaperEntry,
    Part,
    RollEntry,
    Vote,
    record_payload,
)
from .register import estate_settings, require_estate
from .rules import local_by_code, local_on, national_by_code, national_on

MAX_MATTERS = 20


# --- phases --------------------------------------------------------------------------------------------------------


def vote_phase(vote: Vote, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if vote.status == VoteStatus.DRAFT:
        return Phase.DRAFT
    if vote.status == VoteStatus.CANCELLED:
        return Phase.CANCELLED
    if vote.status == VoteStatus.FINAL:
        return Phase.FINAL
    if vote.status == VoteStatus.PRELIMINARY:
        return (
            Phase.OBJECTIONS if vote.objection_until and now < vote.objection_until else Phase.OBJECTIONS_OVER
        )
    if now < vote.opens_at:
        return Phase.NOTICE
    return Phase.VOTING if now < vote.close_at else Phase.CLOSED


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


# --- creating and publishing ---------------------------------------------------------------------------------------


def _clean_matters(matters: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    if not matters or len(matters) > MAX_MATTERS:
        raise ShequError(
            gettext("A vote has between 1 and %(n)d matters.") % {"n": MAX_MATTERS},
            fields={"matters": "count"},
        )
    cleaned = []
    for title, item in matters:
        title = (title or "").strip()
        if not title or len(title) > 200:
            raise ShequError(
                gettext("Every matter needs a title (at most 200 characters)."), fields={"matters": "title"}
            )
        if item not in Item.values:
            raise ShequError(
                gettext("Tag every matter with an item of Art. 278 (1–9)."), fields={"matters": "item"}
            )
        cleaned.append((title, int(item)))
    return cleaned


def _barred(estate: Area, matters: list[tuple[str, int]], now: datetime) -> list[str]:
    """Matters that failed within the bar (Shenzhen: a year) and may not be tabled again without the committee."""
    local = local_on(timezone.localdate(now))
    since = add_months(now, -local.bar_months)
    barred = []
    for vote in Vote.objects.filter(estate=estate, status=VoteStatus.FINAL, finalized_at__gte=since):
        for row in (vote.final or {}).get("matters", []):
            if not row["passed"] and (row["title"], row["item"]) in matters:
                barred.append(row["title"])
    return barred


def vote_create(
    *,
    actor,
    estate: Area,
    title: str,
    convener: str,
    convener_name: str,
    opens_at: datetime,
    closes_at: datetime,
    matters: Sequence[tuple[str, int]],
    committee_consent: bool = False,
    synthetic: bool = False,
    now: datetime | None = None,
) -> Vote:
    require_estate(actor, estate)
    now = now or timezone.now()
    title, convener_name = (title or "").strip(), (convener_name or "").strip()
    if not title or len(title) > 120:
        raise ShequError(
            gettext("Enter the vote's title (at most 120 characters)."), fields={"title": "required"}
        )
    if convener not in Convener.values:
        raise ShequError(gettext("Choose who convenes the vote."), fields={"convener": "required"})
    if not convener_name or len(convener_name) > 100:
        raise ShequError(gettext("Enter the convener's name."), fields={"convener_name": "required"})
    if closes_at <= opens_at:
        raise ShequError(gettext("Voting must close after it opens."), fields={"closes_at": "order"})
    cleaned = _clean_matters(matters)
    barred = _barred(estate, cleaned, now)
    if barred and not committee_consent:
        raise ShequError(
            gettext(
                "These matters failed within the last year and need the agreement of 2/3 of the owners' "
                "committee to be tabled again: %(titles)s."
            )
            % {"titles": "、".join(barred)},
            code="barred",
            fields={"matters": "barred"},
        )
    with transaction.atomic():
        vote = Vote.objects.create(
            estate=estate,
            title=title,
            convener=convener,
            convener_name=convener_name,
            opens_at=opens_at,
            closes_at=closes_at,
            committee_consent=committee_consent,
            created_by=actor,
            created_at=now,
            synthetic=synthetic,
        )
        Matter.objects.bulk_create(
            [
                Matter(vote=vote, position=i, title=t, item=item)
                for i, (t, item) in enumerate(cleaned, start=1)
            ]
        )
        audit_record(
            action="owners.vote_create",
            actor=actor,
            obj=vote,
            object_repr=title[:200],
            changes={"estate": estate.code, "matters": [item for _, item in cleaned], "convener": convener},
        )
    return vote


def person_of(part_id: int, developer_unsold: bool, owner_ids: Sequence[int]) -> str:
    """Whom a part counts for (SPC Art. 9): the developer; the owners together; the part itself if no owner."""
    if developer_unsold:
        return DEVELOPER
    if owner_ids:
        return "o:" + "-".join(str(i) for i in sorted(owner_ids))
    return f"p:{part_id}"


def owners_in(person: str) -> set[int]:
    return {int(i) for i in person[2:].split("-")} if person.startswith("o:") else set()


def _roll(vote: Vote) -> list[RollEntry]:
    owners: dict[int, list[int]] = {}
    for part_id, owner_id in Part.objects.filter(estate=vote.estate).values_list(
        "pk", "ownerships__owner_id"
    ):
        owners.setdefault(part_id, [])
        if owner_id is not None:
            owners[part_id].append(owner_id)
    entries = []
    for part in Part.objects.filter(estate=vote.estate).only(
        "pk", "developer_unsold", "area_registered", "area_surveyed", "area_contract"
    ):
        entries.append(
            RollEntry(
                vote=vote,
                part_id=part.pk,
                person=person_of(part.pk, part.developer_unsold, owners.get(part.pk, [])),
                area=int(part.counted_area * 100),
            )
        )
    return entries


def vote_publish(*, actor, vote: Vote, now: datetime | None = None, check_notice: bool = True) -> Vote:
    """Publish the notice: the roll and the rules are fixed from here. `check_notice=False` only for the demo's
    history (votes whose notice lies in the past)."""
    require_estate(actor, vote.estate)
    now = now or timezone.now()
    if vote.status != VoteStatus.DRAFT:
        raise ShequError(gettext("Only a draft can be published."), code="wrong_state", status=409)
    local = local_on(timezone.localdate(vote.opens_at))
    if check_notice and vote.opens_at - now < timedelta(days=local.notice_days):
        raise ShequError(
            gettext("The notice must go out at least %(days)d days before voting opens.")
            % {"days": local.notice_days},
            fields={"opens_at": "notice"},
        )
    with transaction.atomic():
        entries = _roll(vote)
        if not entries:
            raise ShequError(gettext("The estate's register has no parts yet."), fields={"register": "empty"})
        RollEntry.objects.bulk_create(entries, batch_size=2000)
        vote.status = VoteStatus.PUBLISHED
        vote.notice_at = now
        vote.rules_code = national_on(timezone.localdate(vote.opens_at)).code
        vote.local_code = local.code
        vote.silent_follow_majority = estate_settings(vote.estate).silent_follow_majority
        vote.save(update_fields=["status", "notice_at", "rules_code", "local_code", "silent_follow_majority"])
        audit_record(
            action="owners.vote_publish",
            actor=actor,
            obj=vote,
            object_repr=vote.title[:200],
            changes={"parts": len(entries), "rules": vote.rules_code},
        )
    return vote


# --- the tally -----------------------------------------------------------------------------------------------------


def vote_tally(vote: Vote, *, ballots: dict[int, dict] | None = None) -> list[tuple[Matter, engine.Tally]]:
    """Every matter's tally from the roll and the current ballots (or `ballots`: {part_id: choices}).

    Two queries. A ballot's choices come as JSON text and are decoded once per distinct text (a vote has few
    distinct ballots: 3 choices to the power of its matters), not once per row (bench/owners)."""
    rules, local = national_by_code(vote.rules_code), local_by_code(vote.local_code)
    matters = list(vote.matters.all())
    keys = [str(m.position) for m in matters]
    if ballots is None:
        decoded: dict[str, tuple] = {}
        by_part: dict[int, tuple] = {}
        rows = (
            Ballot.objects.filter(vote=vote)
            .annotate(text=Cast("choices", TextField()))
            .values_list("part_id", "text")
        )
        for part_id, text in rows:
            found = decoded.get(text)
            if found is None:
                choices = json.loads(text)
                found = decoded[text] = tuple(choices.get(k) for k in keys)
            by_part[part_id] = found
    else:
        by_part = {part_id: tuple(c.get(k) for k in keys) for part_id, c in ballots.items()}
    roll = [
        (area, person, by_part.get(part_id))
        for part_id, person, area in RollEntry.objects.filter(vote=vote).values_list(
            "part_id", "person", "area"
        )
    ]
    result = []
    for i, matter in enumerate(matters):
        parts = [(area, person, c[i] if c else None) for area, person, c in roll]
        result.append(
            (
                matter,
                engine.tally(
                    parts,
                    item=matter.item,
                    rules=rules,
                    local=local,
                    silent_follow=vote.silent_follow_majority,
                ),
            )
        )
    return result


def tally_snapshot(vote: Vote, tallies: list[tuple[Matter, engine.Tally]], now: datetime) -> dict[str, Any]:
    return {
        "at": now.isoformat(),
        "rules": vote.rules_code,
        "local": vote.local_code,
        "matters": [
            {
                "position": m.position,
                "title": m.title,
                "item": m.item,
                **asdict(t),
                "reasons": list(t.reasons),
            }
            for m, t in tallies
        ],
    }


def _lock(vote: Vote) -> Vote:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock the vote inside a transaction")
    return Vote.objects.select_for_update().get(pk=vote.pk)


def vote_extend(*, actor, vote: Vote, until: datetime, now: datetime | None = None) -> Vote:
    """Shenzhen: at the close, participation at most one half by area and by headcount → up to three more months."""
    require_estate(actor, vote.estate)
    now = now or timezone.now()
    with transaction.atomic():
        vote = _lock(vote)
        if vote.status != VoteStatus.PUBLISHED or now < vote.close_at:
            raise ShequError(
                gettext("A vote can be extended only once voting has closed."), code="wrong_state", status=409
            )
        tallies = vote_tally(vote)
        if not all(t.extension_allowed for _, t in tallies):
            raise ShequError(
                gettext("More than half took part: the rules allow no extension."),
                code="no_extension",
                status=409,
            )
        limit = add_months(vote.closes_at, local_by_code(vote.local_code).extension_months)
        if until <= max(now, vote.close_at) or until > limit:
            raise ShequError(
                gettext(
                    "The extension must end after now and at most three months after the original close."
                ),
                fields={"until": "range"},
            )
        before = vote.close_at
        vote.extended_to = until
        vote.save(update_fields=["extended_to"])
        audit_record(
            action="owners.vote_extend",
            actor=actor,
            obj=vote,
            object_repr=vote.title[:200],
            changes={"close": {"before": before.isoformat(), "after": until.isoformat()}},
        )
    return vote


def vote_publish_preliminary(
    *, actor, vote: Vote, objection_days: int = 7, now: datetime | None = None
) -> Vote:
    """询异公示: the count published with a window for objections."""
    require_estate(actor, vote.estate)
    now = now or timezone.now()
    if not 1 <= objection_days <= 30:
        raise ShequError(gettext("The objection period is 1 to 30 days."), fields={"objection_days": "range"})
    with transaction.atomic():
        vote = _lock(vote)
        if vote.status != VoteStatus.PUBLISHED or now < vote.close_at:
            raise ShequError(
                gettext("The result can be published once voting has closed."), code="wrong_state", status=409
            )
        vote.preliminary = tally_snapshot(vote, vote_tally(vote), now)
        vote.status = VoteStatus.PRELIMINARY
        vote.objection_until = now + timedelta(days=objection_days)
        vote.save(update_fields=["preliminary", "status", "objection_until"])
        audit_record(
            action="owners.vote_preliminary",
            actor=actor,
            obj=vote,
            object_repr=vote.title[:200],
            changes={"passed": [m["passed"] for m in vote.preliminary["matters"]]},
        )
    return vote


def vote_finalize(*, actor, vote: Vote, now: datetime | None = None) -> Vote:
    require_estate(actor, vote.estate)
    now = now or timezone.now()
    with transaction.atomic():
        vote = _lock(vote)
        if vote.status != VoteStatus.PRELIMINARY or (vote.objection_until and now < vote.objection_until):
            raise ShequError(
                gettext("The final result follows the preliminary one once the objection period is over."),
                code="wrong_state",
                status=409,
            )
        vote.final = tally_snapshot(vote, vote_tally(vote), now)
        vote.status = VoteStatus.FINAL
        vote.finalized_at = now
        vote.save(update_fields=["final", "status", "finalized_at"])
        audit_record(
            action="owners.vote_finalize",
            actor=actor,
            obj=vote,
            object_repr=vote.title[:200],
            changes={"passed": [m["passed"] for m in vote.final["matters"]]},
        )
    return vote


# --- ballots -------------------------------------------------------------------------------------------------------


def clean_choices(vote: Vote, choices: dict[str, str]) -> dict[str, str]:
    positions = [str(p) for p in vote.matters.values_list("position", flat=True)]
    if not isinstance(choices, dict) or set(choices) != set(positions):
        raise ShequError(
            gettext("Give a choice for every matter."), code="invalid_ballot", fields={"choices": "matters"}
        )
    if any(v not in Choice.values for v in choices.values()):
        raise ShequError(
            gettext("Each choice is for, against or abstain."),
            code="invalid_ballot",
            fields={"choices": "value"},
        )
    return {p: choices[p] for p in positions}


def _closed() -> ShequError:
    return ShequError(gettext("Voting is not open."), code="voting_closed", status=409)


def _already() -> ShequError:
    return ShequError(
        gettext("A ballot has already been cast for this part."), code="already_voted", status=409
    )


def _cast(
    *,
    vote: Vote,
    person: str,
    choices: dict[str, str],
    channel: str,
    cast_by,
    change: bool,
    now: datetime,
    proxy_name: str = "",
    document: Document | None = None,
) -> list[Ballot]:
    """Under the vote's lock: write (or change) the ballots of every part the person holds, chain each one."""
    if vote.status != VoteStatus.PUBLISHED or not (vote.opens_at <= now < vote.close_at):
        raise _closed()
    parts = list(RollEntry.objects.filter(vote=vote, person=person).values_list("part_id", flat=True))
    existing = {b.part_id: b for b in Ballot.objects.filter(vote=vote, part_id__in=parts)}
    if existing and not change:
        raise _already()
    if change and not existing:
        raise ShequError(gettext("There is no ballot to change."), code="no_ballot", status=409)
    seq, prev = vote.chain_seq, vote.chain_hash
    records, ballots = [], []
    for part_id in sorted(parts):
        seq += 1
        payload = record_payload(
            vote_id=vote.pk, seq=seq, part_id=part_id, person=person, choices=choices, channel=channel, at=now
        )
        digest = chain_hash(prev, payload)
        records.append(
            BallotRecord(
                vote=vote,
                seq=seq,
                part_id=part_id,
                person=person,
                choices=choices,
                channel=channel,
                at=now,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
        ballot = existing.get(part_id) or Ballot(vote=vote, part_id=part_id, person=person, cast_at=now)
        ballot.choices, ballot.channel, ballot.cast_by = choices, channel, cast_by
        ballot.proxy_name, ballot.document, ballot.receipt, ballot.changed_at = (
            proxy_name,
            document,
            digest,
            now,
        )
        ballots.append(ballot)
    try:
        with transaction.atomic():
            if change:
                Ballot.objects.bulk_update(
                    ballots,
                    ["choices", "channel", "cast_by", "proxy_name", "document", "receipt", "changed_at"],
                )
            else:
                Ballot.objects.bulk_create(ballots)
    except IntegrityError:  # the unique (vote, part): the last line behind the lock
        raise _already() from None
    BallotRecord.objects.bulk_create(records)
    Vote.objects.filter(pk=vote.pk).update(chain_seq=seq, chain_hash=prev)
    vote.chain_seq, vote.chain_hash = seq, prev
    return ballots


def owners_of_user(user, estate: Area) -> list[Owner]:
    """The register's owners that are this account: linked directly, or through the resident record the
    community verified for it (Resident.user)."""
    if user is None or not user.is_authenticated:
        return []
    return list(Owner.objects.filter(Q(user=user) | Q(resident__user=user), estate=estate))


def persons_of_user(user, vote: Vote) -> list[str]:
    owners = {o.pk for o in owners_of_user(user, vote.estate)}
    if not owners:
        return []
    persons = set(
        RollEntry.objects.filter(vote=vote, person__startswith="o:").values_list("person", flat=True)
    )
    return sorted(p for p in persons if owners & owners_in(p))


def ballot_cast_online(
    *, user, vote: Vote, choices: dict[str, str], change: bool = False, now=None
) -> list[Ballot]:
    """A verified owner's own ballot, for every part he holds (alone or with co-owners); `change` before the close."""
    now = now or timezone.now()
    with transaction.atomic():
        vote = _lock(vote)
        persons = persons_of_user(user, vote)
        if not persons:
            raise ShequError(
                gettext("You are not an owner on this vote's register."), code="not_an_owner", status=403
            )
        choices = clean_choices(vote, choices)
        ballots: list[Ballot] = []
        for person in persons:
            ballots += _cast(
                vote=vote,
                person=person,
                choices=choices,
                channel=Channel.ONLINE,
                cast_by=user,
                change=change,
                now=now,
            )
        audit_record(
            action="owners.ballot_change" if change else "owners.ballot_cast",
            actor=user,
            obj=vote,
            object_repr=vote.title[:200],
            changes={"channel": Channel.ONLINE, "parts": len(ballots)},
        )
    return ballots


def _roll_person(vote: Vote, part: Part) -> str:
    person = RollEntry.objects.filter(vote=vote, part=part).values_list("person", flat=True).first()
    if person is None:
        raise ShequError(
            gettext("The part is not on this vote's register."), code="not_on_roll", fields={"part": "roll"}
        )
    return person


def _document(*, vote: Vote, kind: str, upload, actor) -> Document:
    image = image_clean(upload, code="invalid_document", field_name="document")
    return Document.objects.create(
        vote=vote,
        kind=kind,
        file=ContentFile(image.content, name=image.name),
        content_type=image.content_type,
        size=len(image.content),
        uploaded_by=actor,
    )


def ballot_cast_proxy(
    *,
    actor,
    vote: Vote,
    part: Part,
    choices: dict[str, str],
    proxy_name: str,
    authorisation: IO[bytes] | None,
    now=None,
) -> list[Ballot]:
    """A ballot by written proxy, entered by staff with the owner's signed authorisation uploaded."""
    require_estate(actor, vote.estate)
    now = now or timezone.now()
    proxy_name = (proxy_name or "").strip()
    if not proxy_name or len(proxy_name) > 50:
        raise ShequError(
            gettext("Enter the proxy's name."), code="invalid_ballot", fields={"proxy_name": "required"}
        )
    if authorisation is None:
        raise ShequError(
            gettext("Upload the owner's written authorisation."),
            code="authorisation_required",
            fields={"document": "required"},
        )
    with transaction.atomic():
        vote = _lock(vote)
        choices = clean_choices(vote, choices)
        person = _roll_person(vote, part)
        if vote.status != VoteStatus.PUBLISHED or not (vote.opens_at <= now < vote.close_at):
            raise _closed()
        document = _document(vote=vote, kind=DocumentKind.AUTHORISATION, upload=authorisation, actor=actor)
        ballots = _cast(
            vote=vote,
            person=person,
            choices=choices,
            channel=Channel.PROXY,
            cast_by=actor,
            change=False,
            now=now,
            proxy_name=proxy_name,
            document=document,
        )
        audit_record(
            action="owners.ballot_proxy",
            actor=actor,
            obj=vote,
            object_repr=vote.title[:200],
            changes={"channel": Channel.PROXY, "parts": len(ballots)},
        )
    return ballots


def paper_entry_submit(
    *, actor, vote: Vote, part: Part, choices: dict[str, str], scan: IO[bytes] | None = None, now=None
) -> PaperEntry | list[Ballot]:
    """A paper ballot entered by one member of staff (with the sheet's scan) waits for a second, different one to
    enter the same sheet: if both agree it becomes counted ballots; if not, the second entry is refused, nothing
    written, and the sheet must be looked at again. Both entries are made while voting is open."""
    require_estate(actor, vote.estate)
    now = now or timezone.now()
    with transaction.atomic():
        vote = _lock(vote)
        choices = clean_choices(vote, choices)
        person = _roll_person(vote, part)
        if vote.status != VoteStatus.PUBLISHED or not (vote.opens_at <= now < vote.close_at):
            raise _closed()
        if Ballot.objects.filter(vote=vote, person=person).exists():
            raise _already()
        first = PaperEntry.objects.filter(vote=vote, person=person).first()
        if first is None:
            if scan is None:
                raise ShequError(
                    gettext("Upload the scan of the paper ballot."),
                    code="scan_required",
                    fields={"scan": "required"},
                )
            document = _document(vote=vote, kind=DocumentKind.PAPER_SCAN, upload=scan, actor=actor)
            entry = PaperEntry.objects.create(
                vote=vote,
                part=part,
                person=person,
                choices=choices,
                scan=document,
                entered_by=actor,
                created_at=now,
            )
            audit_record(action="owners.paper_first", actor=actor, obj=vote, object_repr=vote.title[:200])
            return entry
        if first.entered_by_id == actor.pk:
            raise ShequError(
                gettext("The second entry must be made by another member of staff."),
                code="same_clerk",
                status=409,
            )
        if first.choices != choices:
            raise ShequError(
                gettext("The two entries of this paper ballot differ: check the sheet and enter it again."),
                code="paper_mismatch",
                status=409,
            )
        ballots = _cast(
            vote=vote,
            person=person,
            choices=choices,
            channel=Channel.PAPER,
            cast_by=first.entered_by,
            change=False,
            now=now,
            document=first.scan,
        )
        first.delete()
        audit_record(
            action="owners.paper_reconciled",
            actor=actor,
            obj=vote,
            object_repr=vote.title[:200],
            changes={"channel": Channel.PAPER, "parts": len(ballots)},
        )
    return ballots
