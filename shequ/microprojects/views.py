"""Pages. Portal: residents propose, vote (receipt shown once), check a receipt, follow a project; everyone reads the
disclosure (公示). Console: street and community staff open rounds, review, enter paper ballots, move phases,
record the meeting's approval, contractors, milestones, spending and acceptance. Thin: each calls a service or a
selector; a refused form comes back with what was typed and the message."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shequ.access.decorators import require_action
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError
from shequ.core.uploads import image_check, image_response

from . import selectors, services
from .choices import PHASE_ORDER, BallotKind, Eligibility, Method, Phase
from .models import Ballot, Photo, Proposal
from .results import result_out
from .workflow import actions_in

RESIDENT_LOGIN = "/accounts/resident/"


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def _phase_rows(rnd):
    current = PHASE_ORDER.index(rnd.phase)
    return [
        {"plan": p, "label": Phase(p.phase).label, "done": i < current, "current": i == current}
        for i, p in enumerate(services.phase_plan(rnd))
    ]


def _next_label(rnd) -> str:
    target = services.next_phase(rnd)
    return str(Phase(target).label) if target else ""


def _spending_rows(rnd):
    return list(rnd.projects.select_related("proposal").order_by("pk"))


# --- portal ----------------------------------------------------------------------------------------------------


@login_required(login_url=RESIDENT_LOGIN)
def my_rounds(request: HttpRequest) -> HttpResponse:
    rounds = list(selectors.my_rounds(user=request.user).order_by("-year", "-pk")[:50])
    disclosed = list(selectors.disclosed_rounds().order_by("-year", "-pk")[:20])
    return render(
        request,
        "microprojects/my_rounds.html",
        {
            "rounds": rounds,
            "disclosed": disclosed,
            "verified": services.resident_of(request.user) is not None,
        },
    )


@login_required(login_url=RESIDENT_LOGIN)
@require_http_methods(["GET", "POST"])
def my_round(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = selectors.my_round_get(user=request.user, pk=pk)
    typed: dict = {}
    receipt = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("do")
        try:
            if action == "propose":
                typed = {
                    "title": request.POST.get("title", ""),
                    "description": request.POST.get("description", ""),
                }
                services.proposal_submit(user=request.user, rnd=rnd, **typed)
                messages.success(request, _("Your proposal is received. Staff will review it."))
                return redirect("microprojects:my_round", pk=pk)
            if action == "vote":
                typed = {"choices": [_int(c) for c in request.POST.getlist("choices")]}
                ballot = services.ballot_cast_online(
                    user=request.user, rnd=rnd, choices=request.POST.getlist("choices")
                )
                receipt = ballot.receipt
                messages.success(
                    request, _("Your ballot is counted. Keep the receipt code to check it later.")
                )
            else:
                raise Http404
        except ShequError as exc:
            messages.error(request, exc.message)
            status = 400 if exc.status < 409 else exc.status
        rnd.refresh_from_db()
    proposals = list(rnd.proposals.order_by("pk"))
    ballot_items = [p for p in proposals if p.status == "feasible"]
    context = {
        "rnd": rnd,
        "phases": _phase_rows(rnd),
        "proposals": proposals,
        "ballot_items": ballot_items,
        "my_proposals": [p for p in proposals if p.author_id == request.user.pk],
        "voted": services.has_voted(request.user, rnd),
        "receipt": receipt,
        "typed": typed,
        "result": result_out(rnd),
        "projects": _spending_rows(rnd),
        "collecting": rnd.phase == Phase.COLLECT,
        "voting": rnd.phase == Phase.VOTE,
        "knapsack": rnd.ballot_kind == BallotKind.KNAPSACK,
    }
    return render(request, "microprojects/my_round.html", context, status=status)


@login_required(login_url=RESIDENT_LOGIN)
def receipt(request: HttpRequest) -> HttpResponse:
    """A voter checks a receipt: the ballot with that code is in its round's chain and counted. The page shows the
    choices of that ballot only to whoever holds its code."""
    code = (request.GET.get("code") or "").strip().lower()
    found = None
    if code:
        ballot = Ballot.objects.filter(receipt=code).select_related("round").first()
        if ballot is not None:
            from .chain import verify_round

            titles = dict(Proposal.objects.filter(round=ballot.round).values_list("pk", "title"))
            found = {
                "ballot": ballot,
                "titles": [titles.get(c, "") for c in ballot.choices],
                "chain_ok": verify_round(ballot.round).ok,
            }
    return render(request, "microprojects/receipt.html", {"code": code, "found": found})


def disclosure(request: HttpRequest, pk: int) -> HttpResponse:
    """公示: public once the result is published — the result with its method and denominators, then each project's
    budget, contractor, progress, money spent and acceptance."""
    rnd = get_object_or_404(selectors.Round.objects.select_related("area").exclude(result=None), pk=pk)
    projects = list(
        rnd.projects.select_related("proposal__need", "acceptance")
        .prefetch_related("spendings")
        .order_by("pk")
    )
    return render(
        request,
        "microprojects/disclosure.html",
        {
            "rnd": rnd,
            "phases": _phase_rows(rnd),
            "result": result_out(rnd),
            "projects": projects,
            "budget_spent": sum(p.spent for p in projects),
            "approved_total": sum(p.budget for p in projects),
        },
    )


def project(request: HttpRequest, pk: int) -> HttpResponse:
    """A project followed from its need to its acceptance: public, like the disclosure it belongs to."""
    item = selectors.public_project_get(pk=pk)
    acceptance = getattr(item, "acceptance", None) if hasattr(item, "acceptance") else None
    return render(
        request,
        "microprojects/project.html",
        {
            "project": item,
            "rnd": item.round,
            "milestones": list(item.milestones.order_by("on", "pk")),
            "spendings": list(item.spendings.order_by("on", "pk")),
            "acceptance": acceptance,
            "photos": list(acceptance.photos.all()) if acceptance else [],
            "left": item.budget - item.spent,
        },
    )


def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """An acceptance photo, served as the image it is (never as a page), like the project it documents."""
    item = get_object_or_404(Photo, pk=pk)
    with item.file.storage.open(item.file.name, "rb") as f:
        content = f.read()
    if image_check(content) != item.content_type:
        raise Http404
    response = image_response(
        content=content, content_type=item.content_type, name=item.file.name.rsplit("/", 1)[-1]
    )
    return response


# --- console -----------------------------------------------------------------------------------------------------


@require_action(Action.MICROPROJECTS_MANAGE)
@require_http_methods(["GET", "POST"])
def console_home(request: HttpRequest) -> HttpResponse:
    areas = list(selectors.areas_for(user=request.user)[:300])
    typed: dict = {}
    status = 200
    if request.method == "POST":
        typed = {
            k: request.POST.get(k, "")
            for k in (
                "area",
                "year",
                "title",
                "budget",
                "ballot_kind",
                "method",
                "eligibility",
                "max_approvals",
            )
        }
        area = next((a for a in areas if str(a.pk) == typed["area"]), None)
        try:
            if area is None:
                raise ShequError(
                    _("Choose a street or community of your areas."), fields={"area": "required"}
                )
            rnd = services.round_create(
                actor=request.user,
                area=area,
                year=_int(typed["year"], 0),
                title=typed["title"],
                budget=_int(typed["budget"], 0),
                ballot_kind=typed["ballot_kind"],
                method=typed["method"],
                eligibility=typed["eligibility"],
                max_approvals=_int(typed["max_approvals"], 0),
            )
        except ShequError as exc:
            messages.error(request, exc.message)
            status = 400 if exc.status < 409 else exc.status
        else:
            messages.success(request, _("The round is open for proposals."))
            return redirect("microprojects:console_round", pk=rnd.pk)
    rounds = list(selectors.round_list_for(user=request.user).order_by("-year", "-pk")[:100])
    return render(
        request,
        "microprojects/console_home.html",
        {
            "rounds": rounds,
            "areas": areas,
            "typed": typed,
            "kinds": BallotKind.choices,
            "methods": Method.choices,
            "eligibilities": Eligibility.choices,
            "this_year": timezone.localdate().year,
        },
        status=status,
    )


@require_action(Action.MICROPROJECTS_MANAGE)
@require_http_methods(["GET", "POST"])
def console_round(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = selectors.round_get_for(user=request.user, pk=pk)
    typed: dict = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("do", "")
        if action not in actions_in(rnd.phase):
            raise Http404
        typed = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        try:
            if action == "advance":
                rnd = services.round_advance(actor=request.user, rnd=rnd)
                messages.success(
                    request, _("The round moved to “%(phase)s”.") % {"phase": Phase(rnd.phase).label}
                )
            elif action == "review":
                proposal = get_object_or_404(Proposal, pk=_int(request.POST.get("proposal"), 0), round=rnd)
                services.proposal_review(
                    actor=request.user,
                    proposal=proposal,
                    feasible=request.POST.get("feasible") == "1",
                    price=_int(request.POST.get("price")),
                    feasibility=request.POST.get("feasibility", ""),
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("The review is recorded."))
            elif action == "paper":
                outcome = services.paper_entry_submit(
                    actor=request.user,
                    rnd=rnd,
                    batch=request.POST.get("batch", ""),
                    sheet=request.POST.get("sheet", ""),
                    id_number=request.POST.get("id_number", ""),
                    choices=request.POST.getlist("choices"),
                )
                if isinstance(outcome, Ballot):
                    messages.success(request, _("Both entries agree: the paper ballot is counted."))
                else:
                    messages.success(
                        request, _("First entry saved. Another member of staff must enter the same sheet.")
                    )
            elif action == "approve":
                services.round_approve(
                    actor=request.user,
                    rnd=rnd,
                    meeting_date=_date(request.POST.get("meeting_date")),  # type: ignore[arg-type]
                    minutes=request.POST.get("minutes", ""),
                )
                messages.success(
                    request, _("The meeting's approval is recorded: the winners are projects now.")
                )
        except ShequError as exc:
            messages.error(request, exc.message)
            status = 400 if exc.status < 409 else exc.status
        else:
            return redirect("microprojects:console_round", pk=rnd.pk)
        typed.pop("id_number", None)  # never sent back to the page
    rnd.refresh_from_db()
    return render(
        request,
        "microprojects/console_round.html",
        {
            "rnd": rnd,
            "phases": _phase_rows(rnd),
            "proposals": list(rnd.proposals.select_related("need").order_by("pk")),
            "ballot_items": list(rnd.proposals.filter(status="feasible").order_by("pk")),
            "actions": actions_in(rnd.phase),
            "next_label": _next_label(rnd),
            "pending_paper": list(rnd.paper_entries.order_by("batch", "sheet")),
            "participants": rnd.participations.count(),
            "result": result_out(rnd),
            "projects": _spending_rows(rnd),
            "typed": typed,
        },
        status=status,
    )


@require_action(Action.MICROPROJECTS_MANAGE)
@require_http_methods(["GET", "POST"])
def console_project(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.project_get_for(user=request.user, pk=pk)
    typed: dict = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("do", "")
        typed = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        try:
            if action == "contractor":
                services.project_update(
                    actor=request.user, project=item, contractor=request.POST.get("contractor", "")
                )
            elif action == "milestone":
                services.milestone_add(
                    actor=request.user,
                    project=item,
                    title=request.POST.get("title", ""),
                    progress=_int(request.POST.get("progress"), -1),
                    on=_date(request.POST.get("on")) or timezone.localdate(),
                )
            elif action == "spending":
                services.spending_record(
                    actor=request.user,
                    project=item,
                    amount=_int(request.POST.get("amount"), 0),
                    purpose=request.POST.get("purpose", ""),
                    on=_date(request.POST.get("on")) or timezone.localdate(),
                )
            elif action == "acceptance":
                services.acceptance_record(
                    actor=request.user,
                    project=item,
                    representatives=request.POST.get("representatives", ""),
                    rating=_int(request.POST.get("rating"), 0),
                    accepted=request.POST.get("accepted") == "1",
                    opinion=request.POST.get("opinion", ""),
                    on=_date(request.POST.get("on")) or timezone.localdate(),
                    photos=request.FILES.getlist("photos"),
                )
            else:
                raise Http404
        except ShequError as exc:
            messages.error(request, exc.message)
            status = 400 if exc.status < 409 else exc.status
        else:
            messages.success(request, _("Saved."))
            return redirect("microprojects:console_project", pk=item.pk)
        item.refresh_from_db()
    acceptance = getattr(item, "acceptance", None) if hasattr(item, "acceptance") else None
    return render(
        request,
        "microprojects/console_project.html",
        {
            "project": item,
            "rnd": item.round,
            "milestones": list(item.milestones.order_by("on", "pk")),
            "spendings": list(item.spendings.order_by("on", "pk")),
            "acceptance": acceptance,
            "photos": list(acceptance.photos.all()) if acceptance else [],
            "typed": typed,
            "implementing": item.round.phase == Phase.IMPLEMENT,
            "spending_open": item.round.phase in (Phase.IMPLEMENT, Phase.ACCEPT),
            "accepting": item.round.phase == Phase.ACCEPT and acceptance is None,
            "left": item.budget - item.spent,
            "today": timezone.localdate().isoformat(),
        },
        status=status,
    )
