"""The community workers' pages of the time bank (console): pools, teams and 爱心超市 of their areas, credits
issued to key elderly, the 通存通兑 settlement report, and exports (names masked). Scoped by timebank.manage and
timebank.issue; out of scope is 404."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
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
from shequ.geo.models import Area

from . import selectors, services
from .choices import AccountKind, TransferKind
from .ledger import format_credits
from .models import Goods, TimebankRule
from .rules import age_on, rule_for


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
    return redirect("timebank:console_goods" if request.POST.get("back") == "goods" else "timebank:console")


# --- 爱心超市 goods and stock; the rules (issue 24) ------------------------------------------------------------
def _int(text: str, default: int = -1) -> int:
    text = (text or "").strip()
    return int(text) if text.isdigit() else default


@require_action(Action.TIMEBANK_MANAGE)
@require_http_methods(["GET", "POST"])
def goods(request: HttpRequest) -> HttpResponse:
    """The 爱心超市 of one's areas: every good (on the shelf or not) with its price and stock; add a good, change
    its price or take it off the shelf, restock. A refusal keeps what was typed (400)."""
    user = _user(request)
    stores = list(selectors.stores_for_staff(user).order_by("area__path", "name")[:100])
    form = {k: request.POST.get(k, "") for k in ("store", "name", "price", "stock")}
    status = 200
    if request.method == "POST":
        store = next((s for s in stores if s.pk == _int(form["store"])), None)
        if store is None:
            raise Http404
        try:
            price = services.minutes_of(form["price"])
            stock = _int(form["stock"])
            if stock < 0:
                raise ShequError(_("Give the stock as a whole number."), fields={"stock": form["stock"]})
            added = services.goods_add(
                actor=user, store=store, name=form["name"].strip(), price=price, stock=stock
            )
            if not added.name:
                raise ShequError(_("Give the name of the goods."))
        except ShequError as e:
            messages.error(request, e.message)
            status = 400
        else:
            messages.success(request, _("%(name)s is on the shelf.") % {"name": added.name})
            return redirect("timebank:console_goods")
    by_store: dict[int, list] = {s.pk: [] for s in stores}
    for g in Goods.objects.filter(store__in=stores).order_by("-is_active", "price", "name"):
        by_store[g.store_id].append(g)
    return render(
        request,
        "timebank/console_goods.html",
        {"stores": [(s, by_store[s.pk]) for s in stores], "form": form, "form_store": _int(form["store"])},
        status=status,
    )


@require_action(Action.TIMEBANK_MANAGE)
@require_POST
def goods_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    item = selectors.goods_get_for_staff(user=user, pk=pk)
    try:
        price = services.minutes_of(request.POST.get("price", ""))
        services.goods_update(
            actor=user,
            goods=item,
            name=request.POST.get("name", item.name),
            price=price,
            is_active=request.POST.get("is_active") == "on",
        )
    except ShequError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("%(name)s is saved.") % {"name": item.name})
    return redirect("timebank:console_goods")


RULE_CAPS = ("daily_earn_cap", "lifetime_earn_cap", "daily_transfer_cap")


def _rule_form(rule) -> dict:
    return {
        "name": rule.name,
        "rate": str(rule.rate),
        **{k: format_credits(getattr(rule, k)) if getattr(rule, k) else "" for k in RULE_CAPS},
        "expiry_enabled": rule.expiry_enabled,
        "expiry_days": str(rule.expiry_days),
        "inheritance_enabled": rule.inheritance_enabled,
    }


@require_action(Action.TIMEBANK_MANAGE)
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    """The rules of the time bank as data: the city's default and each area's own (rate, caps in 时间币, the
    expiry and inheritance switches). Choose an area of one's scope by its code; saving is audited."""
    user = _user(request)
    code = (request.POST.get("area") or request.GET.get("area") or "").strip()
    area = Area.objects.filter(code=code).first() if code else None
    if code and area is None:
        raise Http404
    if area is not None and not services.rule_may_edit(user, area):
        raise Http404
    may_edit = services.rule_may_edit(user, area)
    own = (
        TimebankRule.objects.filter(area=area).first()
        if area
        else TimebankRule.objects.filter(area__isnull=True).first()
    )
    effective = rule_for(area)
    form = (
        _rule_form(own)
        if own
        else {**_rule_form(effective), "name": area.name + "时间银行规则" if area else effective.name}
    )
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise Http404
        form = {k: request.POST.get(k, "").strip() for k in ("name", "rate", *RULE_CAPS, "expiry_days")}
        form["expiry_enabled"] = request.POST.get("expiry_enabled") == "on"
        form["inheritance_enabled"] = request.POST.get("inheritance_enabled") == "on"
        try:
            try:
                rate = Decimal(form["rate"])
            except InvalidOperation:
                raise ShequError(
                    _("The rate is between 0.01 and 100 时间币 an hour."), fields={"rate": "nan"}
                ) from None
            caps = {k: services.minutes_of(form[k]) if form[k] else None for k in RULE_CAPS}
            services.rule_save(
                actor=user,
                area=area,
                name=form["name"],
                rate=rate,
                **caps,
                expiry_enabled=form["expiry_enabled"],
                expiry_days=_int(form["expiry_days"], 0),
                inheritance_enabled=form["inheritance_enabled"],
            )
        except ShequError as e:
            messages.error(request, e.message)
            status = 400
        else:
            messages.success(request, _("The rules are saved."))
            return redirect(f"{request.path}?area={code}" if code else request.path)
    visible = [
        r
        for r in TimebankRule.objects.select_related("area").order_by("area__path")
        if r.area is None or services.rule_may_edit(user, r.area)
    ]
    return render(
        request,
        "timebank/console_rules.html",
        {"area": area, "own": own, "form": form, "may_edit": may_edit, "rules": visible[:200], "code": code},
        status=status,
    )
