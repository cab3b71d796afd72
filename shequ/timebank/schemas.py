"""The time bank's API shapes. Amounts travel both ways: whole minutes (the ledger's unit) and 时间币 as text."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema


class AreaRef(Schema):
    code: str
    name: str


class RuleOut(Schema):
    name: str
    rate: str = Field(description="时间币 per hour of service")
    daily_earn_cap: int | None = Field(description="minutes of credit a day, or null")
    lifetime_earn_cap: int | None
    daily_transfer_cap: int | None


class FamilyOut(Schema):
    account_id: int | None
    name: str = Field(description="masked")
    relation: str
    status: str


class MovementOut(Schema):
    seq: int
    at: datetime
    kind: str
    kind_label: str
    amount_minutes: int
    amount: str
    balance_after_minutes: int
    memo: str


class AccountOut(Schema):
    account_id: int | None = Field(description="null until the account's first use")
    balance_minutes: int
    balance: str = Field(description="时间币, 1 = 60 minutes")
    earned_total_minutes: int
    area: AreaRef | None
    rule: RuleOut
    family: list[FamilyOut]
    recent: list[MovementOut]


class TransferIn(Schema):
    kind: Literal["family", "donation"]
    amount: Decimal = Field(description="时间币, e.g. 1.5; at least one minute (0.02), whole minutes")
    to_account: int | None = Field(None, description="family: the family member's account")
    pool: str | None = Field(None, description="donation: a community's code (its pool)")
    elder_phone: str | None = Field(None, description="donation: an elderly resident's phone")
    memo: str = Field("", max_length=200)


class TransferOut(Schema):
    id: int
    kind: str
    minutes: int
    amount: str
    from_account: int
    to_account: int
    balance_minutes: int
    balance: str
