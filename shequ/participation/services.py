"""Every action on the three lists and on deliberation, written once (STYLE.md §1): the pages, the API, the demo and
the tests call these. Each validates everything before it writes, writes in one transaction with its audit entry
(STYLE.md §3), and tells people through shequ.messages after commit."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.access.scoping import can_at
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record
from shequ.core.errors import NotFound, ShequError
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area
from shequ.messages.services import message_send

from . import workflow
from .choices import (
    HIDE_AFTER_REPORTS,
    CommentStatus,
    DecisionOutcome,
    DecisionStatus,
    MeetingKind,
    MeetingStatus,
    NeedSource,
    PollStatus,
    ProjectStatus,
    ResourceKind,
    TopicStatus,
)
from .models import (
    Attendance,
    Category,
    Comment,
    Decision,
    Invitation,
    Meeting,
    Need,
    NeedMatch,
    Poll,
    PollAnswer,
    Project,
    Report,
    Resource,
    Support,
    Topic,
)

if TYPE_CHECKING:
    from shequ.accounts.models import User

MANAGE = Action.PARTICIPATION_MANAGE
# Sources only staff record (a survey, the appeals' top problems, a grid visit, a meeting): a resident posts his own.
STAFF_SOURCES = (NeedSource.SURVEY, NeedSource.APPEALS, NeedSource.GRID_VISIT, NeedSource.MEETING)
# Attendance by code: from half an hour before the start to the end.
CHECKIN_EARLY = timedelta(minutes=30)
_SIGNER_SALT = "shequ.participation.attendance"


# --- helpers --------------------------------------------------------------------------------------------------------


def _audit(*, action: str, actor, obj, changes: dict | None = None, repr_: str = "") -> None:
    audit_record(action=action, actor=actor, obj=obj, object_repr=repr_ or str(obj)[:100], changes=changes)


def _require_manage(actor: User, area: Area) -> None:
    """Staff act only inside their areas; outside, the object looks missing (404), as a selector would answer."""
    if not can_at(actor, MANAGE, area.path):
        raise NotFound(_("Not found."))


def _text(value: str, *, field: str, label: str, min_len: int, max_len: int, errors: dict) -> str:
    value = (value or "").strip()
    if len(value) < min_len:
        errors[field] = _("%(label)s needs at least %(n)d characters.") % {"label": label, "n": min_len}
    elif len(value) > max_len:
        errors[field] = _("%(label)s may have at most %(n)d characters.") % {"label": label, "n": max_len}
    return value


def _raise(errors: dict) -> None:
    if errors:
        raise ShequError(_("Please correct the marked fields."), code="invalid", fields=errors)


def community_of(area: Area | None) -> Area | None:
    """The community an area lies in (itself if it is one); None above the community level."""
    if area is None:
        return None
    if area.level == AreaLevel.COMMUNITY:
        return area
    codes = [c for c in area.path.split("/") if c]
    paths = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    return Area.objects.filter(level=AreaLevel.COMMUNITY, path__in=paths).first()


def community_by_code(code: str, *, field: str = "area") -> Area:
    area = Area.objects.filter(code=(code or "").strip(), level=AreaLevel.COMMUNITY).first()
    if area is None:
        raise ShequError(_("Choose a community."), code="invalid", fields={field: _("Choose a community.")})
    return area


def category_by_code(code: str) -> Category:
    category = Category.objects.filter(code=(code or "").strip()).first()
    if category is None:
        raise ShequError(
            _("Choose a category."), code="invalid", fields={"category": _("Choose a category.")}
        )
    return category


# --- needs ----------------------------------------------------------------------------------------------------------


def need_post(
    *,
    actor: User,
    area: Area,
    category: Category,
    title: str,
    description: str,
    source: str = NeedSource.RESIDENT,
    source_ref: str = "",
    synthetic: bool = False,
) -> Need:
    """A need goes on a community's list: a resident posts his own; staff record one from a survey, the appeals'
    top problems, a grid visit or a meeting (with what it came from in `source_ref`)."""
    errors: dict[str, str] = {}
    title = _text(title, field="title", label=_("The title"), min_len=4, max_len=100, errors=errors)
    description = _text(
        description, field="description", label=_("The description"), min_len=5, max_len=2000, errors=errors
    )
    if source not in NeedSource.values:
        errors["source"] = _("Choose one of the allowed values.")
    if area.level != AreaLevel.COMMUNITY:
        errors["area"] = _("Choose a community.")
    _raise(errors)
    if source in STAFF_SOURCES:
        _require_manage(actor, area)
    with transaction.atomic():
        need = Need.objects.create(
            area=area,
            category=category,
            title=title,
            description=description,
            source=source,
            source_ref=source_ref[:200],
            posted_by=actor if source == NeedSource.RESIDENT else None,
            synthetic=synthetic,
        )
        _audit(
            action="participation.need_post",
            actor=actor,
            obj=need,
            changes={"area": {"after": area.code}, "source": {"after": source}},
        )
    return need


def needs_from_top_problems(*, actor: User, month: date, area: Area) -> list[Need]:
    """每月一题 → needs: the month's top problems of appeals in the community (from the early warnings) become
    needs on its list, one per category, each naming the month and category it came from. Run twice, adds none."""
    from shequ.earlywarning.selectors import monthly_top_problems

    _require_manage(actor, area)
    report = monthly_top_problems(user=actor, month=month, area=area.code, limit=10)
    other = Category.objects.get(code="other")
    made: list[Need] = []
    for row in report["rows"]:
        ref = f"{report['month']}:{row['category']}:{row.get('area', area.code)}"
        if Need.objects.filter(area=area, source=NeedSource.APPEALS, source_ref=ref).exists():
            continue
        name = row.get("category_name") or row["category"]
        made.append(
            need_post(
                actor=actor,
                area=area,
                category=other,
                title=_("%(month)s top problem: %(name)s") % {"month": report["month"], "name": name},
                description=_(
                    "%(n)d appeals this month in this category, ranked %(rank)d among the top problems."
                )
                % {"n": row.get("received", 0), "rank": row.get("rank", 0)},
                source=NeedSource.APPEALS,
                source_ref=ref,
            )
        )
    return made


def need_match(
    *,
    actor: User,
    need: Need,
    resource: Resource | None = None,
    project: Project | None = None,
    reply: str = "",
) -> NeedMatch:
    """A community worker matches a need to a resource or a project of the same community; the first match marks
    the response time, and the resident who posted it is told."""
    _require_manage(actor, need.area)
    errors: dict[str, str] = {}
    if resource is None and project is None:
        errors["target"] = _("Choose a resource or a project.")
    if resource is not None and resource.area_id != need.area_id:
        errors["resource"] = _("The resource must be in the need's community.")
    if project is not None and project.area_id != need.area_id:
        errors["project"] = _("The project must be in the need's community.")
    if len(reply or "") > 500:
        errors["reply"] = _("%(label)s may have at most %(n)d characters.") % {
            "label": _("The reply"),
            "n": 500,
        }
    if not workflow.allowed("need", "match", need.status):
        errors["status"] = _("This need is already resolved or closed.")
    _raise(errors)
    now = timezone.now()
    with transaction.atomic():
        locked = Need.objects.select_for_update().get(pk=need.pk)
        if not workflow.allowed("need", "match", locked.status):
            raise ShequError(_("This need is already resolved or closed."), code="conflict", status=409)
        try:
            with transaction.atomic():
                match = NeedMatch.objects.create(
                    need=locked,
                    resource=resource,
                    project=project,
                    reply=(reply or "").strip(),
                    matched_by=actor,
                )
        except IntegrityError:
            raise ShequError(_("This need is already matched to it."), code="conflict", status=409) from None
        before = locked.status
        locked.status = workflow.target("need", "match")
        if locked.responded_at is None:
            locked.responded_at = now
        locked.save(update_fields=["status", "responded_at"])
        _audit(
            action="participation.need_match",
            actor=actor,
            obj=locked,
            changes={
                "status": {"before": before, "after": locked.status},
                "resource": {"after": resource.pk if resource else None},
                "project": {"after": project.pk if project else None},
            },
        )
        poster = locked.posted_by
        if poster is not None:
            target = resource.name if resource else project.title if project else ""
            transaction.on_commit(
                lambda: message_send(
                    person=poster,
                    kind="participation.need",
                    title=_("Your need was matched: %(title)s") % {"title": locked.title},
                    body=_("Matched to %(target)s. %(reply)s") % {"target": target, "reply": match.reply},
                    link=reverse("participation:my_need", args=[locked.pk]),
                )
            )
    need.refresh_from_db()
    return match


def need_resolve(*, actor: User, need: Need, note: str = "") -> Need:
    _require_manage(actor, need.area)
    if not workflow.allowed("need", "resolve", need.status):
        raise ShequError(_("This need is already resolved or closed."), code="conflict", status=409)
    with transaction.atomic():
        before = need.status
        need.status = workflow.target("need", "resolve")
        need.resolved_at = timezone.now()
        if need.responded_at is None:
            need.responded_at = need.resolved_at
        need.save(update_fields=["status", "resolved_at", "responded_at"])
        _audit(
            action="participation.need_resolve",
            actor=actor,
            obj=need,
            changes={"status": {"before": before, "after": need.status}, "note": {"after": note[:200]}},
        )
    return need


# --- resources and projects -----------------------------------------------------------------------------------------


def _linked_name(link_kind: str, link_id: int, area: Area) -> str:
    """A resource that exists in its own module is read through that module's selectors (DESIGN.md §2)."""
    if link_kind == "venues.venue":
        from shequ.venues.selectors import venue_get

        try:
            venue = venue_get(pk=link_id)
        except Exception:
            venue = None
        if venue is None or not _near(venue.area, area):
            raise ShequError(
                _("No such venue in this community."), code="invalid", fields={"link_id": "unknown"}
            )
        return venue.name
    if link_kind == "volunteers.team":
        from shequ.volunteers.selectors import team_get_public

        try:
            team = team_get_public(pk=link_id)
        except Exception:
            team = None
        if team is None or not _near(team.area, area):
            raise ShequError(
                _("No such volunteer team in this community."), code="invalid", fields={"link_id": "unknown"}
            )
        return team.name
    raise ShequError(_("Choose one of the allowed values."), code="invalid", fields={"link_kind": "unknown"})


def _near(where: Area, community: Area) -> bool:
    """A venue or team serves the community when it is in it, or in its street (a street's centre serves all)."""
    return where.path.startswith(community.path) or community.path.startswith(where.path)


def resources_link_existing(*, actor: User, area: Area) -> list[Resource]:
    """Put the venues and volunteer teams that already exist in their own modules (in the community or its street)
    on the community's resource list, linked by reference; those already linked are left alone."""
    from shequ.venues.selectors import venue_list
    from shequ.volunteers.selectors import team_list_for

    _require_manage(actor, area)
    street = area.parent if area.parent is not None else area
    linked = set(Resource.objects.filter(area=area).exclude(link_kind="").values_list("link_kind", "link_id"))
    found: list[tuple[str, int, str, str]] = [
        ("venues.venue", v.pk, v.name, ResourceKind.VENUE)
        for v in venue_list(area=street)
        if _near(v.area, area)
    ]
    found += [
        ("volunteers.team", t.pk, t.name, ResourceKind.VOLUNTEER_TEAM)
        for t in team_list_for(user=actor).filter(area__path__prefix=street.path, is_active=True)
        if _near(t.area, area)
    ]
    category = Category.objects.get(code="other")
    made = []
    for link_kind, link_id, name, kind in found[:200]:
        if (link_kind, link_id) in linked:
            continue
        made.append(
            resource_add(
                actor=actor,
                area=area,
                category=category,
                kind=kind,
                name=name[:100],
                link_kind=link_kind,
                link_id=link_id,
            )
        )
    return made


def resource_add(
    *,
    actor: User,
    area: Area,
    category: Category,
    kind: str,
    name: str = "",
    description: str = "",
    contact: str = "",
    link_kind: str = "",
    link_id: int | None = None,
    synthetic: bool = False,
) -> Resource:
    """A resource on the community's list: typed in, or linked to a venue or volunteer team that exists."""
    _require_manage(actor, area)
    errors: dict[str, str] = {}
    if kind not in ResourceKind.values:
        errors["kind"] = _("Choose one of the allowed values.")
    if link_kind:
        if link_id is None:
            errors["link_id"] = _("Choose one of the allowed values.")
        else:
            name = name or _linked_name(link_kind, link_id, area)
    name = _text(name, field="name", label=_("The name"), min_len=2, max_len=100, errors=errors)
    description = _text(
        description, field="description", label=_("The description"), min_len=0, max_len=2000, errors=errors
    )
    contact = _text(contact, field="contact", label=_("The contact"), min_len=0, max_len=100, errors=errors)
    _raise(errors)
    with transaction.atomic():
        resource = Resource.objects.create(
            area=area,
            category=category,
            kind=kind,
            name=name,
            description=description,
            contact=contact,
            link_kind=link_kind,
            link_id=link_id if link_kind else None,
            created_by=actor,
            synthetic=synthetic,
        )
        _audit(action="participation.resource_add", actor=actor, obj=resource)
    return resource


def project_create(
    *,
    actor: User,
    area: Area,
    category: Category,
    title: str,
    description: str = "",
    budget_yuan: int | None = None,
    synthetic: bool = False,
) -> Project:
    _require_manage(actor, area)
    errors: dict[str, str] = {}
    title = _text(title, field="title", label=_("The title"), min_len=4, max_len=100, errors=errors)
    description = _text(
        description, field="description", label=_("The description"), min_len=0, max_len=4000, errors=errors
    )
    if budget_yuan is not None and not 0 <= budget_yuan <= 100_000_000:
        errors["budget_yuan"] = _("The value is too large.")
    _raise(errors)
    with transaction.atomic():
        project = Project.objects.create(
            area=area,
            category=category,
            title=title,
            description=description,
            budget_yuan=budget_yuan,
            created_by=actor,
            synthetic=synthetic,
        )
        _audit(action="participation.project_create", actor=actor, obj=project)
    return project


def project_set_status(*, actor: User, project: Project, status: str) -> Project:
    _require_manage(actor, project.area)
    if status not in ProjectStatus.values:
        raise ShequError(_("Choose one of the allowed values."), code="invalid", fields={"status": "unknown"})
    with transaction.atomic():
        before = project.status
        project.status = status
        project.save(update_fields=["status"])
        _audit(
            action="participation.project_status",
            actor=actor,
            obj=project,
            changes={"status": {"before": before, "after": status}},
        )
    return project


# --- meetings -------------------------------------------------------------------------------------------------------


def meeting_create(
    *,
    actor: User,
    area: Area,
    kind: str,
    title: str,
    agenda: str,
    place: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    invitees: list[User] | None = None,
    synthetic: bool = False,
) -> Meeting:
    """Convene a meeting: its agenda, place and time; the invited are told through the message centre."""
    _require_manage(actor, area)
    errors: dict[str, str] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = _("Choose one of the allowed values.")
    title = _text(title, field="title", label=_("The title"), min_len=4, max_len=100, errors=errors)
    agenda = _text(agenda, field="agenda", label=_("The agenda"), min_len=4, max_len=4000, errors=errors)
    place = _text(place, field="place", label=_("The place"), min_len=2, max_len=100, errors=errors)
    if starts_at is None:
        errors["starts_at"] = _("Enter the start time.")
    if ends_at is None:
        errors["ends_at"] = _("Enter the end time.")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("The meeting must end after it starts.")
    _raise(errors)
    assert starts_at is not None and ends_at is not None
    with transaction.atomic():
        meeting = Meeting.objects.create(
            area=area,
            kind=kind,
            title=title,
            agenda=agenda,
            place=place,
            starts_at=starts_at,
            ends_at=ends_at,
            checkin_key=secrets.token_hex(8),
            convened_by=actor,
            synthetic=synthetic,
        )
        _audit(
            action="participation.meeting_create",
            actor=actor,
            obj=meeting,
            changes={"kind": {"after": kind}, "starts_at": {"after": starts_at.isoformat()}},
        )
        if invitees:
            _invite(meeting, invitees)
    return meeting


def _invite(meeting: Meeting, people: list[User]) -> int:
    have = set(Invitation.objects.filter(meeting=meeting).values_list("person_id", flat=True))
    new = [p for p in {p.pk: p for p in people}.values() if p.pk not in have]
    Invitation.objects.bulk_create([Invitation(meeting=meeting, person=p) for p in new])
    when = timezone.localtime(meeting.starts_at).strftime("%m-%d %H:%M")
    link = reverse("participation:meeting", args=[meeting.pk])
    title = _("Invitation: %(title)s") % {"title": meeting.title}
    body = _("%(when)s at %(place)s. Agenda: %(agenda)s") % {
        "when": when,
        "place": meeting.place,
        "agenda": meeting.agenda[:200],
    }

    def tell() -> None:
        for person in new:
            message_send(person=person, kind="participation.meeting", title=title, body=body, link=link)

    transaction.on_commit(tell)
    return len(new)


def meeting_invite(*, actor: User, meeting: Meeting, people: list[User]) -> int:
    _require_manage(actor, meeting.area)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ShequError(_("This meeting is no longer open for invitations."), code="conflict", status=409)
    with transaction.atomic():
        n = _invite(meeting, people)
        _audit(
            action="participation.meeting_invite", actor=actor, obj=meeting, changes={"invited": {"after": n}}
        )
    return n


def checkin_token(meeting: Meeting) -> str:
    """What the meeting's attendance code carries: the meeting and its key, signed (as the venues' codes)."""
    return signing.Signer(salt=_SIGNER_SALT).sign(f"{meeting.pk}.{meeting.checkin_key}")


def meeting_from_token(token: str) -> Meeting:
    try:
        value = signing.Signer(salt=_SIGNER_SALT).unsign(token)
        pk, key = value.split(".", 1)
        return Meeting.objects.select_related("area").get(pk=int(pk), checkin_key=key)
    except (signing.BadSignature, ValueError, Meeting.DoesNotExist):
        raise ShequError(
            _("This attendance code is not valid. Scan the code shown at the meeting."),
            code="bad_token",
            status=404,
        ) from None


def attendance_check_in(*, actor: User, token: str, now: datetime | None = None) -> Attendance:
    """A person scans the meeting's code: present, once, from half an hour before the start to the end."""
    meeting = meeting_from_token(token)
    now = now or timezone.now()
    if meeting.status == MeetingStatus.CANCELLED:
        raise ShequError(_("This meeting was cancelled."), code="conflict", status=409)
    if not (meeting.starts_at - CHECKIN_EARLY <= now <= meeting.ends_at):
        raise ShequError(
            _("Attendance opens half an hour before the meeting and closes at its end."),
            code="outside_window",
            status=409,
        )
    return _attend(actor=actor, meeting=meeting, person=actor, method="qr")


def attendance_mark(*, actor: User, meeting: Meeting, person: User) -> Attendance:
    """The convener ticks a person present on the roster (an elder without a phone)."""
    _require_manage(actor, meeting.area)
    return _attend(actor=actor, meeting=meeting, person=person, method="roster")


def _attend(*, actor: User, meeting: Meeting, person: User, method: str) -> Attendance:
    existing = Attendance.objects.filter(meeting=meeting, person=person).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        try:
            with transaction.atomic():
                attendance = Attendance.objects.create(meeting=meeting, person=person, method=method)
        except IntegrityError:
            return Attendance.objects.get(meeting=meeting, person=person)
        _audit(
            action="participation.attend",
            actor=actor,
            obj=meeting,
            changes={"person": {"after": person.pk}, "method": {"after": method}},
        )
    return attendance


def meeting_minutes_publish(*, actor: User, meeting: Meeting, minutes: str) -> Meeting:
    """The minutes (会议纪要) are published: the meeting counts as held, and its minutes are public."""
    _require_manage(actor, meeting.area)
    errors: dict[str, str] = {}
    minutes = _text(
        minutes, field="minutes", label=_("The minutes"), min_len=10, max_len=20000, errors=errors
    )
    _raise(errors)
    if not workflow.allowed("meeting", "publish_minutes", meeting.status):
        raise ShequError(_("A cancelled meeting has no minutes."), code="conflict", status=409)
    with transaction.atomic():
        before = meeting.status
        meeting.minutes = minutes
        meeting.minutes_at = timezone.now()
        meeting.status = workflow.target("meeting", "publish_minutes")
        meeting.save(update_fields=["minutes", "minutes_at", "status"])
        _audit(
            action="participation.minutes_publish",
            actor=actor,
            obj=meeting,
            changes={"status": {"before": before, "after": meeting.status}},
        )
    return meeting


def decision_add(
    *, actor: User, meeting: Meeting, text: str, follow_up: str = "", follow_up_due: date | None = None
) -> Decision:
    _require_manage(actor, meeting.area)
    errors: dict[str, str] = {}
    text = _text(text, field="text", label=_("The decision"), min_len=4, max_len=500, errors=errors)
    follow_up = _text(
        follow_up, field="follow_up", label=_("The follow-up"), min_len=0, max_len=500, errors=errors
    )
    _raise(errors)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ShequError(_("A cancelled meeting takes no decisions."), code="conflict", status=409)
    with transaction.atomic():
        decision = Decision.objects.create(
            meeting=meeting, text=text, follow_up=follow_up, follow_up_due=follow_up_due
        )
        _audit(action="participation.decision_add", actor=actor, obj=decision, repr_=text[:100])
    return decision


def _decision_unused(decision: Decision) -> None:
    if decision.outcome:
        raise ShequError(_("This decision has already become something."), code="conflict", status=409)


def decision_to_project(
    *, actor: User, decision: Decision, category: Category, title: str = "", budget_yuan: int | None = None
) -> Project:
    """A decision becomes a project on the community's list; the decision links to it."""
    meeting = decision.meeting
    _require_manage(actor, meeting.area)
    _decision_unused(decision)
    with transaction.atomic():
        project = project_create(
            actor=actor,
            area=meeting.area,
            category=category,
            title=title or decision.text[:100],
            description=_("Decided at %(meeting)s: %(text)s")
            % {"meeting": meeting.title, "text": decision.text},
            budget_yuan=budget_yuan,
            synthetic=meeting.synthetic,
        )
        _decided(actor, decision, DecisionOutcome.PROJECT, project=project)
    return project


def decision_to_need(*, actor: User, decision: Decision, category: Category) -> Need:
    meeting = decision.meeting
    _require_manage(actor, meeting.area)
    _decision_unused(decision)
    with transaction.atomic():
        need = need_post(
            actor=actor,
            area=meeting.area,
            category=category,
            title=decision.text[:100],
            description=_("Decided at %(meeting)s: %(text)s")
            % {"meeting": meeting.title, "text": decision.text},
            source=NeedSource.MEETING,
            source_ref=f"meeting:{meeting.pk}",
            synthetic=meeting.synthetic,
        )
        _decided(actor, decision, DecisionOutcome.NEED, need=need)
    return need


def decision_to_appeal(*, actor: User, decision: Decision) -> str:
    """A decision that needs a department becomes an appeal through shequ.appeals (proactive channel, 未诉先办);
    the decision keeps the appeal's number."""
    from shequ.appeals.choices import Channel
    from shequ.appeals.services import IntakeData, appeal_submit

    meeting = decision.meeting
    _require_manage(actor, meeting.area)
    _decision_unused(decision)
    with transaction.atomic():
        appeal = appeal_submit(
            actor=actor,
            data=IntakeData(
                text=_("%(meeting)s decided: %(text)s") % {"meeting": meeting.title, "text": decision.text},
                channel=Channel.PROACTIVE,
                area=meeting.area.code,
                address=meeting.place,
            ),
        )
        _decided(actor, decision, DecisionOutcome.APPEAL, appeal_number=appeal.number)
    return appeal.number


def _decided(actor: User, decision: Decision, outcome: str, **links) -> None:
    before = decision.outcome
    decision.outcome = outcome
    for k, v in links.items():
        setattr(decision, k, v)
    decision.save(update_fields=["outcome", *links.keys()])
    _audit(
        action="participation.decision_outcome",
        actor=actor,
        obj=decision,
        repr_=decision.text[:100],
        changes={"outcome": {"before": before, "after": outcome}},
    )


def decision_done(*, actor: User, decision: Decision) -> Decision:
    _require_manage(actor, decision.meeting.area)
    with transaction.atomic():
        decision.status = DecisionStatus.DONE
        decision.save(update_fields=["status"])
        _audit(action="participation.decision_done", actor=actor, obj=decision, repr_=decision.text[:100])
    return decision


# --- live polls -----------------------------------------------------------------------------------------------------


def poll_open(*, actor: User, meeting: Meeting, question: str, options: list[str]) -> Poll:
    _require_manage(actor, meeting.area)
    errors: dict[str, str] = {}
    question = _text(
        question, field="question", label=_("The question"), min_len=4, max_len=200, errors=errors
    )
    clean = [o.strip()[:50] for o in options if o and o.strip()]
    if not 2 <= len(clean) <= 6 or len(set(clean)) != len(clean):
        errors["options"] = _("Give two to six different options.")
    _raise(errors)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ShequError(_("This meeting was cancelled."), code="conflict", status=409)
    with transaction.atomic():
        poll = Poll.objects.create(meeting=meeting, question=question, options=clean)
        _audit(action="participation.poll_open", actor=actor, obj=poll, repr_=question[:100])
    return poll


def poll_answer(*, actor: User, poll: Poll, option: int) -> PollAnswer:
    """Only those present (checked in) answer, once each, while the poll is open."""
    if poll.status != PollStatus.OPEN:
        raise ShequError(_("This poll is closed."), code="conflict", status=409)
    if not isinstance(option, int) or not 0 <= option < len(poll.options):
        raise ShequError(_("Choose one of the options."), code="invalid", fields={"option": "unknown"})
    if not Attendance.objects.filter(meeting_id=poll.meeting_id, person=actor).exists():
        raise ShequError(_("Check in at the meeting before you vote."), code="not_present", status=403)
    try:
        with transaction.atomic():
            answer = PollAnswer.objects.create(poll=poll, person=actor, option=option)
    except IntegrityError:
        raise ShequError(_("You have already answered this poll."), code="conflict", status=409) from None
    return answer


def poll_close(*, actor: User, poll: Poll) -> Poll:
    _require_manage(actor, poll.meeting.area)
    with transaction.atomic():
        poll.status = PollStatus.CLOSED
        poll.closed_at = timezone.now()
        poll.save(update_fields=["status", "closed_at"])
        _audit(action="participation.poll_close", actor=actor, obj=poll, repr_=poll.question[:100])
    return poll


# --- online deliberation --------------------------------------------------------------------------------------------


def topic_create(
    *, actor: User, area: Area, title: str, body: str, meeting: Meeting | None = None, synthetic: bool = False
) -> Topic:
    _require_manage(actor, area)
    errors: dict[str, str] = {}
    title = _text(title, field="title", label=_("The title"), min_len=4, max_len=100, errors=errors)
    body = _text(body, field="body", label=_("The description"), min_len=10, max_len=4000, errors=errors)
    _raise(errors)
    with transaction.atomic():
        topic = Topic.objects.create(
            area=area, title=title, body=body, meeting=meeting, created_by=actor, synthetic=synthetic
        )
        _audit(action="participation.topic_create", actor=actor, obj=topic)
    return topic


def comment_post(*, actor: User, topic: Topic, body: str, parent: Comment | None = None) -> Comment:
    errors: dict[str, str] = {}
    body = _text(body, field="body", label=_("The comment"), min_len=2, max_len=1000, errors=errors)
    if parent is not None and parent.topic_id != topic.pk:
        errors["parent"] = _("Not found.")
    _raise(errors)
    if topic.status != TopicStatus.OPEN:
        raise ShequError(_("This topic is closed for comments."), code="conflict", status=409)
    with transaction.atomic():
        comment = Comment.objects.create(topic=topic, parent=parent, author=actor, body=body)
        _audit(action="participation.comment_post", actor=actor, obj=comment, repr_=f"topic {topic.pk}")
    return comment


def support_add(*, actor: User, topic: Topic | None = None, comment: Comment | None = None) -> bool:
    """Support a topic or a comment, once; answers False when the person had already supported it."""
    if (topic is None) == (comment is None):
        raise ShequError(_("Choose one of the allowed values."), code="invalid")
    try:
        with transaction.atomic():
            Support.objects.create(person=actor, topic=topic, comment=comment)
            if topic is not None:
                Topic.objects.filter(pk=topic.pk).update(supports=F("supports") + 1)
            else:
                Comment.objects.filter(pk=comment.pk).update(supports=F("supports") + 1)  # type: ignore[union-attr]
    except IntegrityError:
        return False
    return True


def comment_report(*, actor: User, comment: Comment, reason: str) -> Comment:
    """Report a comment, once per person; at the third report it is hidden pending a moderator's review."""
    errors: dict[str, str] = {}
    reason = _text(reason, field="reason", label=_("The reason"), min_len=2, max_len=200, errors=errors)
    _raise(errors)
    if comment.author_id == actor.pk:
        raise ShequError(_("You cannot report your own comment."), code="invalid")
    try:
        with transaction.atomic():
            Report.objects.create(comment=comment, reporter=actor, reason=reason)
            Comment.objects.filter(pk=comment.pk).update(reports=F("reports") + 1)
            locked = Comment.objects.select_for_update().get(pk=comment.pk)
            if locked.reports >= HIDE_AFTER_REPORTS and workflow.allowed("comment", "hide", locked.status):
                locked.status = workflow.target("comment", "hide")
                locked.save(update_fields=["status"])
                _audit(
                    action="participation.comment_hide",
                    actor=actor,
                    obj=locked,
                    repr_=f"topic {locked.topic_id}",
                    changes={"status": {"before": CommentStatus.VISIBLE, "after": locked.status}},
                )
    except IntegrityError:
        raise ShequError(_("You have already reported this comment."), code="conflict", status=409) from None
    comment.refresh_from_db()
    return comment


def comment_review(*, actor: User, comment: Comment, keep: bool, note: str = "") -> Comment:
    """A moderator decides on a reported comment: shown again, or removed (the text stays for the record)."""
    _require_manage(actor, comment.topic.area)
    action = "restore" if keep else "remove"
    if not workflow.allowed("comment", action, comment.status):
        raise ShequError(_("This comment is not waiting for review."), code="conflict", status=409)
    with transaction.atomic():
        before = comment.status
        comment.status = workflow.target("comment", action)
        comment.save(update_fields=["status"])
        _audit(
            action=f"participation.comment_{action}",
            actor=actor,
            obj=comment,
            repr_=f"topic {comment.topic_id}",
            changes={"status": {"before": before, "after": comment.status}, "note": {"after": note[:200]}},
        )
    return comment


def ensure_permission(actor: User, area: Area) -> None:
    """For pages: refuse with 403 a staff member who may not manage participation anywhere."""
    if not can_at(actor, MANAGE, area.path):
        raise PermissionDenied(_("You may not do this."))
