"""The staff console for volunteer service (community workers, street officers, the city): the figures of one's
areas with the plan's targets, the volunteers (masked) and their export, teams and stations."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shequ.access.decorators import require_action
from shequ.access.scoping import scope_for
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.core.errors import NotFound, ShequError
from shequ.core.exports import export_response
from shequ.core.masking import mask_id_number, mask_name, mask_phone
from shequ.geo.models import Area

from . import selectors, services
from .choices import VolunteerStatus, availability_keys
from .forms import StationForm, TeamForm


def _root(user) -> Area:
    paths = sorted(scope_for(user, Action.VOLUNTEERS_MANAGE).paths, key=len)
    code = [c for c in paths[0].split("/") if c][-1]
    return Area.objects.get(code=code)


@require_action(Action.VOLUNTEERS_MANAGE)
def overview(request: HttpRequest) -> HttpResponse:
    area = _root(request.user)
    volunteers = selectors.volunteer_list_for(user=request.user)
    return render(
        request,
        "volunteers/console.html",
        {
            "figures": selectors.figures_for(area),
            "volunteers": list(volunteers[:200]),
            "count": volunteers.count(),
        },
    )


EXPORT_HEADERS = [
    "志愿者编号",
    "姓名",
    "身份证号",
    "手机号",
    "社区",
    "状态",
    "技能",
    "可服务时段",
    "确认时长（小时）",
    "注册时间",
]


@require_action(Action.VOLUNTEERS_MANAGE)
def export(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("csv", "xlsx"):
        raise NotFound(_("Unknown export format."))
    rows = (
        [
            v.number,
            mask_name(v.name),
            mask_id_number(v.id_number),
            mask_phone(v.phone),
            v.area.name,
            str(VolunteerStatus(v.status).label),
            "、".join(s.name for s in v.skills.all()),
            " ".join(availability_keys(v.availability)),
            v.hours,
            v.registered_at,
        ]
        for v in selectors.volunteer_list_for(user=request.user).iterator(chunk_size=500)
    )
    return export_response(fmt, filename="volunteers", headers=EXPORT_HEADERS, rows=rows)


@require_action(Action.VOLUNTEERS_MANAGE)
def teams(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        area = Area.objects.filter(code=c["area"].strip()).first()
        manager = User.objects.filter(username=c["manager"].strip()).first() if c["manager"].strip() else None
        if area is None:
            form.add_error("area", _("No area has this code."))
        elif c["manager"].strip() and manager is None:
            form.add_error("manager", _("No user has this name."))
        else:
            try:
                services.team_create(
                    actor=request.user,
                    name=c["name"],
                    area=area,
                    kind=c["kind"],
                    managers=[manager] if manager else [],
                )
            except ShequError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The team is created."))
                return redirect("volunteers:console_teams")
    return render(
        request,
        "volunteers/console_teams.html",
        {"form": form, "teams": list(selectors.team_list_for(user=request.user)[:500])},
    )


@require_action(Action.VOLUNTEERS_MANAGE)
def stations(request: HttpRequest) -> HttpResponse:
    team_rows = list(selectors.team_list_for(user=request.user)[:500])
    form = StationForm(request.POST or None, teams=team_rows)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        area = Area.objects.filter(code=c["area"].strip()).first()
        team = next((t for t in team_rows if str(t.pk) == c["team"]), None)
        if area is None:
            form.add_error("area", _("No area has this code."))
        else:
            try:
                services.station_create(
                    actor=request.user,
                    name=c["name"],
                    area=area,
                    lat=c["lat"],
                    lng=c["lng"],
                    team=team,
                    address=c["address"],
                )
            except ShequError as exc:
                form.add_error(None, exc.message)
                for text in exc.fields.values():
                    form.add_error(None, str(text))
            else:
                messages.success(request, _("The station is created."))
                return redirect("volunteers:console_stations")
    return render(
        request,
        "volunteers/console_stations.html",
        {"form": form, "stations": list(selectors.station_list_for(user=request.user)[:500])},
    )
