"""Console pages for residents: a masked list, a reveal that asks for a purpose (htmx partial), and the .xlsx
import and masked export."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shequ.access.decorators import require_action
from shequ.access.scoping import can
from shequ.accounts.roles import Action
from shequ.core.errors import NotFound, ShequError

from . import exporting, importing, selectors, services
from .schemas import resident_out


@require_action(Action.RESIDENTS_VIEW)
def console_list(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k) or None for k in ("area", "tag", "q")}
    qs = selectors.resident_list_for(
        user=request.user, area=filters["area"], tag=filters["tag"], q=filters["q"]
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [resident_out(r, today=today, viewer=request.user) for r in page]
    services.resident_groups_viewed(actor=request.user, residents=rows, via="console")  # type: ignore[arg-type]
    return render(
        request,
        "residents/console_list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "tags": selectors.tags_for(request.user),
            "can_reveal": can(request.user, Action.RESIDENTS_REVEAL),
            "can_export": can(request.user, Action.RESIDENTS_EXPORT),
            "can_import": can(request.user, Action.RESIDENTS_IMPORT),
            # The export links carry the filters of the list the user is looking at.
            "export_query": urlencode({k: v for k, v in filters.items() if v}),
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


@never_cache
@require_action(Action.RESIDENTS_IMPORT)
def console_import(request: HttpRequest) -> HttpResponse:
    context: dict = {"columns": importing.COLUMNS, "max_rows": importing.MAX_ROWS}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("Choose an .xlsx file to import.")
        else:
            try:
                context["report"] = importing.residents_import(
                    actor=request.user,  # type: ignore[arg-type]  # require_action guarantees a signed-in user
                    fileobj=upload,
                    dry_run=bool(request.POST.get("dry_run")),
                )
            except ShequError as exc:
                context["error"] = exc.message
        if "error" in context or not context["report"].ok:
            status = 400
    return render(request, "residents/console_import.html", context, status=status)


@require_action(Action.RESIDENTS_EXPORT)
def console_export(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k) or None for k in ("area", "tag", "q")}
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("csv", "xlsx"):
        fmt = "xlsx"
    try:
        qs = selectors.resident_list_for(
            user=request.user,
            action=Action.RESIDENTS_EXPORT,
            area=filters["area"],
            tag=filters["tag"],
            q=filters["q"],
        )
    except NotFound as exc:
        raise Http404(exc.message) from None
    try:
        return exporting.residents_export(
            actor=request.user,  # type: ignore[arg-type]  # require_action guarantees a signed-in user
            qs=qs,
            fmt=fmt,
            filters=filters,
        )
    except ShequError as exc:  # too many rows: say so on a page rather than as a broken download
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
