"""/api/v1/residents: scoped list and detail (masked), and the audited reveal."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from shequ.access.scoping import can
from shequ.accounts.roles import Action
from shequ.api.auth import PROTECTED

from . import selectors, services
from .schemas import ResidentOut, RevealIn, RevealOut, resident_out

router = Router(tags=["residents"], auth=PROTECTED)


class ResidentFilters(Schema):
    area: str | None = None
    tag: str | None = None
    q: str | None = None
    phone: str | None = None
    id_number: str | None = None
    household: int | None = None


@router.get("/residents", response=list[ResidentOut], summary="List residents in your areas (masked)")
@paginate
def list_residents(request: HttpRequest, filters: Query[ResidentFilters]):
    if not can(request.user, Action.RESIDENTS_VIEW) and not hasattr(request.user, "resident"):
        raise PermissionDenied("Your role may not list residents.")
    qs = selectors.resident_list_for(user=request.user, **filters.dict())
    today = timezone.localdate()
    return _Mapped(qs, today)


class _Mapped:
    """A lazy, sliceable view that maps each page's rows to the masked schema (pagination slices it)."""

    def __init__(self, qs, today):
        self.qs, self.today = qs, today

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        return [resident_out(r, today=self.today) for r in self.qs[item]]


@router.get("/residents/{resident_id}", response=ResidentOut, summary="One resident (masked)")
def get_resident(request: HttpRequest, resident_id: int):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    return resident_out(resident, today=timezone.localdate())


@router.post(
    "/residents/{resident_id}/reveal", response=RevealOut, summary="Reveal personal fields (audited)"
)
def reveal_resident(request: HttpRequest, resident_id: int, payload: RevealIn):
    resident = selectors.resident_get_for(user=request.user, pk=resident_id)
    values = services.resident_reveal(
        actor=request.user,  # type: ignore[arg-type]  # the router's auth guarantees a signed-in user
        resident=resident,
        fields=payload.fields,
        purpose=payload.purpose,
    )
    response = JsonResponse({"id": resident.pk, "values": values, "audited": True})
    response["X-Shequ-Reveal"] = "audited"
    response["Cache-Control"] = "no-store"
    return response
