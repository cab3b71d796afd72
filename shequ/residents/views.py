"""Console pages for residents: a masked list, and a reveal that asks for a purpose (htmx partial)."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shequ.access.decorators import require_action
from shequ.access.scoping import can
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError

from . import selectors, services
from .models import Tag
from .schemas import resident_out


@require_action(Action.RESIDENTS_VIEW)
def console_list(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k) or None for k in ("area", "tag", "q")}
    qs = selectors.resident_list_for(
        user=request.user, area=filters["area"], tag=filters["tag"], q=filters["q"]
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [resident_out(r, today=today) for r in page]
    return render(
        request,
        "residents/console_list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "tags": Tag.objects.all(),
            "can_reveal": can(request.user, Action.RESIDENTS_REVEAL),
        },
    )


@never_cache
@require_POST
@require_action(Action.RESIDENTS_REVEAL)
def console_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    resident = selectors.resident_get_for(user=request.user, pk=pk)
    context: dict = {"resident": resident}
    try:
        context["values"] = services.resident_reveal(
            actor=request.user,  # type: ignore[arg-type]  # require_action guarantees a signed-in user
            resident=resident,
            fields=request.POST.getlist("fields") or ["phone"],
            purpose=request.POST.get("purpose", ""),
        )
    except ShequError as exc:
        context["error"] = exc.message
    except PermissionDenied:
        context["error"] = "forbidden"
    response = render(
        request,
        "residents/console_list.html#reveal-result",
        context,
        status=200 if "values" in context else 400,
    )
    if "values" in context:
        response["X-Shequ-Reveal"] = "audited"
    response["Cache-Control"] = "no-store"
    return response
