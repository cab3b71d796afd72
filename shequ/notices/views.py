"""通知公告 pages: the public list and detail (notices are public, like a community's notice board) and the
staff page /console/notices/ to publish and withdraw within one's areas."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.access.decorators import require_action
from shequ.access.scoping import home_area_for
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError
from shequ.geo.models import Area
from shequ.geo.picker import pick_area

from . import selectors, services


def notice_list(request: HttpRequest) -> HttpResponse:
    pick = pick_area(request.GET, default=home_area_for(request.user))
    notices = selectors.notices_for_area(area=pick.area, now=timezone.now())
    return render(request, "notices/list.html", {"pick": pick, "notices": notices})


def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get_public(pk=pk, now=timezone.now())
    return render(request, "notices/detail.html", {"notice": notice})


def _local(text: str | None) -> datetime | None:
    """A datetime-local input (YYYY-MM-DDTHH:MM) read as Shanghai time; None when empty; ValueError when bad."""
    if not text:
        return None
    return timezone.make_aware(datetime.fromisoformat(text))


def _publish_areas(user) -> list[Area]:
    """The areas offered in the form: districts, streets and communities where the user may publish."""
    allowed = services.publish_areas_query(user)
    if not allowed:
        return []
    from django.db.models import Q

    condition = Q(pk__in=[])
    for path, depth in allowed:
        condition |= Q(path__prefix=path, depth__gte=depth)
    return list(
        Area.objects.filter(condition, level__in=("city", "district", "street", "community"))
        .order_by("path")
        .only("code", "name", "level", "depth")[:2000]
    )


@require_action(Action.NOTICES_PUBLISH)
@require_http_methods(["GET", "POST"])
def console_notices(request: HttpRequest) -> HttpResponse:
    form: dict[str, str] = {"title": "", "body": "", "area": "", "published_at": "", "expires_at": ""}
    pinned = False
    fields: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        post = request.POST
        form = {
            k: (post.get(k) or "").strip() for k in ("title", "body", "area", "published_at", "expires_at")
        }
        pinned = post.get("pinned") == "1"
        try:
            data = services.NoticeData(
                title=form["title"],
                body=form["body"],
                area=form["area"],
                published_at=_local(form["published_at"]),
                expires_at=_local(form["expires_at"]),
                pinned=pinned,
            )
        except ValueError:
            fields = {"expires_at": _("Give dates as YYYY-MM-DD HH:MM.")}
        else:
            try:
                notice = services.notice_publish(actor=request.user, data=data)
            except ShequError as exc:
                fields = exc.fields
            else:
                messages.success(request, _("Notice published: %(title)s") % {"title": notice.title})
                return redirect("notices:console")
        status = 400
    page = Paginator(selectors.notice_list_for(user=request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/console.html",
        {
            "page": page,
            "areas": _publish_areas(request.user),
            "form": form,
            "pinned": pinned,
            "fields": fields,
            "now": timezone.now(),
        },
        status=status,
    )


@require_POST
@require_action(Action.NOTICES_PUBLISH)
def console_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get_for(user=request.user, pk=pk)
    try:
        services.notice_withdraw(actor=request.user, notice=notice)
    except PermissionDenied:
        messages.error(request, _("You may not withdraw this notice."))
    else:
        messages.success(request, _("Notice withdrawn."))
    return redirect("notices:console")
