"""/api/v1/timebank: the signed-in person's account, and transfers (to family, donations) with Idempotency-Key."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext
from ninja import Router

from shequ.access.api import PROTECTED
from shequ.accounts.models import User
from shequ.core.api.errors import CREATE, PROTECTED_READ, PROTECTED_WRITE, errors
from shequ.core.errors import ShequError
from shequ.core.idempotency import run_once
from shequ.core.masking import mask_name
from shequ.geo.models import Area

from . import selectors, services
from .choices import TransferKind
from .ledger import format_credits
from .models import Account
from .rules import home_community, rule_for
from .schemas import AccountOut, TransferIn, TransferOut

router = Router(tags=["timebank"])


@router.get(
    "/timebank/accounts/me",
    response={200: AccountOut, **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="My time bank account",
)
def my_account(request: HttpRequest):
    user = cast(User, request.user)
    account = selectors.account_of(user)
    area = account.area if account is not None else home_community(user)
    rule = rule_for(area)
    labels = dict(TransferKind.choices)
    return {
        "account_id": account.pk if account else None,
        "balance_minutes": account.balance if account else 0,
        "balance": format_credits(account.balance if account else 0),
        "earned_total_minutes": account.earned_total if account else 0,
        "area": {"code": area.code, "name": area.name} if area is not None else None,
        "rule": {
            "name": rule.name,
            "rate": str(rule.rate),
            "daily_earn_cap": rule.daily_earn_cap,
            "lifetime_earn_cap": rule.lifetime_earn_cap,
            "daily_transfer_cap": rule.daily_transfer_cap,
        },
        "family": [
            {
                "account_id": m.account.pk if m.account else None,
                "name": mask_name(m.user.display_name or m.user.username),
                "relation": m.relation,
                "status": m.status,
            }
            for m in selectors.family_of(user)
        ],
        "recent": [
            {
                "seq": m.seq,
                "at": m.at,
                "kind": m.transfer.kind,
                "kind_label": str(labels.get(m.transfer.kind, m.transfer.kind)),
                "amount_minutes": m.amount,
                "amount": format_credits(m.amount),
                "balance_after_minutes": m.balance_after,
                "memo": m.transfer.memo,
            }
            for m in selectors.movements_of(account, limit=20)
        ],
    }


def _transfer(request: HttpRequest, data: TransferIn) -> tuple[int, dict]:
    user = cast(User, request.user)
    minutes = services.minutes_of(data.amount)
    if data.kind == "family":
        if data.to_account is None:
            raise ShequError(gettext("Choose the family member."), fields={"to_account": "required"})
        target = Account.objects.filter(pk=data.to_account).first()
        if target is None:
            raise ShequError(
                gettext("Credits go only to a family member: declare the family link first."),
                code="not_family",
                fields={"to_account": "not family"},
            )
        transfer = services.timebank_transfer_to_family(
            actor=user, to_account=target, minutes=minutes, memo=data.memo
        )
    else:
        pool = None
        if data.pool:
            pool = Area.objects.filter(code=data.pool).first()
            if pool is None:
                raise ShequError(gettext("Choose a community."), fields={"pool": "unknown"})
        transfer = services.timebank_donate(
            actor=user, minutes=minutes, pool_area=pool, elder_phone=data.elder_phone or "", memo=data.memo
        )
    balance = Account.objects.get(pk=transfer.debit_id).balance
    return 201, {
        "id": transfer.pk,
        "kind": transfer.kind,
        "minutes": transfer.minutes,
        "amount": format_credits(transfer.minutes),
        "from_account": transfer.debit_id,
        "to_account": transfer.credit_id,
        "balance_minutes": balance,
        "balance": format_credits(balance),
    }


@router.post(
    "/timebank/transfers",
    response={201: TransferOut, **errors(*PROTECTED_WRITE, *CREATE)},
    auth=PROTECTED,
    summary="Transfer credits to family or donate them",
)
def create_transfer(request: HttpRequest, payload: TransferIn):
    """JSON body. Repeat with the same `Idempotency-Key` header to get the first result back (nothing moves twice).
    A transfer beyond the balance or a cap is 409; to oneself, a negative or below-one-minute amount is 400."""
    status, body, replayed = run_once(request, lambda: _transfer(request, payload))
    response = JsonResponse(body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response
