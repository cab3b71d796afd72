"""The time bank (时间银行) and 爱心银行 points: a double-entry, hash-chained ledger of time credits (专栏2/3).

The unit of the ledger is one minute of service: 60 units are one 时间币 (one hour of volunteering at the default
rate). 爱心银行 points are the same credits: the 爱心超市 prices its goods in them. Every movement of credits is a
`Transfer` (the journal line: what, from which account to which, why) and two `Movement` rows (the debit and the
credit), written together in one transaction under the ledger's lock; the sum of all movements, and so of all
balances, is always zero. The movements are hash-chained like the audit trail (shequ.audit): each holds the hash
of the previous one, and `manage.py verify_timebank_ledger` finds an edited, inserted or deleted movement.
Write only through shequ.timebank.services.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.chain import GENESIS_HASH, AppendOnly, chain_hash
from shequ.geo.models import Area

from .choices import (
    ISSUING_KINDS,
    SINGLE_KINDS,
    AccountKind,
    HelpKind,
    HelpStatus,
    LinkBasis,
    LinkStatus,
    TransferKind,
)

MINUTES_PER_CREDIT = 60


class TimebankRule(models.Model):
    """The rules of the time bank for an area and everything under it, as data: the earning rate and the caps
    (长宁: at most 2 时间币 a day and 600 a person; 南京: 1,500 hours), and the expiry and inheritance switches,
    off by default. The rule of the deepest area above a person's home applies; the rule without an area is the
    city's default."""

    area = models.OneToOneField(
        Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=60)
    rate = models.DecimalField(
        _("credits per hour of service"),
        max_digits=5,
        decimal_places=2,
        default=1,
        help_text=_("1 = one 时间币"),
    )
    daily_earn_cap = models.PositiveIntegerField(
        _("daily earning cap (minutes)"), null=True, blank=True, help_text=_("Empty: no cap.")
    )
    lifetime_earn_cap = models.PositiveIntegerField(
        _("lifetime earning cap (minutes)"), null=True, blank=True, help_text=_("Empty: no cap.")
    )
    daily_transfer_cap = models.PositiveIntegerField(
        _("daily cap on transfers and donations (minutes)"), null=True, blank=True
    )
    expiry_enabled = models.BooleanField(_("credits expire"), default=False)
    expiry_days = models.PositiveIntegerField(_("days before unspent credits expire"), default=730)
    inheritance_enabled = models.BooleanField(_("credits may be inherited"), default=False)

    class Meta:
        verbose_name = _("time bank rule")
        verbose_name_plural = _("time bank rules")
        constraints = [
            models.CheckConstraint(condition=Q(rate__gt=0), name="timebank_rule_rate_positive"),
            # One city default (the rule without an area).
            models.UniqueConstraint(
                fields=["name"], condition=Q(area__isnull=True), name="timebank_rule_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """An account of the time bank: a resident's, a volunteer team's, a community's pool (社区互助池), a 爱心超市's,
    or one of the system's (the issuing account of earned credits, the government's, the escrow).

    Accounts work city-wide (通存通兑): a resident's account is the same wherever he serves or spends; `area` is his
    home community (a pool's or store's community), which the settlement report groups by. `balance` is derived
    from the movements and kept in the same transaction as they are written; the database refuses a balance below
    the floor (issuing accounts have none)."""

    kind = models.CharField(_("kind"), max_length=16, choices=AccountKind.choices)
    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timebank_accounts",
    )
    # A volunteer team of shequ.volunteers, by id: the time bank does not reach into another app's tables.
    team_ref = models.PositiveBigIntegerField(_("volunteer team"), null=True, blank=True)
    area = models.ForeignKey(
        Area, verbose_name=_("home area"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    balance = models.BigIntegerField(_("balance (minutes)"), default=0)
    floor = models.BigIntegerField(_("lowest balance (minutes)"), null=True, blank=True, default=0)
    earned_total = models.BigIntegerField(_("earned for hours, in total (minutes)"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"
    scope_owner_field = "owner"

    class Meta:
        verbose_name = _("time bank account")
        verbose_name_plural = _("time bank accounts")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(floor__isnull=True) | Q(balance__gte=F("floor")),
                name="timebank_account_balance_above_floor",
            ),
            models.CheckConstraint(
                condition=Q(floor__isnull=False) | Q(kind__in=ISSUING_KINDS),
                name="timebank_account_only_issuers_without_floor",
            ),
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(kind=AccountKind.RESIDENT),
                name="timebank_account_one_per_resident",
            ),
            models.UniqueConstraint(
                fields=["team_ref"], condition=Q(kind=AccountKind.TEAM), name="timebank_account_one_per_team"
            ),
            models.UniqueConstraint(
                fields=["area"], condition=Q(kind=AccountKind.POOL), name="timebank_account_one_pool_per_area"
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind__in=SINGLE_KINDS), name="timebank_account_one_system_each"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_repr(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Transfer(AppendOnly):
    """A journal line of the ledger: `minutes` of credits from `debit` to `credit`, of a kind, for a reason
    (`ref_type`/`ref_id`: the confirmed hours, the help request, the redemption …), in an area (where the service
    was given or the credits spent: the settlement report's "elsewhere"). Written with its two movements, never
    changed."""

    kind = models.CharField(_("kind"), max_length=16, choices=TransferKind.choices)
    debit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    credit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    minutes = models.BigIntegerField(_("minutes"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    ref_type = models.CharField(max_length=40, blank=True)
    ref_id = models.CharField(max_length=64, blank=True)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), default=timezone.now)
    # The day in Asia/Shanghai, for the daily caps.
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("time bank transfer")
        verbose_name_plural = _("time bank transfers")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="timebank_transfer_minutes_positive"),
            models.CheckConstraint(condition=~Q(debit=F("credit")), name="timebank_transfer_not_to_itself"),
            # What a reference may cause once: one earning per confirmed-hours record, one hold, one release or
            # return per help request.
            models.UniqueConstraint(
                fields=["kind", "ref_type", "ref_id"],
                condition=~Q(ref_id=""),
                name="timebank_transfer_once_per_reference",
            ),
        ]
        indexes = [
            models.Index(fields=["credit", "kind", "day"], name="timebank_transfer_credit_day"),
            models.Index(fields=["debit", "kind", "day"], name="timebank_transfer_debit_day"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.minutes} #{self.debit_id}→#{self.credit_id}"


class Movement(AppendOnly):
    """One side of a transfer: `amount` minutes into (positive) or out of (negative) one account, with the balance
    after it. `hash` = sha256(`prev_hash` + canonical JSON of the movement and its transfer), so that editing a
    movement or its transfer, or inserting or deleting a movement, breaks the chain (`verify_timebank_ledger`)."""

    seq = models.BigIntegerField(_("sequence"), unique=True)
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="movements")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="movements")
    amount = models.BigIntegerField(_("amount (minutes)"))
    balance_after = models.BigIntegerField(_("balance after"))
    at = models.DateTimeField(_("time"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("time bank movement")
        verbose_name_plural = _("time bank movements")
        ordering = ["-seq"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="timebank_movement_amount_not_zero"),
            models.UniqueConstraint(fields=["hash"], name="timebank_movement_hash_unique"),
        ]
        indexes = [models.Index(fields=["account", "seq"], name="timebank_movement_account_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.amount:+d} → account {self.account_id}"

    def hash_payload(self, transfer: Transfer) -> dict[str, Any]:
        return movement_payload(
            seq=self.seq,
            account_id=self.account_id,
            amount=self.amount,
            balance_after=self.balance_after,
            at=self.at,
            transfer=transfer,
        )

    def computed_hash(self, transfer: Transfer) -> str:
        return chain_hash(self.prev_hash, self.hash_payload(transfer))


def movement_payload(
    *, seq: int, account_id: int, amount: int, balance_after: int, at, transfer: Transfer
) -> dict[str, Any]:
    """What a movement's hash covers: the movement and the journal line it belongs to."""
    return {
        "seq": seq,
        "account": account_id,
        "amount": amount,
        "balance_after": balance_after,
        "at": at.astimezone(UTC).isoformat(),
        "transfer": {
            "id": transfer.pk,
            "kind": transfer.kind,
            "debit": transfer.debit_id,
            "credit": transfer.credit_id,
            "minutes": transfer.minutes,
            "actor": transfer.actor_id,
            "memo": transfer.memo,
            "ref": f"{transfer.ref_type}:{transfer.ref_id}",
            "area": transfer.area_id,
            "at": transfer.at.astimezone(UTC).isoformat(),
            "day": transfer.day.isoformat(),
        },
    }


class LedgerHead(models.Model):
    """The head of the movement chain: the last sequence number and hash. One row, locked (SELECT … FOR UPDATE)
    by every posting, so that postings are serialised and no two link to the same movement; it also lets the
    verification see the newest movements deleted (a chain alone cannot)."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("ledger head")
        verbose_name_plural = _("ledger heads")

    def __str__(self) -> str:
        return f"#{self.last_seq}"


class Earning(models.Model):
    """That a confirmed-hours record of shequ.volunteers was turned into credits (or not, beyond a cap): one row
    per record, so that a second call for the same record does nothing."""

    hours_ref = models.CharField(_("confirmed-hours record"), max_length=64, unique=True)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    service_minutes = models.PositiveIntegerField(_("minutes of service"))
    credited = models.PositiveIntegerField(_("credited (minutes)"))
    capped = models.PositiveIntegerField(_("not credited beyond a cap (minutes)"), default=0)
    is_group = models.BooleanField(_("group hours"), default=False)
    transfer = models.OneToOneField(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("earning")
        verbose_name_plural = _("earnings")

    def __str__(self) -> str:
        return self.hours_ref


class FamilyLink(models.Model):
    """A declared family link (亲属关系) between two residents, along which credits may be transferred (上海: 转赠
    家人). It counts once proven: both in the same household of the residents register (confirmed at once), or
    confirmed by the family member named."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    relative = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    relation = models.CharField(_("relation"), max_length=20)
    status = models.CharField(
        _("status"), max_length=16, choices=LinkStatus.choices, default=LinkStatus.PENDING
    )
    basis = models.CharField(_("proof"), max_length=16, choices=LinkBasis.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("family link")
        verbose_name_plural = _("family links")
        constraints = [
            models.UniqueConstraint(fields=["person", "relative"], name="timebank_family_link_once"),
            models.CheckConstraint(condition=~Q(person=F("relative")), name="timebank_family_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}→{self.relative_id} {self.relation}"


class HelpRequest(models.Model):
    """A resident asks for help (a visit, shopping, accompanying to hospital) and pays the helper in credits: held
    in escrow when a helper accepts, paid when the resident confirms the help was given, returned on a cancel.
    How long it waited for a helper is kept (`accepted_at` − `created_at`). The status changes only through
    workflow.py."""

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind of help"), max_length=16, choices=HelpKind.choices)
    description = models.CharField(_("what is needed"), max_length=300)
    minutes = models.PositiveIntegerField(_("credits offered (minutes)"))
    wanted_at = models.DateTimeField(_("when"), null=True, blank=True)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=HelpStatus.choices, default=HelpStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    response_seconds = models.PositiveIntegerField(_("waited for a helper (seconds)"), null=True, blank=True)
    # How many times a helper accepted (a helper may withdraw and another accept): numbers the escrow's references.
    accept_count = models.PositiveSmallIntegerField(default=0)
    synthetic = models.BooleanField(default=False)

    scope_path_field = "area__path"
    scope_owner_field = "requester"

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="timebank_help_minutes_positive"),
            models.CheckConstraint(condition=~Q(helper=F("requester")), name="timebank_help_not_own"),
        ]
        indexes = [models.Index(fields=["status", "area"], name="timebank_help_status_area")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def audit_repr(self) -> str:
        return f"help request #{self.pk}"


class Store(models.Model):
    """A 爱心超市 (love supermarket) in a community, where points are redeemed for goods."""

    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="store")
    is_active = models.BooleanField(default=True)
    synthetic = models.BooleanField(default=False)

    scope_path_field = "area__path"

    class Meta:
        verbose_name = _("love supermarket")
        verbose_name_plural = _("love supermarkets")
        ordering = ["area__path", "name"]

    def __str__(self) -> str:
        return self.name


class Goods(models.Model):
    """Goods of a 爱心超市 with their price in credits and the stock, which the database keeps from going below
    zero (a redemption takes stock with a conditional UPDATE)."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="goods")
    name = models.CharField(_("name"), max_length=100)
    price = models.PositiveIntegerField(_("price (minutes)"))
    stock = models.IntegerField(_("stock"), default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("goods")
        verbose_name_plural = _("goods")
        ordering = ["store", "price", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="timebank_goods_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gt=0), name="timebank_goods_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    """Goods taken at a 爱心超市 for points: the transfer that paid them."""

    goods = models.ForeignKey(Goods, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    transfer = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")

    def __str__(self) -> str:
        return f"{self.goods_id} × {self.quantity}"
