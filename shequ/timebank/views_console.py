"""The community workers' pages of the time bank (console): pools, teams and 爱心超市 of their areas, credits
issued to key elderly, the 通存通兑 settlement report, and exports (names masked). Scoped by timebank.manage and
timebank.issue; out of scope is 404."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.access.decorators import require_action
from shequ.access.scoping import can
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record
from shequ.core.errors import ShequError
from shequ.core.exports import export_response
from shequ.core.masking import mask_name

from . import selectors, services
from .choices import AccountKind, TransferKind
from .ledger import format_credits
from .rules import age_on


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_action(Action.TIMEBANK_MANAGE)
def overview(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    accounts = list(selectors.accounts_for_staff(user).order_by("kind", "area__path")[:300])
    stores = list(selectors.stores_for_staff(user).order_by("area__path")[:100])
    goods = selectors.goods_of(stores)
    return render(
        request,
        "timebank/console_overview.html",
        {
            "pools": [a for a in accounts if a.kind == AccountKind.POOL],
            "teams": [a for a in accounts if a.kind == AccountKind.TEAM],
            "stores": [(s, goods.get(s.pk, [])) for s in stores],
            "transfers": list(selectors.transfers_for_staff(user, limit=30)),
            "may_issue": can(user, Action.TIMEBANK_ISSUE),
        },
    )


@require_action(Action.TIMEBANK_ISSUE)
@require_http_methods(["GET", "POST"])
def issue(request: HttpRequest) -> HttpResponse:
    """Credits from the government's issuing account to a key elderly resident, with the reason (audited)."""
    user = _user(request)
    form = {k: request.POST.get(k, "") for k in ("resident", "amount", "reason")}
    if request.method == "POST":
        try:
            resident_pk = int(form["resident"]) if form["resident"].isdigit() else 0
            resident = selectors.elder_get_for_issue(user=user, pk=resident_pk)
            minutes = services.minutes_of(form["amount"])
            services.timebank_issue(actor=user, resident=resident, minutes=minutes, reason=form["reason"])
        except ShequError as e:
            if e.status == 404:
                raise
            messages.error(request, e.message)
        else:
            messages.success(
                request,
                _("%(amount)s 时间币 were issued to %(name)s.")
                % {"amount": format_credits(minutes), "name": mask_name(resident.name)},
            )
            return redirect("timebank:console_issue")
    today = timezone.localdate()
    elders = [
        {"resident": r, "age": age_on(r.birth_date, today), "key": services.is_key_elderly(r)}
        for r in selectors.elders_for_issue(user)
    ]
    issued = selectors.transfers_for_staff(user, limit=None).filter(kind=TransferKind.ISSUE)[:30]
    return render(
        request,
        "timebank/console_issue.html",
        {"elders": elders, "form": form, "issued": issued},
        status=400 if request.method == "POST" else 200,
    )


@require_action(Action.TIMEBANK_MANAGE)
def settlement(request: HttpRequest) -> HttpResponse:
    return render(
        request, "timebank/console_settlement.html", {"streets": selectors.settlement_for(_user(request))}
    )


SETTLEMENT_HEADERS = [
    "街道",
    "社区",
    "本社区居民在本社区获得",
    "本社区居民在外获得",
    "本社区居民在本社区使用",
    "本社区居民在外使用",
    "外社区居民在本社区获得",
    "外社区居民在本社区使用",
    "净流入",
]


@require_action(Action.TIMEBANK_MANAGE)
def settlement_export(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    streets = selectors.settlement_for(user)
    rows = []
    for street in streets:
        for r in [*street.children, street]:
            rows.append(
                [
                    street.area.name,
                    r.area.name if r is not street else "合计",
                    *(
                        format_credits(v)
                        for v in (
                            r.earned_home,
                            r.earned_elsewhere,
                            r.spent_home,
                            r.spent_elsewhere,
                            r.others_earned_here,
                            r.others_spent_here,
                            r.net,
                        )
                    ),
                ]
            )
    audit_record(
        action="timebank.export",
        actor=user,
        object_type="timebank.settlement",
        object_repr="settlement report",
        changes={"rows": {"after": len(rows)}},
        purpose="通存通兑结算",
    )
    return export_response(
        _format(request), filename="timebank-settlement", headers=SETTLEMENT_HEADERS, rows=rows
    )


def _format(request: HttpRequest) -> str:
    return "xlsx" if request.GET.get("format") == "xlsx" else "csv"


@require_action(Action.TIMEBANK_MANAGE)
def transfers_export(request: HttpRequest) -> HttpResponse:
    """The transfers of one's areas; residents appear by their masked name only."""
    user = _user(request)
    labels = dict(TransferKind.choices)
    rows = [
        [
            t.pk,
            t.at,
            str(labels.get(t.kind, t.kind)),
            format_credits(t.minutes),
            _account_label(t.debit),
            _account_label(t.credit),
            t.area.name if t.area else "",
            t.memo,
        ]
        for t in selectors.transfers_for_staff(user, limit=10_000)
    ]
    audit_record(
        action="timebank.export",
        actor=user,
        object_type="timebank.transfer",
        object_repr="transfers",
        changes={"rows": {"after": len(rows)}},
        purpose="时间银行流水导出",
    )
    return export_response(
        _format(request),
        filename="timebank-transfers",
        headers=["编号", "时间", "类型", "时间币", "转出", "转入", "发生地", "备注"],
        rows=rows,
    )


def _account_label(account) -> str:
    # Residents' account names are stored masked (services.account_open); the rest are organisations.
    return f"{account.get_kind_display()}：{account.name}"


@require_action(Action.TIMEBANK_MANAGE)
@require_POST
def restock(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    goods = selectors.goods_get_for_staff(user=user, pk=pk)
    try:
        quantity = int(request.POST.get("quantity", "0"))
    except ValueError:
        quantity = 0
    try:
        services.goods_restock(actor=user, goods=goods, quantity=quantity)
    except ShequError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request, _("Stock of %(name)s: %(stock)s.") % {"name": goods.name, "stock": goods.stock}
        )
    return redirect("timebank:console")
