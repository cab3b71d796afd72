"""Pages of volunteer service: the portal (residents, elder mode included), the organisers' pages (team managers
and staff with volunteers.manage) and the public team, station and certificate pages. Thin: parse → service or
selector → page; out of scope is 404 like missing."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.forms import BaseFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.access.scoping import home_area_for
from shequ.core.errors import NotFound, ShequError
from shequ.core.qr import qr_svg
from shequ.geo.models import Area

from . import pdf, qr, selectors, services
from .choices import HOURS_BADGES, SIGNUP_BADGES, HoursStatus, SignupStatus, availability_from_keys
from .forms import SHIFT_PREFIX, ActivityForm, RecordEntryForm, RegisterForm, ShiftFormSet, TimesForm
from .models import Activity, Certificate, HoursRecord, Shift, Signup, Team

RESIDENT_LOGIN = "/accounts/resident/"


def _error(request: HttpRequest, exc: ShequError) -> None:
    messages.error(request, exc.message)


# --- the portal ----------------------------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    volunteer = selectors.volunteer_for(request.user)
    now = timezone.now()
    context: dict[str, object] = {
        "volunteer": volunteer,
        "activities": list(selectors.activity_list_public(now=now)[:8]),
        "organiser": selectors.is_organiser(request.user),
    }
    if volunteer is not None:
        context["stars"] = selectors.stars_for(volunteer)
        context["signups"] = list(
            selectors.my_signups(volunteer)
            .filter(shift__ends_at__gt=now)
            .exclude(status=SignupStatus.CANCELLED)[:20]
        )
        context["badges"] = SIGNUP_BADGES
    return render(request, "volunteers/home.html", context)


def _communities_near(request: HttpRequest) -> list[Area]:
    home_area = home_area_for(request.user)
    qs = Area.objects.filter(level="community")
    if home_area is not None and home_area.parent_id:
        street_path = home_area.path if home_area.level == "street" else None
        street = home_area
        while street.level not in ("street", "district", "city") and street.parent_id:
            street = street.parent  # type: ignore[assignment]
        street_path = street.path
        return list(qs.filter(path__startswith=street_path).order_by("code"))
    return list(qs.filter(parent__parent__code="440304").order_by("code")[:200])


@login_required(login_url=RESIDENT_LOGIN)
def register(request: HttpRequest) -> HttpResponse:
    if selectors.volunteer_for(request.user) is not None:
        return redirect("volunteers:home")
    communities = _communities_near(request)
    form = RegisterForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        data = services.RegistrationData(
            name=c["name"],
            id_number=c["id_number"],
            phone=c["phone"],
            area=c["area"],
            emergency_name=c["emergency_name"],
            emergency_phone=c["emergency_phone"],
            skills=c["skills"],
            availability=availability_from_keys(c["availability"]),
            guardian_name=c["guardian_name"],
            guardian_phone=c["guardian_phone"],
            guardian_consent=c["guardian_consent"],
        )
        try:
            services.volunteer_register(actor=request.user, data=data)  # type: ignore[arg-type]
        except ShequError as exc:
            # Personal values refused are not shown back (masked everywhere).
            form.data = form.data.copy()  # type: ignore[attr-defined]
            for key in ("id_number", "phone", "emergency_phone", "guardian_phone"):
                form.data[key] = ""  # type: ignore[index]
            form.add_error(None, exc.message)
            for name, text in exc.fields.items():
                form.add_error(name if name in form.fields else None, str(text))
        else:
            messages.success(request, _("You are registered as a volunteer."))
            return redirect("volunteers:home")
    elif request.method == "POST":
        form.data = form.data.copy()  # type: ignore[attr-defined]
        for key in ("id_number", "phone", "emergency_phone", "guardian_phone"):
            form.data[key] = ""  # type: ignore[index]
    return render(request, "volunteers/register.html", {"form": form})


def activity_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "volunteers/activity_list.html", {"activities": list(selectors.activity_list_public()[:100])}
    )


def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_public(pk=pk)
    volunteer = selectors.volunteer_for(request.user)
    mine = {}
    if volunteer is not None:
        mine = {
            s.shift_id: s
            for s in volunteer.signups.filter(shift__activity=activity).exclude(status=SignupStatus.CANCELLED)
        }
    shifts = selectors.shifts_of(activity)
    now = timezone.now()
    rows = [{"shift": s, "mine": mine.get(s.pk), "open": s.starts_at > now} for s in shifts]
    return render(
        request,
        "volunteers/activity_detail.html",
        {"activity": activity, "rows": rows, "volunteer": volunteer, "badges": SIGNUP_BADGES},
    )


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def signup(request: HttpRequest, pk: int) -> HttpResponse:
    shift = Shift.objects.filter(pk=pk).select_related("activity").first()
    if shift is None or shift.activity.status != "published":
        raise NotFound(_("No shift with this id."))
    try:
        s = services.signup_create(
            actor=request.user,  # type: ignore[arg-type]
            shift=shift,
            waitlist=request.POST.get("waitlist") == "1",
        )
    except ShequError as exc:
        if exc.code == "not_registered":
            return redirect("volunteers:register")
        _error(request, exc)
    else:
        messages.success(request, str(SignupStatus(s.status).label))
    return redirect("volunteers:activity", pk=shift.activity_id)


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def signup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    s = selectors.my_signup_get(user=request.user, pk=pk)
    try:
        services.signup_cancel(actor=request.user, signup=s)  # type: ignore[arg-type]
        messages.success(request, _("Your sign-up is cancelled."))
    except ShequError as exc:
        _error(request, exc)
    return redirect("volunteers:activity", pk=s.shift.activity_id)


@login_required(login_url=RESIDENT_LOGIN)
def scan(request: HttpRequest, token: str) -> HttpResponse:
    """Opened by the phone's camera from the shift's QR code: one tap checks in (or out)."""
    result = None
    if request.method == "POST":
        try:
            result = services.attendance_scan(actor=request.user, token=token)  # type: ignore[arg-type]
        except ShequError as exc:
            _error(request, exc)
    shift = None
    try:
        shift = Shift.objects.filter(pk=qr.token_shift_id(token)).select_related("activity").first()
    except qr.TokenError:
        shift = None
    return render(request, "volunteers/scan.html", {"token": token, "shift": shift, "result": result})


@login_required(login_url=RESIDENT_LOGIN)
def my_hours(request: HttpRequest) -> HttpResponse:
    volunteer = selectors.volunteer_for(request.user)
    if volunteer is None:
        return redirect("volunteers:register")
    now = timezone.now()
    # 补录 is offered only where the shift has time left to record (the service refuses the rest).
    recorded = selectors.my_recorded_minutes(volunteer)
    past_signups = [
        s
        for s in selectors.my_signups(volunteer).filter(
            status=SignupStatus.CONFIRMED, shift__starts_at__lt=now
        )
        if recorded.get(s.shift_id, 0) < s.shift.minutes
    ][:20]
    return render(
        request,
        "volunteers/my_hours.html",
        {
            "volunteer": volunteer,
            "records": list(selectors.my_hours(volunteer)[:200]),
            "badges": HOURS_BADGES,
            "past_signups": past_signups,
            "disputable": (HoursStatus.PENDING, HoursStatus.REJECTED),
            "stars": selectors.stars_for(volunteer),
            "teams": selectors.teams_with_my_hours(volunteer),
            "certificates": list(volunteer.certificates.select_related("team")[:20]),
            "entries": list(volunteer.entries.all()[:20]),
        },
    )


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def hours_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.my_record_get(user=request.user, pk=pk)
    try:
        minutes = int(request.POST.get("minutes") or 0)
    except ValueError:
        minutes = 0
    try:
        services.hours_dispute(
            actor=request.user,  # type: ignore[arg-type]
            record=record,
            reason=request.POST.get("reason", ""),
            minutes=minutes,
        )
        messages.success(request, _("Your dispute is sent to the organiser."))
    except ShequError as exc:
        _error(request, exc)
    return redirect("volunteers:my_hours")


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def makeup(request: HttpRequest, pk: int) -> HttpResponse:
    s = selectors.my_signup_get(user=request.user, pk=pk)
    form = TimesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day, from and until."))
        return redirect("volunteers:my_hours")
    start, end = form.times()
    try:
        services.makeup_request(
            actor=request.user,  # type: ignore[arg-type]
            signup=s,
            started_at=start,
            ended_at=end,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Your request to record the hours afterwards waits for approval."))
    except ShequError as exc:
        _error(request, exc)
    return redirect("volunteers:my_hours")


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def certificate_issue(request: HttpRequest) -> HttpResponse:
    team = (
        Team.objects.filter(pk=request.POST.get("team") or 0).first()
        if (request.POST.get("team") or "").isdigit()
        else None
    )
    if team is None:
        raise NotFound(_("No team with this id."))
    try:
        certificate = services.certificate_issue(actor=request.user, team=team)  # type: ignore[arg-type]
        messages.success(request, _("Certificate %(code)s is issued.") % {"code": certificate.code})
    except ShequError as exc:
        _error(request, exc)
    return redirect("volunteers:my_hours")


@login_required(login_url=RESIDENT_LOGIN)
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = (
        Certificate.objects.filter(pk=pk, volunteer__user_id=request.user.pk or 0)
        .select_related("volunteer", "team__area")
        .first()
    )
    if certificate is None:
        raise NotFound(_("No certificate with this id."))
    verify_url = request.build_absolute_uri(f"/volunteers/verify/{certificate.code}/")
    body = pdf.certificate_pdf(certificate, verify_url=verify_url)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def verify(request: HttpRequest, code: str = "") -> HttpResponse:
    code = (code or request.GET.get("code") or "").strip()
    certificate, missing = None, False
    if code:
        try:
            certificate = selectors.certificate_by_code(code[:16])
        except NotFound:
            missing = True
    return render(
        request, "volunteers/verify.html", {"certificate": certificate, "missing": missing, "code": code[:16]}
    )


def team_page(request: HttpRequest, pk: int) -> HttpResponse:
    team = selectors.team_get_public(pk=pk)
    now = timezone.now()
    volunteer = selectors.volunteer_for(request.user)
    return render(
        request,
        "volunteers/team.html",
        {
            "team": team,
            "activities": list(
                team.activities.filter(status="published", ends_at__gt=now).order_by("starts_at")[:20]
            ),
            "stations": list(team.stations.select_related("area")),
            "past": team.activities.filter(status="published", ends_at__lte=now).count(),
            "members": selectors.team_member_count(team),
            "volunteer": volunteer,
            "membership": selectors.my_membership(volunteer, team),
            "organiser": request.user.is_authenticated and services.may_organise(request.user, team),
        },
    )


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def team_membership(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Join a team as a member from its page, or leave it."""
    team = selectors.team_get_public(pk=pk)
    if action not in ("join", "leave"):
        raise NotFound(_("Not found."))
    try:
        if action == "join":
            services.team_member_join(actor=request.user, team=team)  # type: ignore[arg-type]
            messages.success(request, _("You joined %(team)s.") % {"team": team.name})
        else:
            services.team_member_leave(actor=request.user, team=team)  # type: ignore[arg-type]
            messages.success(request, _("You left %(team)s.") % {"team": team.name})
    except ShequError as exc:
        if exc.code == "not_registered":
            return redirect("volunteers:register")
        _error(request, exc)
    return redirect("volunteers:team", pk=team.pk)


def station_page(request: HttpRequest, pk: int) -> HttpResponse:
    station = selectors.station_get_public(pk=pk)
    now = timezone.now()
    activities = list(
        Activity.objects.filter(station=station, status="published", ends_at__gt=now).order_by("starts_at")[
            :20
        ]
    )
    return render(request, "volunteers/station.html", {"station": station, "activities": activities})


# --- organisers ----------------------------------------------------------------------------------------------------


def organiser_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and a team's manager or staff with volunteers.manage; else 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), RESIDENT_LOGIN)
        if not selectors.is_organiser(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@organiser_required
def organise(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    activities = selectors.activity_list_for_organiser(user=request.user)
    return render(
        request,
        "volunteers/organise.html",
        {
            "upcoming": list(activities.filter(ends_at__gt=now).order_by("starts_at")[:50]),
            "past": list(activities.filter(ends_at__lte=now).order_by("-starts_at")[:20]),
            "waiting": list(selectors.records_waiting_for(user=request.user)[:100]),
            "pending_signups": list(
                Signup.objects.filter(
                    shift__activity__in=activities, status=SignupStatus.PENDING
                ).select_related("shift__activity", "volunteer")[:100]
            ),
            "teams": list(selectors.teams_organised_by(request.user)[:50]),
        },
    )


def _shift_rows(data, *, adding: bool) -> BaseFormSet:
    """The shift rows of the publish form; "add a shift" posts the form back with one more empty row."""
    if data is None:
        return ShiftFormSet(prefix=SHIFT_PREFIX)
    if adding:
        data = data.copy()
        key = f"{SHIFT_PREFIX}-TOTAL_FORMS"
        rows = int(data.get(key) or 1) if str(data.get(key) or "1").isdigit() else 1
        data[key] = str(min(rows + 1, 20))
    return ShiftFormSet(data, prefix=SHIFT_PREFIX)


@organiser_required
def activity_new(request: HttpRequest) -> HttpResponse:
    """Publish an activity with one or more shifts (a row per shift; "add a shift" adds a row)."""
    teams = list(selectors.teams_organised_by(request.user)[:200])
    posted = request.POST if request.method == "POST" else None
    adding = posted is not None and "add_shift" in posted
    form = ActivityForm(posted, teams=teams)
    rows = _shift_rows(posted, adding=adding)
    if posted is not None and not adding and form.is_valid() and rows.is_valid():
        c = form.cleaned_data
        team = selectors.team_get_for_organiser(user=request.user, pk=int(c["team"]))
        shifts = []
        for row in rows:
            if not row.has_changed() and row.empty_permitted:
                continue  # an extra row left empty
            start, end = row.times()
            shifts.append(
                services.ShiftData(
                    place=row.cleaned_data["place"],
                    starts_at=start,
                    ends_at=end,
                    capacity=row.cleaned_data["capacity"],
                    skills=row.cleaned_data["skills"],
                )
            )
        try:
            activity = services.activity_create(
                actor=request.user,
                team=team,
                title=c["title"],
                description=c["description"],
                is_group=c["is_group"],
                requires_approval=c["requires_approval"],
                cancel_hours=c["cancel_hours"],
                shifts=shifts,
            )
        except ShequError as exc:
            form.add_error(None, exc.message)
            for text in exc.fields.values():
                form.add_error(None, str(text))
        else:
            messages.success(request, _("The activity is published."))
            return redirect("volunteers:organise_activity", pk=activity.pk)
    return render(
        request,
        "volunteers/activity_new.html",
        {"form": form, "rows": rows, "show_errors": posted is not None and not adding},
    )


@organiser_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel an activity before it begins: the volunteers who signed up are told."""
    activity = selectors.activity_get_for_organiser(user=request.user, pk=pk)
    try:
        services.activity_cancel(actor=request.user, activity=activity, reason=request.POST.get("reason", ""))
        messages.success(request, _("The activity is cancelled; the volunteers who signed up are told."))
    except ShequError as exc:
        _error(request, exc)
    return redirect("volunteers:organise_activity", pk=activity.pk)


@organiser_required
def team_records(request: HttpRequest, pk: int) -> HttpResponse:
    """The team's people, and training, awards and evaluations recorded for them (MCA order 67 Art. 6)."""
    team = selectors.team_get_for_organiser(user=request.user, pk=pk)
    people = selectors.team_people(team)
    form = RecordEntryForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        volunteer = next(v for v in people if str(v.pk) == c["volunteer"])
        try:
            services.record_entry_add(
                actor=request.user,
                volunteer=volunteer,
                kind=c["kind"],
                title=c["title"],
                on=c["on"],
                team=team,
                detail=c["detail"],
                minutes=c["minutes"] or 0,
                rating=c["rating"],
            )
        except ShequError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Recorded in the volunteer's record."))
            return redirect("volunteers:team_records", pk=team.pk)
    return render(
        request,
        "volunteers/team_records.html",
        {
            "team": team,
            "form": form,
            "people": people,
            "entries": selectors.team_entries(team, people=people),
            "members": selectors.team_member_count(team),
        },
    )


@organiser_required
def organise_activity(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_organiser(user=request.user, pk=pk)
    shifts = [
        {
            "shift": s,
            "roster": selectors.roster_of(s),
        }
        for s in selectors.shifts_of(activity)
    ]
    records = list(
        HoursRecord.objects.filter(activity=activity)
        .select_related("volunteer", "shift")
        .order_by("started_at")
    )
    return render(
        request,
        "volunteers/organise_activity.html",
        {
            "activity": activity,
            "shifts": shifts,
            "records": records,
            "badges": SIGNUP_BADGES,
            "hours_badges": HOURS_BADGES,
            "waiting": (HoursStatus.PENDING, HoursStatus.DISPUTED),
            "now": timezone.now(),
        },
    )


@organiser_required
def shift_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's screen: the shift's rotating code, refreshed every 20 seconds (htmx re-renders the partial)."""
    shift = selectors.shift_get_for_organiser(user=request.user, pk=pk)
    token = qr.shift_token(shift)
    url = request.build_absolute_uri(qr.scan_path(token))
    context = {"shift": shift, "url": url, "svg": qr_svg(url, scale=6)}
    if request.headers.get("HX-Request"):
        return render(request, "volunteers/shift_qr.html#code", context)
    return render(request, "volunteers/shift_qr.html", context)


@organiser_required
@require_POST
def signup_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    s = selectors.signup_get_for_organiser(user=request.user, pk=pk)
    if action not in ("approve", "refuse"):
        raise NotFound(_("Not found."))
    try:
        services.signup_decide(actor=request.user, signup=s, approve=action == "approve")  # type: ignore[arg-type]
    except ShequError as exc:
        _error(request, exc)
    return redirect("volunteers:organise_activity", pk=s.shift.activity_id)


@organiser_required
@require_POST
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    s = selectors.signup_get_for_organiser(user=request.user, pk=pk)
    form = TimesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day, from and until."))
    else:
        start, end = form.times()
        try:
            services.attendance_roster(actor=request.user, signup=s, started_at=start, ended_at=end)  # type: ignore[arg-type]
            messages.success(request, _("The time is recorded; confirm it below."))
        except ShequError as exc:
            _error(request, exc)
    return redirect("volunteers:organise_activity", pk=s.shift.activity_id)


@organiser_required
@require_POST
def hours_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    record = selectors.record_get_for_organiser(user=request.user, pk=pk)
    if action not in ("confirm", "reject"):
        raise NotFound(_("Not found."))
    try:
        if action == "confirm":
            services.hours_confirm(actor=request.user, record=record)  # type: ignore[arg-type]
            messages.success(request, _("The hours are confirmed."))
        else:
            services.hours_reject(actor=request.user, record=record, note=request.POST.get("note", ""))  # type: ignore[arg-type]
            messages.success(request, _("The hours are not confirmed."))
    except ShequError as exc:
        _error(request, exc)
    if request.POST.get("back") == "organise":
        return redirect("volunteers:organise")
    return redirect("volunteers:organise_activity", pk=record.activity_id)
