"""A Hypothesis state machine over the ledger: residents earn (with caps), transfer to family, donate, ask for help
that is accepted, completed or cancelled, and redeem goods, in any order and with any amount, good or bad.

After every step: the balances sum to zero, none is below its floor, the caps hold (per day and per person for
earnings, per day for transfers), the stock is not negative, a refused step wrote nothing, and the chain verifies.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from shequ.accounts.models import User
from shequ.core.errors import ShequError
from shequ.timebank import ledger, services
from shequ.timebank.choices import AccountKind, TransferKind
from shequ.timebank.models import Account, Goods, HelpRequest, Movement, TimebankRule, Transfer

from .helpers import community, hours_record, resident_for

DAILY_EARN_CAP = 120
LIFETIME_EARN_CAP = 300
DAILY_TRANSFER_CAP = 90
_names = itertools.count(1)


class LedgerMachine(RuleBasedStateMachine):
    people = Bundle("people")
    requests = Bundle("requests")

    def __init__(self) -> None:
        super().__init__()
        # Two households: people of one household are family, so transfers between them may pass.
        self.households: list = []
        self.store = services.store_open(actor=None, name=f"爱心超市{next(_names)}", area=community())
        self.goods = services.goods_add(actor=None, store=self.store, name="大米", price=50, stock=3)
        self.now = timezone.now()

    def _written(self) -> tuple[int, int]:
        return Transfer.objects.count(), Movement.objects.count()

    @initialize(target=people, minutes=st.integers(0, 200))
    def a_family_member_with_credits(self, minutes):
        """Two members of one household start every run, with what they earned, so that transfers and help can
        happen from the first step."""
        user = self.a_resident_joins(0)
        if minutes:
            services.timebank_earn_for_hours(hours_record(user, minutes, at=self.now))
        return user

    @initialize(target=people, minutes=st.integers(0, 200))
    def another_family_member_with_credits(self, minutes):
        return self.a_family_member_with_credits(minutes)

    @rule(target=people, household=st.integers(0, 1))
    def a_resident_joins(self, household):
        user = User.objects.create(username=f"p{next(_names)}", display_name="居民")
        existing = self.households[household] if household < len(self.households) else None
        resident = resident_for(user, household=existing)
        if existing is None:
            self.households.append(resident.household)
        return user

    @rule(who=people, minutes=st.integers(1, 200), day=st.integers(0, 2), group=st.booleans())
    def confirmed_hours_earn(self, who, minutes, day, group):
        record = hours_record(who, minutes, is_group=group, at=self.now + timedelta(days=day))
        services.timebank_earn_for_hours(record)
        assert services.timebank_earn_for_hours(record) is None  # a second call does nothing

    @rule(a=people, b=people, minutes=st.integers(-10, 250))
    def a_transfer_to_family(self, a, b, minutes):
        before = self._written()
        try:
            services.timebank_transfer_to_family(
                actor=a, to_account=services.account_open(user=b), minutes=minutes
            )
        except ShequError:
            assert self._written() == before, "a refused transfer wrote something"

    @rule(a=people, minutes=st.integers(-10, 250))
    def a_donation_to_the_pool(self, a, minutes):
        before = self._written()
        try:
            services.timebank_donate(actor=a, minutes=minutes, pool_area=community())
        except ShequError:
            assert self._written() == before

    @rule(target=requests, a=people, minutes=st.integers(1, 60))
    def asking_for_help(self, a, minutes):
        try:
            return services.help_request_create(
                actor=a, kind="visit", description="陪我聊聊天", minutes=minutes
            )
        except ShequError:
            return None

    @rule(
        request=requests, helper=people, action=st.sampled_from(["accept", "withdraw", "complete", "cancel"])
    )
    def acting_on_help(self, request, helper, action):
        if request is None:
            return
        request.refresh_from_db()
        actor = request.requester if action in ("complete", "cancel") else helper
        if action == "withdraw" and request.helper is not None:
            actor = request.helper
        before = self._written()
        try:
            services.help_request_act(actor=actor, request=request, action=action)
        except ShequError:
            assert self._written() == before

    @rule(request=requests, helper=people)
    def a_helper_accepts(self, request, helper):
        if request is not None and helper.pk == request.requester_id:
            helper = self.a_resident_joins(1)  # a neighbour, so that the search does not waste the step
        self.acting_on_help(request, helper, "accept")

    @rule(request=requests)
    def the_requester_confirms_the_help(self, request):
        if request is not None:
            self.acting_on_help(request, request.requester, "complete")

    @rule(
        requester=people,
        minutes=st.integers(1, 60),
        finish=st.sampled_from(["complete", "cancel", "withdraw"]),
    )
    def a_whole_round_of_help(self, requester, minutes, finish):
        """Asked, accepted by a neighbour, then done, cancelled or given up: the path through escrow in one step."""
        request = self.asking_for_help(requester, minutes)
        if request is None:
            return
        helper = self.a_resident_joins(1)
        self.acting_on_help(request, helper, "accept")
        self.acting_on_help(request, helper if finish == "withdraw" else requester, finish)

    @rule(request=consumes(requests))
    def forgetting_a_request(self, request):
        pass

    @rule(a=people, quantity=st.integers(1, 2))
    def redeeming(self, a, quantity):
        before = self._written()
        try:
            services.goods_redeem(actor=a, goods=self.goods, quantity=quantity)
        except ShequError:
            assert self._written() == before

    @invariant()
    def the_balances_sum_to_zero_and_none_is_below_its_floor(self):
        assert (Account.objects.aggregate(s=Sum("balance"))["s"] or 0) == 0
        for balance, floor in Account.objects.values_list("balance", "floor"):
            assert floor is None or balance >= floor

    @invariant()
    def the_caps_hold(self):
        per_day = (
            Transfer.objects.filter(kind=TransferKind.EARN).values("credit", "day").annotate(s=Sum("minutes"))
        )
        assert all(row["s"] <= DAILY_EARN_CAP for row in per_day)
        assert all(
            total <= LIFETIME_EARN_CAP
            for total in Account.objects.filter(kind=AccountKind.RESIDENT).values_list(
                "earned_total", flat=True
            )
        )
        out = (
            Transfer.objects.filter(kind__in=services.CAPPED_OUTGOING)
            .values("debit", "day")
            .annotate(s=Sum("minutes"))
        )
        assert all(row["s"] <= DAILY_TRANSFER_CAP for row in out)

    @invariant()
    def the_stock_is_never_negative_and_escrow_holds_what_accepted_requests_offer(self):
        assert Goods.objects.get(pk=self.goods.pk).stock >= 0
        held = HelpRequest.objects.filter(status="accepted").aggregate(s=Sum("minutes"))["s"] or 0
        escrow = Account.objects.filter(kind=AccountKind.ESCROW).first()
        assert (escrow.balance if escrow else 0) == held

    @invariant()
    def the_chain_verifies(self):
        report = ledger.verify()
        assert report.ok, report.problems


@pytest.mark.django_db
def test_the_ledger_keeps_its_promises_whatever_happens():
    TimebankRule.objects.filter(area__isnull=True).update(
        daily_earn_cap=DAILY_EARN_CAP,
        lifetime_earn_cap=LIFETIME_EARN_CAP,
        daily_transfer_cap=DAILY_TRANSFER_CAP,
    )
    run_state_machine_as_test(
        LedgerMachine, settings=settings(max_examples=25, stateful_step_count=30, derandomize=True)
    )
    # The search reached every kind of posting (the machine's steps leave their rows in the test's transaction).
    kinds = set(Transfer.objects.values_list("kind", flat=True))
    assert {
        TransferKind.EARN,
        TransferKind.GROUP_EARN,
        TransferKind.FAMILY,
        TransferKind.DONATION,
    } <= kinds, kinds
    assert {TransferKind.HOLD, TransferKind.REDEEM} <= kinds, kinds
    assert kinds & {TransferKind.RELEASE, TransferKind.RETURN}, kinds
