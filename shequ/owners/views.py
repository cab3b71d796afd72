"""Pages: owners vote and check their receipts on the portal; staff keep registers, open votes, enter paper and
proxy ballots and publish results in the console. Thin: each calls a service or a selector."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.access.decorators import require_action
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError
from shequ.core.exports import export_response
from shequ.core.masking import mask_name
from shequ.core.uploads import image_check, image_response

from . import register, selectors, services
from .chain import verify_vote
from .choices import Choice, Convener, Item, Phase, VoteStatus
from .models import Ballot, BallotRecord, Document, PaperEntry, Part, RollEntry
from .results import m2, result_out
from .workflow import ACTIONS, actions_in

RESIDENT_LOGIN = "/accounts/resident/"
SHOWN_PARTS = 500  # the register page shows this many parts; the export has them all


def _choices_from(post, vote) -> dict[str, str]:
    return {str(m.position): post.get(f"m{m.position}", "") for m in vote.matters.all()}


# --- portal ----------------------------------------------------------------------------------------------------


@login_required(login_url=RESIDENT_LOGIN)
def my_votes(request: HttpRequest) -> HttpResponse:
    votes = list(selectors.my_votes(user=request.user).order_by("-opens_at")[:50])
    now = timezone.now()
    for v in votes:
        v.phase_label = Phase(services.vote_phase(v, now)).label  # type: ignore[attr-defined]
    return render(request, "owners/my_votes.html", {"votes": votes})


@login_required(login_url=RESIDENT_LOGIN)
@require_http_methods(["GET", "POST"])
def my_vote(request: HttpRequest, pk: int) -> HttpResponse:
    vote = selectors.my_vote_get(user=request.user, pk=pk)
    user = cast(User, request.user)
    if request.method == "POST":
        try:
            services.ballot_cast_online(
                user=user,
                vote=vote,
                choices=_choices_from(request.POST, vote),
                change=request.POST.get("change") == "1",
            )
        except ShequError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your ballot is recorded. Keep the receipt to check it later."))
        return redirect("owners:my_vote", pk=pk)
    persons = services.persons_of_user(user, vote)
    ballots = list(
        Ballot.objects.filter(vote=vote, person__in=persons).select_related("part").order_by("part__number")
    )
    parts = list(
        RollEntry.objects.filter(vote=vote, person__in=persons)
        .select_related("part")
        .order_by("part__number")
    )
    phase = services.vote_phase(vote)
    current = ballots[0].choices if ballots else {}
    matters = [(m, current.get(str(m.position), "")) for m in vote.matters.all()]
    return render(
        request,
        "owners/my_vote.html",
        {
            "vote": vote,
            "phase": phase,
            "phase_label": Phase(phase).label,
            "matters": matters,
            "choices": Choice.choices,
            "ballots": ballots,
            "parts": [(r.part.number, m2(r.area)) for r in parts],
            "on_roll": bool(persons),
            "open": phase == Phase.VOTING,
        },
    )


@login_required(login_url=RESIDENT_LOGIN)
def result(request: HttpRequest, pk: int) -> HttpResponse:
    vote = selectors.vote_get_for_result(user=request.user, pk=pk)
    return render(request, "owners/result.html", {"vote": vote, "result": result_out(vote)})


@login_required(login_url=RESIDENT_LOGIN)
def receipt(request: HttpRequest) -> HttpResponse:
    """An owner checks a receipt: it must be the hash of a record of his own ballots, in a chain that verifies."""
    code = (request.GET.get("code") or "").strip().lower()
    found = None
    if code:
        record = BallotRecord.objects.filter(hash=code).select_related("vote", "part").first()
        if record is not None and record.person in services.persons_of_user(request.user, record.vote):
            latest = BallotRecord.objects.filter(vote=record.vote, part=record.part).order_by("-seq").first()
            found = {
                "record": record,
                "vote": record.vote,
                "matters": [(m, record.choices.get(str(m.position))) for m in record.vote.matters.all()],
                "current": latest is not None and latest.pk == record.pk,
                "chain_ok": verify_vote(record.vote).ok,
            }
    return render(
        request, "owners/receipt.html", {"code": code, "found": found, "choice_labels": dict(Choice.choices)}
    )


# --- console -----------------------------------------------------------------------------------------------------


@require_action(Action.OWNERS_MANAGE)
def console_home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    votes = list(selectors.vote_list_for(user=request.user).order_by("-opens_at")[:100])
    for v in votes:
        v.phase_label = Phase(services.vote_phase(v, now)).label  # type: ignore[attr-defined]
    estates = list(selectors.estates_with_registers_for(user=request.user)[:200])
    return render(request, "owners/console_home.html", {"votes": votes, "estates": estates})


@require_action(Action.OWNERS_MANAGE)
@require_http_methods(["GET", "POST"])
def console_estate(request: HttpRequest, pk: int) -> HttpResponse:
    estate = selectors.estate_get_for(user=request.user, pk=pk)
    report = None
    if request.method == "POST":
        if request.POST.get("do") == "settings":
            register.estate_settings_update(
                actor=request.user, estate=estate, silent_follow_majority=request.POST.get("silent") == "1"
            )
            messages.success(request, _("Saved."))
            return redirect("owners:console_estate", pk=pk)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose an .xlsx file."))
        else:
            try:
                report = register.register_import(actor=request.user, estate=estate, fileobj=upload)
            except ShequError as exc:
                messages.error(request, exc.message)
            else:
                if report.ok:
                    messages.success(
                        request,
                        _("Imported %(parts)d parts and %(owners)d new owners.")
                        % {"parts": report.parts, "owners": report.owners},
                    )
                    return redirect("owners:console_estate", pk=pk)
    parts = selectors.part_list_for(user=request.user, estate=estate).order_by("number")
    if request.GET.get("export") in ("csv", "xlsx"):
        return export_response(
            request.GET["export"],
            filename=f"register-{estate.code}",
            headers=[
                _("Part"),
                _("Counted area (m²)"),
                _("Area source"),
                _("Owners"),
                _("Developer's unsold part"),
            ],
            rows=(
                [
                    p.number,
                    str(p.counted_area),
                    p.area_source_label,
                    "、".join(mask_name(o.name) for o in p.owners.all()),
                    _("yes") if p.developer_unsold else "",
                ]
                for p in parts.iterator(chunk_size=2000)
            ),
        )
    rows = [
        {
            "number": p.number,
            "area": p.counted_area,
            "source": p.area_source_label,
            "owners": [mask_name(o.name) for o in p.owners.all()],
            "unsold": p.developer_unsold,
        }
        for p in parts[:SHOWN_PARTS]
    ]
    # Counted only when the list shown is cut short.
    totals = len(rows) if len(rows) < SHOWN_PARTS else parts.count()
    return render(
        request,
        "owners/console_estate.html",
        {
            "estate": estate,
            "rows": rows,
            "count": totals,
            "report": report,
            "settings": register.estate_settings(estate),
            "votes": selectors.vote_list_for(user=request.user).filter(estate=estate).order_by("-opens_at"),
        },
    )


def _local(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


@require_action(Action.OWNERS_MANAGE)
@require_http_methods(["GET", "POST"])
def console_vote_new(request: HttpRequest) -> HttpResponse:
    estates = list(selectors.estates_with_registers_for(user=request.user)[:500])
    form = {
        k: request.POST.get(k, "")
        for k in ("estate", "title", "convener", "convener_name", "opens_at", "closes_at")
    }
    matters = [(request.POST.get(f"matter{i}", ""), request.POST.get(f"item{i}", "")) for i in range(1, 4)]
    error = ""
    if request.method == "POST":
        try:
            estate = selectors.estate_get_for(user=request.user, pk=int(form["estate"] or 0))
            try:
                opens_at, closes_at = _local(form["opens_at"]), _local(form["closes_at"])
            except ValueError:
                raise ShequError(_("Enter the voting window's dates and times.")) from None
            chosen = [(t, int(i)) for t, i in matters if t.strip() and i.isdigit()]
            vote = services.vote_create(
                actor=request.user,
                estate=estate,
                title=form["title"],
                convener=form["convener"],
                convener_name=form["convener_name"],
                opens_at=opens_at,
                closes_at=closes_at,
                matters=chosen,
                committee_consent=request.POST.get("committee_consent") == "1",
            )
            if request.POST.get("publish") == "1":
                services.vote_publish(actor=request.user, vote=vote)
        except ShequError as exc:
            error = exc.message
        except Http404:
            error = _("Choose an estate.")
        else:
            messages.success(request, _("The vote is created."))
            return redirect("owners:console_vote", pk=vote.pk)
    return render(
        request,
        "owners/console_vote_new.html",
        {
            "estates": estates,
            "form": form,
            "matters": matters,
            "items": Item.choices,
            "conveners": Convener.choices,
            "error": error,
            "publish": request.POST.get("publish", "1" if request.method == "GET" else ""),
            "committee_consent": request.POST.get("committee_consent") == "1",
        },
        status=400 if error else 200,
    )


@require_action(Action.OWNERS_MANAGE)
def console_vote(request: HttpRequest, pk: int) -> HttpResponse:
    return _vote_page(request, selectors.vote_get_for(user=request.user, pk=pk))


def _vote_page(request: HttpRequest, vote, *, typed: dict | None = None, status: int = 200) -> HttpResponse:
    """The console's vote page; `typed`: a paper or proxy entry refused, shown again as the clerk typed it."""
    phase = services.vote_phase(vote)
    pending = list(
        PaperEntry.objects.filter(vote=vote).select_related("part", "entered_by").order_by("created_at")[:50]
    )
    counts = {
        "parts": RollEntry.objects.filter(vote=vote).count(),
        "ballots": Ballot.objects.filter(vote=vote).count(),
        # Counted only when the list shown is cut short.
        "pending": len(pending) if len(pending) < 50 else PaperEntry.objects.filter(vote=vote).count(),
    }
    typed = typed or {}
    matters = list(vote.matters.all())
    return render(
        request,
        "owners/console_vote.html",
        {
            "vote": vote,
            "phase": phase,
            "phase_label": Phase(phase).label,
            "actions": [(a, ACTIONS[a][1]) for a in actions_in(phase)],
            "counts": counts,
            "pending": pending,
            "matters": matters,
            "typed": typed,
            "typed_matters": [(m, typed.get("choices", {}).get(str(m.position), "")) for m in matters],
            "choices": Choice.choices,
            # The page only links to the result: the live tally (the whole roll) is computed on the result page.
            "has_result": vote.status != VoteStatus.DRAFT,
        },
        status=status,
    )


@require_action(Action.OWNERS_MANAGE)
@require_POST
def console_vote_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    vote = selectors.vote_get_for(user=request.user, pk=pk)
    if action not in ACTIONS:
        raise Http404
    if action in ("paper", "proxy"):
        return _enter_ballot(request, vote, action)
    actor = request.user
    try:
        if action == "publish":
            services.vote_publish(actor=actor, vote=vote)
            messages.success(request, _("The notice is published; the register is fixed for this vote."))
        elif action == "extend":
            try:
                until = _local(request.POST.get("until", ""))
            except ValueError:
                raise ShequError(_("Enter a valid date and time.")) from None
            services.vote_extend(actor=actor, vote=vote, until=until)
            messages.success(request, _("Voting is extended."))
        elif action == "preliminary":
            days = request.POST.get("days") or "7"
            services.vote_publish_preliminary(
                actor=actor, vote=vote, objection_days=int(days) if days.isdigit() else 0
            )
            messages.success(request, _("The preliminary result is published; objections are open."))
        elif action == "finalize":
            services.vote_finalize(actor=actor, vote=vote)
            messages.success(request, _("The final result is published."))
    except ShequError as exc:
        messages.error(request, exc.message)
    return redirect("owners:console_vote", pk=vote.pk)


def _enter_ballot(request: HttpRequest, vote, action: str) -> HttpResponse:
    """A paper entry or a proxy's ballot. Refused, the page comes back with what the clerk typed (the file
    inputs excepted: a browser never refills them)."""
    actor = request.user
    number = (request.POST.get("part") or "").strip()
    choices = _choices_from(request.POST, vote)
    try:
        part = Part.objects.filter(estate=vote.estate, number=number).first()
        if part is None:
            raise ShequError(_("No part of this estate has that number."))
        if action == "paper":
            done = services.paper_entry_submit(
                actor=actor, vote=vote, part=part, choices=choices, scan=request.FILES.get("scan")
            )
            messages.success(
                request,
                _("First entry saved: a second member of staff enters the same sheet.")
                if isinstance(done, PaperEntry)
                else _("Both entries match: the paper ballot is counted."),
            )
        else:
            services.ballot_cast_proxy(
                actor=actor,
                vote=vote,
                part=part,
                choices=choices,
                proxy_name=request.POST.get("proxy_name", ""),
                authorisation=request.FILES.get("authorisation"),
            )
            messages.success(request, _("The proxy's ballot is counted."))
    except ShequError as exc:
        messages.error(request, exc.message)
        typed = {
            "action": action,
            "part": number,
            "choices": choices,
            "proxy_name": request.POST.get("proxy_name", ""),
        }
        return _vote_page(request, vote, typed=typed, status=400)
    return redirect("owners:console_vote", pk=vote.pk)


@require_action(Action.OWNERS_MANAGE)
def console_document(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(Document, pk=pk, vote__in=selectors.vote_list_for(user=request.user))
    with document.file.storage.open(document.file.name, "rb") as f:
        content = f.read()
    if image_check(content) != document.content_type:
        raise Http404
    return image_response(
        content=content, content_type=document.content_type, name=document.file.name.rsplit("/", 1)[-1]
    )
