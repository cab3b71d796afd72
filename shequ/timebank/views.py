"""The resident's pages of the time bank (portal, elder mode included): the account, transfers and donations,
family links, help requests (asking and helping) and the 爱心超市. Thin: form → services → page; every write
is a POST; refusals are shown in Chinese and write nothing."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.accounts.models import User
from shequ.core.errors import ShequError
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from . import selectors, services, workflow
from .choices import HELP_BADGE, HelpKind, HelpStatus
from .ledger import format_credits
from .rules import home_community, rule_for

RESIDENT_LOGIN = "/accounts/resident/"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _error(request: HttpRequest, e: ShequError) -> None:
    messages.error(request, e.message)


@login_required(login_url=RESIDENT_LOGIN)
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    mine = selectors.account_of(user)
    area = mine.area if mine is not None else home_community(user)
    return render(
        request,
        "timebank/account.html",
        {
            "account": mine,
            "area": area,
            "rule": rule_for(area),
            "movements": selectors.movements_of(mine, limit=30),
            "family": selectors.family_of(user),
            "waiting": list(selectors.links_waiting_for(user)),
        },
    )


@login_required(login_url=RESIDENT_LOGIN)
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    family = [m for m in selectors.family_accounts(user) if m.user.pk != user.pk]
    home = home_community(user)
    form = {k: request.POST.get(k, "") for k in ("to", "amount", "memo", "elder_phone")}
    form["pool"] = request.POST.get("pool", home.code if home is not None else "")
    # The family member chosen, as the radio's value compares in the template (what was typed survives an error).
    form["family"] = form["to"].removeprefix("family:") if form["to"].startswith("family:") else ""
    if request.method == "POST":
        try:
            minutes = services.minutes_of(form["amount"])
            to = form["to"]
            memo = form["memo"][:200]
            if to.startswith("family:"):
                member = next((m for m in family if str(m.user.pk) == to.split(":", 1)[1]), None)
                if member is None:
                    raise ShequError(_("Credits go only to a family member: declare the family link first."))
                target = member.account or services.account_open(user=member.user)
                services.timebank_transfer_to_family(
                    actor=user, to_account=target, minutes=minutes, memo=memo
                )
                messages.success(
                    request,
                    _("%(amount)s 时间币 went to your %(relation)s.")
                    % {"amount": format_credits(minutes), "relation": member.relation},
                )
            elif to == "pool":
                pool = Area.objects.filter(code=form["pool"].strip(), level=AreaLevel.COMMUNITY).first()
                if pool is None:
                    raise ShequError(_("Choose a community."))
                services.timebank_donate(actor=user, minutes=minutes, pool_area=pool, memo=memo)
                messages.success(
                    request,
                    _("You donated %(amount)s 时间币 to %(pool)s.")
                    % {"amount": format_credits(minutes), "pool": f"{pool.name}互助池"},
                )
            elif to == "elder":
                services.timebank_donate(
                    actor=user, minutes=minutes, elder_phone=form["elder_phone"], memo=memo
                )
                messages.success(
                    request,
                    _("You donated %(amount)s 时间币 to an elderly resident.")
                    % {"amount": format_credits(minutes)},
                )
            else:
                raise ShequError(_("Choose whom the credits go to."))
        except ShequError as e:
            _error(request, e)
        else:
            return redirect("timebank:account")
    mine = selectors.account_of(user)
    communities = (
        Area.objects.filter(level=AreaLevel.COMMUNITY, parent=home.parent) if home and home.parent else []
    )
    return render(
        request,
        "timebank/transfer.html",
        {"family": family, "form": form, "account": mine, "communities": communities},
        status=400 if request.method == "POST" else 200,
    )


@login_required(login_url=RESIDENT_LOGIN)
@require_http_methods(["GET", "POST"])
def family(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = {"phone": request.POST.get("phone", ""), "relation": request.POST.get("relation", "")}
    if request.method == "POST":
        try:
            link = services.family_link_declare(actor=user, phone=form["phone"], relation=form["relation"])
        except ShequError as e:
            _error(request, e)
        else:
            if link.status == "confirmed":
                messages.success(request, _("Family link confirmed: you live in the same household."))
            else:
                messages.success(
                    request, _("Family link declared: it counts once your family member confirms it.")
                )
            return redirect("timebank:family")
    return render(
        request,
        "timebank/family.html",
        {
            "family": selectors.family_of(user),
            "waiting": list(selectors.links_waiting_for(user)),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def family_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    link = selectors.family_link_get_for(user=request.user, pk=pk)
    services.family_link_confirm(actor=_user(request), link=link)
    messages.success(request, _("Family link confirmed."))
    return redirect("timebank:family")


@login_required(login_url=RESIDENT_LOGIN)
@require_http_methods(["GET", "POST"])
def help_list(request: HttpRequest) -> HttpResponse:
    """The resident's help requests (asked and accepted) and the form to ask for help."""
    user = _user(request)
    form = {k: request.POST.get(k, "") for k in ("kind", "description", "amount")}
    if request.method == "POST":
        try:
            minutes = services.minutes_of(form["amount"])
            created = services.help_request_create(
                actor=user, kind=form["kind"], description=form["description"], minutes=minutes
            )
        except ShequError as e:
            _error(request, e)
        else:
            messages.success(request, _("Your request is published: we tell you when a helper accepts."))
            return redirect("timebank:help_detail", pk=created.pk)
    return render(
        request,
        "timebank/help_list.html",
        {
            "mine": selectors.help_requests_of(user)[:50],
            "helping": selectors.help_requests_helping(user)[:50],
            "kinds": HelpKind.choices,
            "form": form,
            "badge": HELP_BADGE,
            "account": selectors.account_of(user),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required(login_url=RESIDENT_LOGIN)
def help_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    req = selectors.help_request_get_for(user=user, pk=pk)
    is_requester = req.requester_id == user.pk
    return render(
        request,
        "timebank/help_detail.html",
        {
            "req": req,
            "actions": workflow.actions_for(req, user),
            "is_requester": is_requester,
            "badge": HELP_BADGE.get(HelpStatus(req.status), "secondary"),
            "helpers": selectors.helpers_for(req) if is_requester and req.status == HelpStatus.OPEN else [],
        },
    )


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def help_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    req = selectors.help_request_get_for(user=user, pk=pk)
    if action not in workflow.TRANSITIONS:
        raise Http404
    try:
        services.help_request_act(actor=user, request=req, action=action)
    except ShequError as e:
        if e.status == 404:
            raise
        _error(request, e)
    else:
        done = {
            "accept": _("Thank you: you accepted the request. The credits are held until the help is done."),
            "withdraw": _("You withdrew: the request is open again."),
            "complete": _("Done: %(amount)s 时间币 were paid to the helper.")
            % {"amount": format_credits(req.minutes)},
            "cancel": _("The request is cancelled."),
        }
        messages.success(request, done[action])
    return redirect("timebank:help_detail", pk=req.pk)


@login_required(login_url=RESIDENT_LOGIN)
def help_open(request: HttpRequest) -> HttpResponse:
    """Requests waiting for a helper, nearest first (the whole city: 通存通兑)."""
    return render(
        request,
        "timebank/help_open.html",
        {"rows": selectors.help_requests_open_for(_user(request)), "badge": HELP_BADGE},
    )


@login_required(login_url=RESIDENT_LOGIN)
def market(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    stores = selectors.stores_for(user)[:30]
    goods = selectors.goods_of(stores)
    return render(
        request,
        "timebank/market.html",
        {"stores": [(s, goods.get(s.pk, [])) for s in stores], "account": selectors.account_of(user)},
    )


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def redeem(request: HttpRequest, pk: int) -> HttpResponse:
    goods = selectors.goods_get(pk=pk)
    try:
        quantity = int(request.POST.get("quantity", "1"))
    except ValueError:
        quantity = 0
    try:
        services.goods_redeem(actor=_user(request), goods=goods, quantity=quantity)
    except ShequError as e:
        _error(request, e)
    else:
        messages.success(
            request,
            _("You took %(name)s × %(quantity)s for %(amount)s 时间币. Show this page at the counter.")
            % {"name": goods.name, "quantity": quantity, "amount": format_credits(goods.price * quantity)},
        )
    return redirect("timebank:market")
