"""Public reads for Open311. Service requests are public by the spec: no user scoping, but public fields only
(serializers.request_out) and public events only. Each list is a fixed number of queries, whatever its length."""

from __future__ import annotations

from datetime import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery

from shequ.appeals.models import Appeal, Category, Event

from . import conf
from .choices import CLOSED
from .models import ApiKey
from .serializers import Open311Error


def services() -> QuerySet[Category]:
    """The services: active second-level categories of active groups (a group is not something to report)."""
    return (
        Category.objects.filter(is_active=True, parent__isnull=False, parent__is_active=True)
        .select_related("parent")
        .order_by("parent__sort", "sort", "code")
    )


def service_get(code: str) -> Category:
    category = services().filter(code=code).first()
    if category is None:
        raise Open311Error(404, f"service_code {code!r} not found")
    return category


def _public_requests() -> QuerySet[Appeal]:
    latest = Event.objects.filter(appeal=OuterRef("pk"), public=True).order_by("-at", "-id")
    return (
        Appeal.objects.select_related("category", "lead_unit", "area", "merged_into")
        .annotate(
            open311_updated_at=Subquery(latest.values("at")[:1]),
            open311_notes=Subquery(latest.exclude(note="").values("note")[:1]),
        )
        .order_by("-created_at", "-id")
    )


def requests_list(
    *,
    ids: list[str] | None = None,
    service_codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: list[str] | None = None,
) -> list[Appeal]:
    """GET requests: by number (which overrides everything else), or by window, services and status."""
    qs = _public_requests()
    if ids:
        return list(qs.filter(number__in=ids[: conf.MAX_REQUESTS]))
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lte=end)
    if service_codes:
        known = set(services().filter(code__in=service_codes).values_list("code", flat=True))
        unknown = [c for c in service_codes if c not in known]
        if unknown:
            raise Open311Error(404, *[f"service_code {c!r} not found" for c in unknown])
        qs = qs.filter(category__code__in=service_codes)
    if statuses and set(statuses) != {"open", "closed"}:
        closed = Q(status__in=list(CLOSED))
        qs = qs.filter(closed if statuses == ["closed"] else ~closed)
    return list(qs[: conf.MAX_REQUESTS])


def request_get(number: str) -> Appeal:
    appeal = _public_requests().filter(number=number).first()
    if appeal is None:
        raise Open311Error(404, f"service_request_id {number!r} not found")
    return appeal


def partner_request_get(*, key: ApiKey, number: str) -> Appeal:
    """The request `number` if this key filed it; any other, like a missing one, is a 404 (it is not the key's)."""
    appeal = Appeal.objects.filter(number=number, open311_request__key=key).first()
    if appeal is None:
        raise Open311Error(404, f"service_request_id {number!r} not found")
    return appeal


def updates_list(*, start: datetime, end: datetime) -> list[Event]:
    """Public events in the window, oldest first: a client that got MAX_UPDATES continues from the last one."""
    return list(
        Event.objects.filter(public=True, at__gte=start, at__lte=end)
        .select_related("appeal")
        .only("id", "action", "to_status", "note", "data", "at", "appeal__number")
        .order_by("at", "id")[: conf.MAX_UPDATES]
    )
