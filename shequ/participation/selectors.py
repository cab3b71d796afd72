"""Reads of the three lists and of deliberation. Public lists show no personal data; staff reads go through
`visible_to` so that an object outside one's areas is a 404 (STYLE.md §2); a resident sees his own needs."""

from __future__ import annotations

from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from shequ.accounts.roles import Action
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from .choices import CommentStatus, MeetingStatus, NeedStatus
from .models import Comment, Decision, Meeting, Need, NeedMatch, Poll, Project, Resource, Topic

MANAGE = Action.PARTICIPATION_MANAGE
_MATCHES = Prefetch(
    "matches", queryset=NeedMatch.objects.select_related("resource", "project").order_by("matched_at", "id")
)


def communities(*, under: Area | None = None) -> QuerySet[Area]:
    qs = Area.objects.filter(level=AreaLevel.COMMUNITY)
    if under is not None:
        qs = qs.filter(path__prefix=under.path)
    return qs.order_by("path")


# --- public (the portal) --------------------------------------------------------------------------------------------


def need_list_public(*, area: Area | None = None, status: str | None = None) -> QuerySet[Need]:
    qs = Need.objects.select_related("area", "category").exclude(status=NeedStatus.CLOSED)
    if area is not None:
        qs = qs.filter(area__path__prefix=area.path)
    if status:
        qs = qs.filter(status=status)
    return qs


def need_get_public(*, pk: int) -> Need:
    return get_object_or_404(
        Need.objects.select_related("area", "category")
        .prefetch_related(_MATCHES)
        .exclude(status=NeedStatus.CLOSED),
        pk=pk,
    )


def resource_list_public(*, area: Area | None = None, kind: str | None = None) -> QuerySet[Resource]:
    qs = Resource.objects.filter(is_active=True).select_related("area", "category")
    if area is not None:
        qs = qs.filter(area__path__prefix=area.path)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def project_list_public(*, area: Area | None = None) -> QuerySet[Project]:
    qs = Project.objects.select_related("area", "category")
    if area is not None:
        qs = qs.filter(area__path__prefix=area.path)
    return qs


def project_get_public(*, pk: int) -> Project:
    return get_object_or_404(Project.objects.select_related("area", "category"), pk=pk)


def meeting_list_public(*, area: Area | None = None) -> QuerySet[Meeting]:
    qs = Meeting.objects.select_related("area").exclude(status=MeetingStatus.CANCELLED)
    if area is not None:
        qs = qs.filter(area__path__prefix=area.path)
    return qs


def meeting_get_public(*, pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("area").prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.select_related("project", "need")),
            Prefetch("polls", queryset=Poll.objects.annotate(n=Count("answers"))),
        ),
        pk=pk,
    )


def topic_list_public(*, area: Area | None = None) -> QuerySet[Topic]:
    qs = Topic.objects.select_related("area").annotate(
        n_comments=Count("comments", filter=Q(comments__status=CommentStatus.VISIBLE))
    )
    if area is not None:
        qs = qs.filter(area__path__prefix=area.path)
    return qs


def topic_get_public(*, pk: int) -> Topic:
    return get_object_or_404(Topic.objects.select_related("area"), pk=pk)


def comments_of(topic: Topic) -> list[Comment]:
    """Top-level comments with their replies attached (`thread`); hidden ones are kept in place as a notice."""
    rows = list(Comment.objects.filter(topic=topic).select_related("author").order_by("created_at", "id"))
    by_parent: dict[int | None, list[Comment]] = {}
    for c in rows:
        by_parent.setdefault(c.parent_id, []).append(c)
    for c in rows:
        c.thread = by_parent.get(c.pk, [])  # type: ignore[attr-defined]
    return by_parent.get(None, [])


def poll_results(poll: Poll) -> list[tuple[str, int]]:
    counts = dict(poll.answers.values_list("option").annotate(n=Count("id")).values_list("option", "n"))
    return [(label, counts.get(i, 0)) for i, label in enumerate(poll.options)]


def lists_summary(area: Area) -> dict:
    """The figures on a community's public page: open needs, resources, projects, and the median-free mean response
    time in hours of the needs answered (read from `responded_at`, kept by the first match)."""
    needs = Need.objects.filter(area__path__prefix=area.path).exclude(status=NeedStatus.CLOSED)
    answered = needs.filter(responded_at__isnull=False).aggregate(
        avg=Avg(F("responded_at") - F("created_at"))
    )
    avg = answered["avg"]
    return {
        "needs": needs.count(),
        "needs_open": needs.filter(status=NeedStatus.OPEN).count(),
        "resources": Resource.objects.filter(area__path__prefix=area.path, is_active=True).count(),
        "projects": Project.objects.filter(area__path__prefix=area.path).count(),
        "response_hours": round(avg.total_seconds() / 3600, 1) if avg is not None else None,
    }


# --- a resident's own -----------------------------------------------------------------------------------------------


def needs_of(user) -> QuerySet[Need]:
    return Need.objects.filter(posted_by=user).select_related("area", "category").prefetch_related(_MATCHES)


def need_get_mine(*, user, pk: int) -> Need:
    return get_object_or_404(needs_of(user), pk=pk)


# --- staff (the console) --------------------------------------------------------------------------------------------


def need_get_for(*, user, pk: int) -> Need:
    # Staff see needs by area only: a staff member's own posts are no wider than his areas.
    qs = Need.objects.filter(_area_q(user)).select_related("area", "category", "posted_by")
    return get_object_or_404(qs.prefetch_related(_MATCHES), pk=pk)


def _area_q(user, field: str = "area__path") -> Q:
    from shequ.access.scoping import scope_for

    condition = Q(pk__in=[])
    for p in scope_for(user, MANAGE).paths:
        condition |= Q(**{f"{field}__prefix": p})
    return condition


def staff_needs(*, user, status: str | None = None) -> QuerySet[Need]:
    qs = Need.objects.filter(_area_q(user)).select_related("area", "category")
    if status:
        qs = qs.filter(status=status)
    return qs


def staff_resources(*, user, area: Area | None = None) -> QuerySet[Resource]:
    qs = Resource.objects.filter(_area_q(user), is_active=True).select_related("area", "category")
    if area is not None:
        qs = qs.filter(area=area)
    return qs


def staff_projects(*, user, area: Area | None = None) -> QuerySet[Project]:
    qs = Project.objects.filter(_area_q(user)).select_related("area", "category")
    if area is not None:
        qs = qs.filter(area=area)
    return qs


def staff_meetings(*, user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(_area_q(user)).select_related("area")


def meeting_get_for(*, user, pk: int) -> Meeting:
    return get_object_or_404(staff_meetings(user=user), pk=pk)


def decision_get_for(*, user, pk: int) -> Decision:
    return get_object_or_404(
        Decision.objects.filter(_area_q(user, "meeting__area__path")).select_related(
            "meeting", "meeting__area"
        ),
        pk=pk,
    )


def poll_get_for(*, user, pk: int) -> Poll:
    return get_object_or_404(
        Poll.objects.filter(_area_q(user, "meeting__area__path")).select_related("meeting", "meeting__area"),
        pk=pk,
    )


def resource_get_for(*, user, pk: int) -> Resource:
    return get_object_or_404(staff_resources(user=user), pk=pk)


def project_get_for(*, user, pk: int) -> Project:
    return get_object_or_404(staff_projects(user=user), pk=pk)


def staff_topics(*, user) -> QuerySet[Topic]:
    return Topic.objects.filter(_area_q(user)).select_related("area")


def comments_pending_review(*, user) -> QuerySet[Comment]:
    return Comment.objects.filter(
        _area_q(user, "topic__area__path"), status=CommentStatus.PENDING_REVIEW
    ).select_related("topic", "topic__area")


def comment_get_for(*, user, pk: int) -> Comment:
    return get_object_or_404(
        Comment.objects.filter(_area_q(user, "topic__area__path")).select_related("topic", "topic__area"),
        pk=pk,
    )


def staff_areas(*, user) -> QuerySet[Area]:
    """The communities a staff member may manage participation in (the forms' choices)."""
    return Area.objects.filter(_area_q(user, "path"), level=AreaLevel.COMMUNITY).order_by("path")
