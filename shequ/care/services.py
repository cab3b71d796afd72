"""Writes of care: every one in a transaction with its audit entry; messages leave on commit (STYLE.md §1, §3).

Every refusal is a ShequError with a clear message and nothing written: a tag without evidence, a case action
out of order (409), a referral to a unit that is not a department.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from shequ.access.scoping import can_at, user_roles
from shequ.accounts.choices import UnitKind
from shequ.accounts.models import Grant, Unit, User
from shequ.accounts.roles import Action, Role
from shequ.audit.services import audit_record
from shequ.core.errors import ShequError
from shequ.core.masking import mask_name
from shequ.core.workdays import add_working_time
from shequ.geo.choices import AreaLevel
from shequ.geo.models import PATH_SEPARATOR
from shequ.residents.models import Resident, Tag

from . import workflow
from .choices import (
    SPECIAL_GROUP_CODES,
    CaseStatus,
    DiscoveryKind,
    DiscoveryStatus,
    EventKind,
    Need,
    NeedLevel,
    OrderKind,
    OrderStatus,
    ReferralKind,
    ReferralStatus,
    Source,
)
from .models import Case, CaseEvent, Discovery, GroupMembership, Provider, Referral, ServiceOrder, Station

MIN_TEXT = 4


def _roles(actor: User | None) -> str:
    return ",".join(sorted(user_roles(actor))) if actor else ""


def _require(actor: User | None, action: str, area_path: str) -> None:
    if actor is not None and not can_at(actor, action, area_path):
        raise PermissionDenied(gettext("You may not do this here."))


def _text(value: str, field: str, message: str, *, max_length: int = 2000) -> str:
    value = (value or "").strip()
    if len(value) < MIN_TEXT or len(value) > max_length:
        raise ShequError(message, code="invalid", fields={field: "required"})
    return value


def _audit(actor: User | None, action: str, obj, resident: Resident, **changes) -> None:
    audit_record(
        action=action,
        actor=actor,
        actor_role=_roles(actor),
        actor_username="" if actor else "system",
        obj=obj,
        object_repr=mask_name(resident.name),
        changes=changes or None,
    )


# --- special groups (item 1) -------------------------------------------------------------------------------


def membership_record(
    *,
    actor: User | None,
    resident: Resident,
    tag: str,
    evidence: str,
    source: str,
    review_date: dt.date | None,
    level: str = "",
    synthetic: bool = False,
) -> GroupMembership:
    """Record that a resident belongs to a special group. Evidence, a known source and a future review date are
    required: a tag nobody can justify is not recorded."""
    _require(actor, Action.CARE_GROUPS_EDIT, resident.area.path)
    errors: dict[str, str] = {}
    tag_obj = Tag.objects.filter(code=tag, code__in=SPECIAL_GROUP_CODES).first()
    if tag_obj is None:
        errors["tag"] = gettext("Choose a special group.")
    if len((evidence or "").strip()) < MIN_TEXT:
        errors["evidence"] = gettext(
            "State the evidence (at least 4 characters): a certificate, a decision, a visit."
        )
    if source not in Source.values:
        errors["source"] = gettext("Choose where the evidence comes from.")
    if review_date is None or review_date <= timezone.localdate():
        errors["review_date"] = gettext("Give a review date in the future.")
    if errors:
        raise ShequError(next(iter(errors.values())), code="invalid", fields=errors)
    assert tag_obj is not None and review_date is not None
    if GroupMembership.objects.filter(resident=resident, tag=tag_obj, active=True).exists():
        raise ShequError(
            gettext("This person is already recorded in this group."),
            code="duplicate",
            fields={"tag": "duplicate"},
        )
    with transaction.atomic():
        membership = GroupMembership.objects.create(
            resident=resident,
            tag=tag_obj,
            level=(level or "").strip()[:20],
            evidence=evidence.strip(),
            source=source,
            review_date=review_date,
            area_id=resident.area_id,
            recorded_by=actor,
            synthetic=synthetic,
        )
        _audit(
            actor, "care.group_record", membership, resident, tag={"to": tag_obj.code}, source={"to": source}
        )
    return membership


def memberships_viewed(*, actor: User | None, memberships: list[GroupMembership], purpose: str) -> None:
    """Every view of special-group data is audited (PIPL Art. 28): one entry per page or answer shown."""
    if not memberships:
        return
    audit_record(
        action="care.groups_view",
        actor=actor,
        actor_role=_roles(actor),
        object_type="care.groupmembership",
        object_repr=f"{len(memberships)}",
        changes={"ids": {"shown": [m.pk for m in memberships][:200]}},
        purpose=purpose,
    )


# --- discovery (item 2) ------------------------------------------------------------------------------------


def discovery_record(
    *,
    kind: str,
    resident: Resident,
    summary: str,
    source_ref: str = "",
    reported_by: User | None = None,
    synthetic: bool = False,
) -> tuple[Discovery, bool]:
    """One entry per signal: the same `source_ref` twice (a re-run import, a retried hook) gives the first entry."""
    if kind not in DiscoveryKind.values:
        raise ShequError(gettext("Unknown kind of signal."), fields={"kind": kind})
    if source_ref:
        found = Discovery.objects.filter(source_ref=source_ref).first()
        if found is not None:
            return found, False
    try:
        with transaction.atomic():
            entry = Discovery.objects.create(
                kind=kind,
                resident=resident,
                area_id=resident.area_id,
                summary=summary[:300],
                source_ref=source_ref[:120],
                reported_by=reported_by,
                synthetic=synthetic,
            )
            _audit(reported_by, "care.discovery_record", entry, resident, kind={"to": kind})
    except IntegrityError:  # the same signal arrived at the same time
        return Discovery.objects.get(source_ref=source_ref), False
    return entry, True


def grid_report(*, actor: User | None, resident: Resident, summary: str) -> Discovery:
    """A grid worker reports a person in difficulty met on patrol (网格发现)."""
    _require(actor, Action.CARE_REPORT, resident.area.path)
    summary = _text(
        summary, "summary", gettext("Describe what you saw (at least 4 characters)."), max_length=300
    )
    entry, _ = discovery_record(
        kind=DiscoveryKind.GRID_REPORT, resident=resident, summary=summary, reported_by=actor
    )
    return entry


def discovery_dismiss(*, actor: User | None, discovery: Discovery, reason: str) -> Discovery:
    _require(actor, Action.CARE_TRIAGE, discovery.area.path)
    reason = _text(
        reason, "reason", gettext("Give the reason for dismissing (at least 4 characters)."), max_length=300
    )
    with transaction.atomic():
        locked = Discovery.objects.select_for_update().get(pk=discovery.pk)
        if locked.status != DiscoveryStatus.OPEN:
            raise ShequError(gettext("This entry has already been decided."), code="out_of_order", status=409)
        locked.status = DiscoveryStatus.DISMISSED
        locked.dismiss_reason = reason
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "dismiss_reason", "decided_by", "decided_at"])
        _audit(actor, "care.discovery_dismiss", locked, locked.resident, reason={"to": reason})
    return locked


def discoveries_scan_no_visit(*, days: int = 7, today: dt.date | None = None) -> int:
    """Elders living alone with no visit recorded in `days` days become entries (one per person per week)."""
    today = today or timezone.localdate()
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min))
    elders = (
        GroupMembership.objects.filter(active=True, tag__code__in=("elderly_alone", "empty_nest", "very_old"))
        .values_list("resident_id", flat=True)
        .distinct()
    )
    visited = CaseEvent.objects.filter(kind=EventKind.VISIT, at__gte=since).values_list(
        "case__resident_id", flat=True
    )
    waiting = Discovery.objects.filter(status=DiscoveryStatus.OPEN).values_list("resident_id", flat=True)
    made = 0
    week = today.strftime("%G-W%V")
    for resident in Resident.objects.filter(pk__in=elders).exclude(pk__in=visited).exclude(pk__in=waiting):
        _, created = discovery_record(
            kind=DiscoveryKind.NO_VISIT,
            resident=resident,
            summary=gettext("No visit recorded in %(days)s days.") % {"days": days},
            source_ref=f"no_visit:{resident.pk}:{week}",
        )
        made += created
    return made


def _in_care_groups():
    return GroupMembership.objects.filter(active=True).values_list("resident_id", flat=True)


def discoveries_scan_missed_bookings(*, days: int = 7, today: dt.date | None = None) -> int:
    """A member of a special group whose booking went unattended in the last `days` days becomes an entry, one per
    missed booking: a venue booking released as a no-show, or a day-care (托老) day booked and never checked in."""
    from shequ.venues.choices import BookingStatus
    from shequ.venues.models import Booking

    today = today or timezone.localdate()
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min))
    people = {
        r.user_id: r
        for r in Resident.objects.filter(pk__in=_in_care_groups(), user__isnull=False).select_related("area")
    }
    missed = (
        Booking.objects.filter(status=BookingStatus.NO_SHOW, start__gte=since, person_id__in=list(people))
        .select_related("venue")
        .order_by("start")
    )
    made = 0
    for booking in missed:
        _, created = discovery_record(
            kind=DiscoveryKind.MISSED_BOOKING,
            resident=people[booking.person_id],
            summary=gettext("Did not come to %(venue)s on %(day)s as booked.")
            % {
                "venue": booking.venue.name,
                "day": timezone.localtime(booking.start).strftime("%Y-%m-%d %H:%M"),
            },
            source_ref=f"missed_booking:{booking.pk}",
        )
        made += created
    return made + _scan_missed_day_care(today=today, days=days)


def _scan_missed_day_care(*, today: dt.date, days: int) -> int:
    """An elder booked into day care (托老) who was never checked in on a past day: found among the family's
    household by name and birth date, and an entry if in a special group."""
    from shequ.venues.choices import CareKind, CareStatus
    from shequ.venues.models import CareBooking

    missed = (
        CareBooking.objects.filter(
            status=CareStatus.BOOKED,
            day__gte=today - dt.timedelta(days=days),
            day__lt=today,
            member__kind=CareKind.ELDER,
        )
        .select_related("member", "place")
        .order_by("day", "pk")
    )
    cared = Resident.objects.filter(pk__in=_in_care_groups())
    made = 0
    for booking in missed:
        member = booking.member
        family = (
            Resident.objects.filter(user_id=member.family_id).values_list("household_id", flat=True).first()
        )
        if family is None:
            continue
        resident = cared.filter(household_id=family, name=member.name, birth_date=member.birth_date).first()
        if resident is None:
            continue
        _, created = discovery_record(
            kind=DiscoveryKind.MISSED_BOOKING,
            resident=resident,
            summary=gettext("Did not come to %(venue)s on %(day)s as booked.")
            % {"venue": booking.place.name, "day": booking.day.isoformat()},
            source_ref=f"missed_day_care:{booking.pk}",
            synthetic=member.synthetic,
        )
        made += created
    return made


def discoveries_scan_early_warnings(*, days: int = 7, today: dt.date | None = None) -> int:
    """A member of a special group behind a repeated-appeals early warning (one person calling again and again)
    becomes an entry: the caller is found by the account that submitted or by the phone given."""
    from shequ.appeals.models import Appeal
    from shequ.core.crypto import hash_lookup
    from shequ.earlywarning.choices import WarningKind
    from shequ.earlywarning.models import EarlyWarning

    today = today or timezone.localdate()
    warnings = EarlyWarning.objects.filter(
        kind=WarningKind.REPEAT_PERSON, day__gte=today - dt.timedelta(days=days)
    )
    cared = Resident.objects.filter(pk__in=_in_care_groups())
    made = 0
    for warning in warnings.order_by("day", "pk"):
        ids = (warning.evidence or {}).get("appeal_ids") or []
        appeal = Appeal.objects.filter(pk__in=ids).order_by("pk").first()
        if appeal is None:
            continue
        resident = None
        if appeal.requester_id:
            resident = cared.filter(user_id=appeal.requester_id).first()
        if resident is None and appeal.contact_phone:
            resident = cared.filter(**hash_lookup(Resident, "phone", appeal.contact_phone)).first()
        if resident is None:
            continue
        _, created = discovery_record(
            kind=DiscoveryKind.EARLY_WARNING,
            resident=resident,
            summary=gettext("%(count)s appeals in %(window)s days (early warning of %(day)s).")
            % {
                "count": warning.observed,
                "window": (warning.evidence or {}).get("window_days", days),
                "day": warning.day.isoformat(),
            },
            source_ref=f"early_warning:{warning.pk}",
            synthetic=warning.synthetic,
        )
        made += created
    return made


def discoveries_scan(*, days: int = 7, today: dt.date | None = None) -> dict[str, int]:
    """Every automatic signal, as the nightly task runs them (care.scan)."""
    return {
        DiscoveryKind.NO_VISIT: discoveries_scan_no_visit(days=days, today=today),
        DiscoveryKind.MISSED_BOOKING: discoveries_scan_missed_bookings(days=days, today=today),
        DiscoveryKind.EARLY_WARNING: discoveries_scan_early_warnings(days=days, today=today),
    }


# --- cases (item 3) ----------------------------------------------------------------------------------------


def _station_for(resident: Resident) -> Station | None:
    codes = [c for c in resident.area.path.split(PATH_SEPARATOR) if c]
    return Station.objects.filter(area__code__in=codes, area__level=AreaLevel.STREET).first()


def case_open(
    *,
    actor: User | None,
    summary: str = "",
    discovery: Discovery | None = None,
    resident: Resident | None = None,
    worker: User | None = None,
    synthetic: bool = False,
) -> Case:
    """Open a case (发现 → 报告) from a discovery entry, or directly for a resident."""
    if discovery is not None:
        resident = discovery.resident
        summary = summary or discovery.summary
    if resident is None:
        raise ShequError(gettext("Choose the person."), fields={"resident": "required"})
    _require(actor, Action.CARE_TRIAGE, resident.area.path)
    summary = _text(
        summary, "summary", gettext("Describe the situation (at least 4 characters)."), max_length=300
    )
    if worker is None and can_at(actor, Action.CARE_CASES, resident.area.path):
        worker = actor
    if worker is not None and not can_at(worker, Action.CARE_CASES, resident.area.path):
        raise ShequError(
            gettext("This social worker does not serve this area."), fields={"worker": "out of area"}
        )
    now = timezone.now()
    with transaction.atomic():
        if discovery is not None:
            taken = Discovery.objects.filter(pk=discovery.pk, status=DiscoveryStatus.OPEN).update(
                status=DiscoveryStatus.CASE, decided_by=actor, decided_at=now
            )
            if not taken:
                raise ShequError(
                    gettext("This entry has already been decided."), code="out_of_order", status=409
                )
        case = Case.objects.create(
            resident=resident,
            area_id=resident.area_id,
            station=_station_for(resident),
            worker=worker,
            discovery=discovery,
            summary=summary,
            due_at=add_working_time(now, days=workflow.STAGE_DAYS[CaseStatus.REPORTED]),
            synthetic=synthetic,
        )
        CaseEvent.objects.create(case=case, kind=EventKind.REPORT, actor=actor, note=summary, at=now)
        _audit(actor, "care.case_open", case, resident, status={"to": case.status})
    return case


def _assessment(needs: Mapping[str, str] | None) -> dict[str, str]:
    needs = needs or {}
    missing = [n for n in Need.values if needs.get(n) not in NeedLevel.values]
    if missing:
        raise ShequError(
            gettext("Rate every need of the assessment form."),
            code="invalid",
            fields={m: "required" for m in missing},
        )
    return {n: needs[n] for n in Need.values}


def case_act(
    *,
    actor: User | None,
    case: Case,
    step: str,
    note: str = "",
    needs: Mapping[str, str] | None = None,
    plan: str = "",
    visit_every_days: int | None = None,
    unit: Unit | None = None,
    referral_kind: str = "",
    when: dt.datetime | None = None,
) -> CaseEvent:
    """Take one step of the workflow (workflow.STEPS) on a case; out of order is a 409 and nothing is written."""
    rule = workflow.STEPS.get(step)
    if rule is None:
        raise ShequError(gettext("Unknown action."), fields={"step": step})
    _require(actor, rule.action, case.area.path)
    note = (note or "").strip()
    data: dict = {}
    if step == "assess":
        data["needs"] = _assessment(needs)
    elif step == "plan":
        plan = _text(plan, "plan", gettext("Write the service plan (at least 4 characters)."))
        if visit_every_days is None or not 1 <= int(visit_every_days) <= 90:
            raise ShequError(
                gettext("Visit every 1 to 90 days (weekly for elders living alone)."),
                code="invalid",
                fields={"visit_every_days": "1-90"},
            )
        data = {"plan": plan, "visit_every_days": int(visit_every_days)}
    elif step == "refer":
        if unit is None or unit.kind not in (UnitKind.DISTRICT_DEPARTMENT, UnitKind.CITY_DEPARTMENT):
            raise ShequError(
                gettext("Choose the department to refer to."), code="invalid", fields={"unit": "required"}
            )
        if referral_kind not in ReferralKind.values:
            raise ShequError(
                gettext("Choose what the referral is for."), code="invalid", fields={"kind": "required"}
            )
        note = _text(note, "note", gettext("Say what the department should decide (at least 4 characters)."))
    else:
        note = _text(note, "note", gettext("Write a note (at least 4 characters)."))
    now = timezone.now()
    at = when or now
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("resident", "area").get(pk=case.pk)
        if locked.status not in rule.sources:
            raise ShequError(
                gettext("This action is not possible now: the case is %(status)s.")
                % {"status": CaseStatus(locked.status).label},
                code="out_of_order",
                status=409,
            )
        before = locked.status
        fields = ["status", "due_at"]
        if step == "assess":
            locked.assessment = data["needs"]
            fields.append("assessment")
        elif step == "plan":
            locked.plan = data["plan"]
            locked.visit_every_days = data["visit_every_days"]
            locked.next_visit_due = timezone.localdate(at) + dt.timedelta(days=locked.visit_every_days)
            fields += ["plan", "visit_every_days", "next_visit_due"]
        elif step == "visit" and locked.visit_every_days:
            locked.next_visit_due = timezone.localdate(at) + dt.timedelta(days=locked.visit_every_days)
            fields.append("next_visit_due")
        elif step == "refer":
            assert unit is not None
            referral = Referral.objects.create(
                case=locked,
                resident=locked.resident,
                area=locked.area,
                unit=unit,
                kind=referral_kind,
                note=note,
                due_at=add_working_time(now, days=5),
                created_by=actor,
            )
            data = {"referral": referral.pk, "unit": unit.name, "kind": referral_kind}
            _notify_unit(unit, urgent=False)
        if rule.target is not None:
            locked.status = rule.target
            if rule.target == CaseStatus.CLOSED:
                locked.closed_at = now
                locked.due_at = None
                locked.next_visit_due = None
                fields += ["closed_at", "next_visit_due"]
            else:
                locked.due_at = add_working_time(now, days=workflow.STAGE_DAYS[rule.target])
        locked.save(update_fields=fields)
        event = CaseEvent.objects.create(case=locked, kind=step, actor=actor, note=note, data=data, at=at)
        _audit(
            actor, f"care.case_{step}", locked, locked.resident, status={"from": before, "to": locked.status}
        )
    case.status, case.due_at = locked.status, locked.due_at
    return event


def _notify_unit(unit: Unit, *, urgent: bool) -> None:
    """Tell the department's handlers after commit (the message centre, by text too when urgent)."""
    from shequ.messages.services import message_send

    people = list(
        User.objects.filter(
            pk__in=Grant.objects.active().filter(unit=unit, role=Role.DEPARTMENT_HANDLER).values("user_id")
        )
    )
    title = (
        gettext("Minors' protection report: act within 24 hours")
        if urgent
        else gettext("A case was referred to you")
    )

    def send() -> None:
        for person in people:
            message_send(
                person=person,
                kind="care.referral",
                title=title,
                link="/console/care/referrals/",
                sms_body=title if urgent else "",
            )

    transaction.on_commit(send)


def referral_accept(*, actor: User | None, referral: Referral) -> Referral:
    _require(actor, Action.CARE_REFERRALS, referral.area.path)
    with transaction.atomic():
        taken = Referral.objects.filter(pk=referral.pk, status=ReferralStatus.SENT).update(
            status=ReferralStatus.ACCEPTED, accepted_at=timezone.now()
        )
        if not taken:
            raise ShequError(gettext("This referral was already accepted."), code="out_of_order", status=409)
        _audit(
            actor, "care.referral_accept", referral, referral.resident, status={"to": ReferralStatus.ACCEPTED}
        )
    referral.refresh_from_db()
    return referral


# --- elder and child services (item 4) ---------------------------------------------------------------------


def minor_report(*, actor: User | None, resident: Resident, note: str, unit: Unit) -> Referral:
    """强制报告: a child at risk goes straight to the responsible department, due within 24 working hours, its
    handlers told at once by message and text; no queue in between."""
    _require(actor, Action.CARE_REPORT, resident.area.path)
    adult_cutoff = timezone.localdate().replace(year=timezone.localdate().year - 18)
    if resident.birth_date <= adult_cutoff:
        raise ShequError(
            gettext("A minors' protection report is for a child under 18."), fields={"resident": "adult"}
        )
    if unit.kind not in (UnitKind.DISTRICT_DEPARTMENT, UnitKind.CITY_DEPARTMENT):
        raise ShequError(
            gettext("Choose the department to refer to."), code="invalid", fields={"unit": "required"}
        )
    note = _text(note, "note", gettext("Describe what you saw (at least 4 characters)."))
    now = timezone.now()
    with transaction.atomic():
        referral = Referral.objects.create(
            resident=resident,
            area_id=resident.area_id,
            unit=unit,
            kind=ReferralKind.CHILD_PROTECTION,
            note=note,
            urgent=True,
            due_at=add_working_time(now, hours=24),
            created_by=actor,
        )
        _audit(actor, "care.minor_report", referral, resident, unit={"to": unit.code})
        _notify_unit(unit, urgent=True)
    return referral


def order_create(
    *,
    actor: User | None,
    resident: Resident,
    provider: Provider,
    kind: str,
    scheduled_for: dt.date | None,
    case: Case | None = None,
    synthetic: bool = False,
) -> ServiceOrder:
    _require(actor, Action.CARE_GROUPS_EDIT, resident.area.path)
    if kind not in OrderKind.values:
        raise ShequError(gettext("Choose the service."), code="invalid", fields={"kind": "required"})
    if kind not in provider.kinds or not resident.area.path.startswith(provider.area.path):
        raise ShequError(
            gettext("This provider does not offer this service here."),
            code="invalid",
            fields={"provider": kind},
        )
    if scheduled_for is None:
        raise ShequError(gettext("Choose the date."), code="invalid", fields={"scheduled_for": "required"})
    with transaction.atomic():
        order = ServiceOrder.objects.create(
            resident=resident,
            area_id=resident.area_id,
            case=case,
            provider=provider,
            kind=kind,
            scheduled_for=scheduled_for,
            ordered_by=actor,
            synthetic=synthetic,
        )
        _audit(actor, "care.order_create", order, resident, kind={"to": kind})
    return order


def order_complete(
    *, actor: User | None, order: ServiceOrder, rating: int | None, comment: str = ""
) -> ServiceOrder:
    """Mark an order done with the person's rating (1-5 stars) of the provider."""
    _require(actor, Action.CARE_GROUPS_EDIT, order.area.path)
    if rating is None or not 1 <= int(rating) <= 5:
        raise ShequError(gettext("Give a rating from 1 to 5."), code="invalid", fields={"rating": "1-5"})
    with transaction.atomic():
        taken = ServiceOrder.objects.filter(pk=order.pk, status=OrderStatus.ORDERED).update(
            status=OrderStatus.DONE, rating=int(rating), rating_comment=(comment or "").strip()[:200]
        )
        if not taken:
            raise ShequError(gettext("This order is already closed."), code="out_of_order", status=409)
        _audit(actor, "care.order_complete", order, order.resident, rating={"to": int(rating)})
    order.refresh_from_db()
    return order


def station_ensure(*, actor: User | None, street, name: str, unit: Unit | None = None) -> Station:
    if street.level != AreaLevel.STREET:
        raise ShequError(gettext("A social-work station belongs to a street."), fields={"area": street.code})
    station, created = Station.objects.get_or_create(
        area=street, defaults={"name": name, "unit": unit, "synthetic": True}
    )
    if created:
        audit_record(
            action="care.station_create",
            actor=actor,
            obj=station,
            object_repr=name,
            actor_username="" if actor else "system",
        )
    return station


REPEATED_APPEALS = 3  # appeals by one person ...
REPEATED_DAYS = 30  # ... within this many days make a discovery entry (one per person per month)


def discoveries_from_appeals(*, requester_id: int, today: dt.date | None = None) -> bool:
    """A resident who appealed REPEATED_APPEALS times in REPEATED_DAYS days may be a person in difficulty who is not
    being helped: one entry per person and month. Counts through appeals' own selector (the requester's appeals)."""
    from shequ.appeals.selectors import appeal_list_for

    resident = Resident.objects.filter(user_id=requester_id).select_related("area").first()
    if resident is None:
        return False
    today = today or timezone.localdate()
    since = timezone.now() - dt.timedelta(days=REPEATED_DAYS)
    user = User.objects.get(pk=requester_id)
    count = appeal_list_for(user=user).filter(requester_id=requester_id, created_at__gte=since).count()
    if count < REPEATED_APPEALS:
        return False
    _, created = discovery_record(
        kind=DiscoveryKind.REPEATED_APPEALS,
        resident=resident,
        summary=gettext("%(n)d appeals in %(days)d days.") % {"n": count, "days": REPEATED_DAYS},
        source_ref=f"appeals:{resident.pk}:{today:%Y-%m}",
    )
    return created
