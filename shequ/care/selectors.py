"""Reads of care, always scoped (STYLE.md §2): out of scope looks exactly like missing. Children (under 14) show
only where the user may see minors, as residents already do."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from shequ.access.scoping import scope_for, visible_to
from shequ.accounts.models import Unit
from shequ.accounts.roles import Action
from shequ.core.errors import NotFound
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area
from shequ.residents.models import minor_cutoff

from .choices import CaseStatus, DiscoveryStatus, ReferralStatus
from .models import Case, Discovery, GroupMembership, Provider, Referral, ServiceOrder, Station


def _no_hidden_minors(qs: QuerySet, user) -> QuerySet:
    minors_ok = Q(resident__birth_date__lte=minor_cutoff())
    for path in scope_for(user, Action.RESIDENTS_VIEW_MINORS).paths:
        minors_ok |= Q(area__path__prefix=path)
    return qs.filter(minors_ok)


def membership_list_for(*, user, tag: str = "", resident: int | None = None) -> QuerySet[GroupMembership]:
    qs = _no_hidden_minors(
        visible_to(GroupMembership.objects.filter(active=True), user, Action.CARE_GROUPS_VIEW), user
    )
    if tag:
        qs = qs.filter(tag__code=tag)
    if resident:
        qs = qs.filter(resident_id=resident)
    return qs.select_related("resident", "tag", "area").order_by("review_date", "pk")


def discovery_list_for(*, user, status: str = DiscoveryStatus.OPEN, kind: str = "") -> QuerySet[Discovery]:
    qs = _no_hidden_minors(visible_to(Discovery.objects.all(), user, Action.CARE_TRIAGE), user)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("resident", "area", "reported_by")


def discovery_get_for(*, user, pk: int) -> Discovery:
    found = discovery_list_for(user=user, status="").filter(pk=pk).first()
    if found is None:
        raise NotFound(gettext("No entry with this id."))
    return found


def case_list_for(
    *, user, status: str = "", open_only: bool = False, action: str = Action.CARE_CASES
) -> QuerySet[Case]:
    qs = _no_hidden_minors(visible_to(Case.objects.all(), user, action), user)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.exclude(status=CaseStatus.CLOSED)
    return qs.select_related("resident", "area", "worker", "station")


def case_get_for(*, user, pk: int, action: str = Action.CARE_CASES) -> Case:
    found = case_list_for(user=user, action=action).filter(pk=pk).first()
    if found is None:
        raise NotFound(gettext("No case with this id."))
    return found


def missed_visits_for(*, user, action: str = Action.CARE_CASES) -> QuerySet[Case]:
    """Serving cases whose next visit is overdue: the visit-plan alert."""
    return case_list_for(user=user, status=CaseStatus.SERVING, action=action).filter(
        next_visit_due__lt=timezone.localdate()
    )


def caseloads_for(*, user) -> list[dict]:
    """Open cases, overdue stages and missed visits per social worker, under the user's supervision scope."""
    now, today = timezone.now(), timezone.localdate()
    qs = visible_to(Case.objects.exclude(status=CaseStatus.CLOSED), user, Action.CARE_SUPERVISE)
    rows = (
        qs.values("worker__display_name", "worker__username", "station__name")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_at__lt=now)),
            missed=Count("pk", filter=Q(status=CaseStatus.SERVING, next_visit_due__lt=today)),
        )
        .order_by("station__name", "worker__username")
    )
    return list(rows)


def stations_for(*, user) -> list[dict]:
    """Every street in the user's supervision scope and its social-work station, if any (the plan: 100 %)."""
    condition = Q(pk__in=[])
    for p in scope_for(user, Action.CARE_SUPERVISE).paths:
        condition |= Q(path__startswith=p)
    streets = Area.objects.filter(condition, level=AreaLevel.STREET).select_related("parent").order_by("code")
    stations = {s.area_id: s for s in Station.objects.filter(area__in=streets)}
    return [{"street": s, "station": stations.get(s.pk)} for s in streets]


def referral_list_for(*, user, status: str = "") -> QuerySet[Referral]:
    """Referrals and minors' reports to the units the user handles for, in his areas."""
    scope = scope_for(user, Action.CARE_REFERRALS)
    qs = visible_to(Referral.objects.all(), user, Action.CARE_REFERRALS).filter(unit_id__in=scope.unit_ids)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("resident", "unit", "case", "area")


def referral_get_for(*, user, pk: int) -> Referral:
    found = referral_list_for(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound(gettext("No referral with this id."))
    return found


def departments_for(area: Area) -> QuerySet[Unit]:
    """The departments a case in this area may be referred to: its district's and the city's."""
    codes = [c for c in area.path.split("/") if c]
    return Unit.objects.filter(
        Q(kind="district_department", area__code__in=codes) | Q(kind="city_department")
    ).order_by("code")


def providers_for(*, user) -> QuerySet[Provider]:
    return visible_to(Provider.objects.all(), user, Action.CARE_GROUPS_EDIT).order_by("name")


def order_list_for(*, user) -> QuerySet[ServiceOrder]:
    qs = _no_hidden_minors(visible_to(ServiceOrder.objects.all(), user, Action.CARE_GROUPS_EDIT), user)
    return qs.select_related("resident", "provider")


def order_get_for(*, user, pk: int) -> ServiceOrder:
    found = order_list_for(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound(gettext("No order with this id."))
    return found


def provider_ratings(providers) -> dict[int, tuple[float | None, int]]:
    from django.db.models import Avg

    rows = (
        ServiceOrder.objects.filter(provider__in=providers, rating__isnull=False)
        .values("provider_id")
        .annotate(avg=Avg("rating"), n=Count("pk"))
    )
    return {r["provider_id"]: (round(r["avg"], 1), r["n"]) for r in rows}


def open_referrals_count(*, user) -> int:
    return referral_list_for(user=user, status=ReferralStatus.SENT).count()
