"""The time bank's services: earning, caps, family transfers, donations, issuing, help with escrow, the 爱心超市."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from shequ.core.errors import NotFound, ShequError
from shequ.timebank import ledger, services
from shequ.timebank.choices import AccountKind, HelpStatus, LinkStatus, TransferKind
from shequ.timebank.ledger import InsufficientCredits
from shequ.timebank.models import Account, Earning, Movement, TimebankRule, Transfer
from shequ.timebank.selectors import account_of, help_request_get_for

from .helpers import community, hours_record, resident_for

pytestmark = pytest.mark.django_db


def balance(user) -> int:
    account = account_of(user)
    return account.balance if account else 0


def total_of_all_balances() -> int:
    return sum(Account.objects.values_list("balance", flat=True))


# --- amounts ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "minutes"), [("1", 60), ("1.5", 90), (2, 120), ("0.05", 3), ("0.5", 30), ("10.25", 615)]
)
def test_an_amount_in_credits_becomes_whole_minutes(amount, minutes):
    assert services.minutes_of(amount) == minutes


@pytest.mark.parametrize(
    ("amount", "field"),
    [
        ("-1", "not positive"),
        ("0", "not positive"),
        ("0.01", "below a minute"),
        ("1.005", "fraction of a minute"),
        ("abc", "not a number"),
        ("NaN", "not a number"),
    ],
)
def test_a_bad_amount_is_a_clear_error(amount, field):
    with pytest.raises(ShequError) as e:
        services.minutes_of(amount)
    assert e.value.fields == {"amount": field}


# --- earning ---------------------------------------------------------------------------------------------------


def test_confirmed_hours_earn_one_credit_an_hour_and_a_second_call_does_nothing(person):
    zhang = person("zhang")
    record = hours_record(zhang, 90)
    earning = services.timebank_earn_for_hours(record)
    assert earning is not None and earning.credited == 90
    assert services.timebank_earn_for_hours(record) is None
    assert balance(zhang) == 90
    assert Transfer.objects.filter(kind=TransferKind.EARN).count() == 1
    assert Movement.objects.count() == 2
    assert total_of_all_balances() == 0
    assert ledger.verify().ok


def test_the_rate_is_data(person):
    zhang = person("zhang")
    TimebankRule.objects.create(name="福田区", area=community().parent.parent, rate="1.5")
    services.timebank_earn_for_hours(hours_record(zhang, 60))
    assert balance(zhang) == 90


def test_the_daily_cap_credits_up_to_the_cap_and_records_the_rest_as_capped(person):
    zhang = person("zhang")
    TimebankRule.objects.create(
        name="长宁式", area=community().parent, daily_earn_cap=120, lifetime_earn_cap=36000
    )
    now = timezone.now()
    services.timebank_earn_for_hours(hours_record(zhang, 90, at=now))
    second = services.timebank_earn_for_hours(hours_record(zhang, 90, at=now))
    assert (second.credited, second.capped) == (30, 60)
    third = services.timebank_earn_for_hours(hours_record(zhang, 60, at=now))
    assert (third.credited, third.capped, third.transfer) == (0, 60, None)
    # The next day has room again.
    services.timebank_earn_for_hours(hours_record(zhang, 60, at=now + timedelta(days=1)))
    assert balance(zhang) == 180
    assert ledger.verify().ok


def test_the_lifetime_cap_holds(person):
    zhang = person("zhang")
    TimebankRule.objects.create(name="南京式", area=community().parent, lifetime_earn_cap=150)
    for day in range(3):
        services.timebank_earn_for_hours(hours_record(zhang, 60, at=timezone.now() + timedelta(days=day)))
    assert balance(zhang) == 150
    assert Account.objects.get(owner=zhang).earned_total == 150
    assert sum(Earning.objects.values_list("capped", flat=True)) == 30


def test_group_hours_go_to_the_team_never_to_the_person(person):
    from types import SimpleNamespace

    zhang = person("zhang")
    team = SimpleNamespace(pk=7, name="华富志愿服务队", area=community())
    services.timebank_earn_for_hours(hours_record(zhang, 120, team=team, is_group=True))
    assert balance(zhang) == 0
    team_account = Account.objects.get(kind=AccountKind.TEAM, team_ref=7)
    assert team_account.balance == 120 and team_account.area == community()


def test_group_hours_without_a_team_go_to_the_community_pool(person):
    zhang = person("zhang")
    services.timebank_earn_for_hours(hours_record(zhang, 60, is_group=True))
    assert balance(zhang) == 0
    assert Account.objects.get(kind=AccountKind.POOL, area=community()).balance == 60


# --- family ----------------------------------------------------------------------------------------------------


def test_a_transfer_to_a_mother_in_the_same_household_is_proven_by_the_register(person, make_user):
    zhang = person("zhang", phone="13900000001")
    mother = make_user("mother", phone="13900000002")
    resident_for(mother, household=zhang.resident.household, born=date(1950, 1, 1))
    services.timebank_earn_for_hours(hours_record(zhang, 180))
    link = services.family_link_declare(actor=zhang, phone="13900000002", relation="母亲")
    assert link.status == LinkStatus.CONFIRMED and link.basis == "household"
    services.timebank_transfer_to_family(
        actor=zhang, to_account=services.account_open(user=mother), minutes=120
    )
    assert (balance(zhang), balance(mother)) == (60, 120)
    assert ledger.verify().ok


def test_a_family_member_elsewhere_must_confirm_the_link_first(person):
    zhang = person("zhang", phone="13900000001")
    sister = person("sister", phone="13900000003", area=community("440305", "粤海街道"))
    services.timebank_earn_for_hours(hours_record(zhang, 60))
    link = services.family_link_declare(actor=zhang, phone="13900000003", relation="姐姐")
    assert link.status == LinkStatus.PENDING
    target = services.account_open(user=sister)
    with pytest.raises(ShequError) as e:
        services.timebank_transfer_to_family(actor=zhang, to_account=target, minutes=30)
    assert e.value.code == "not_family"
    with pytest.raises(NotFound):
        services.family_link_confirm(actor=zhang, link=link)  # only the named relative confirms
    services.family_link_confirm(actor=sister, link=link)
    services.timebank_transfer_to_family(actor=zhang, to_account=target, minutes=30)
    assert balance(sister) == 30


def test_a_transfer_beyond_the_balance_writes_nothing(person, make_user):
    zhang = person("zhang", phone="13900000001")
    mother = make_user("mother", phone="13900000002")
    resident_for(mother, household=zhang.resident.household)
    services.timebank_earn_for_hours(hours_record(zhang, 60))
    services.family_link_declare(actor=zhang, phone="13900000002", relation="母亲")
    before = (Transfer.objects.count(), Movement.objects.count())
    with pytest.raises(InsufficientCredits) as e:
        services.timebank_transfer_to_family(
            actor=zhang, to_account=services.account_open(user=mother), minutes=61
        )
    assert "1 时间币" in e.value.message
    assert (Transfer.objects.count(), Movement.objects.count()) == before
    assert (balance(zhang), balance(mother)) == (60, 0)


def test_a_transfer_to_oneself_is_refused(person):
    zhang = person("zhang")
    services.timebank_earn_for_hours(hours_record(zhang, 60))
    with pytest.raises(ShequError) as e:
        services.timebank_transfer_to_family(
            actor=zhang, to_account=services.account_open(user=zhang), minutes=10
        )
    assert e.value.fields == {"to": "yourself"}
    assert Transfer.objects.count() == 1


def test_the_daily_transfer_cap_refuses_what_goes_beyond(person, make_user):
    zhang = person("zhang", phone="13900000001")
    mother = make_user("mother", phone="13900000002")
    resident_for(mother, household=zhang.resident.household)
    TimebankRule.objects.create(name="每日转赠上限", area=community().parent, daily_transfer_cap=60)
    services.timebank_earn_for_hours(hours_record(zhang, 240))
    services.family_link_declare(actor=zhang, phone="13900000002", relation="母亲")
    target = services.account_open(user=mother)
    services.timebank_transfer_to_family(actor=zhang, to_account=target, minutes=40)
    with pytest.raises(ShequError) as e:
        services.timebank_transfer_to_family(actor=zhang, to_account=target, minutes=21)
    assert e.value.code == "cap_exceeded"
    assert balance(mother) == 40


def test_the_database_refuses_a_balance_below_the_floor_even_past_the_services():
    account = Account.objects.create(kind=AccountKind.POOL, name="x", area=community())
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=-1)


def test_ledger_rows_cannot_be_changed_or_deleted_through_the_orm(person):
    zhang = person("zhang")
    services.timebank_earn_for_hours(hours_record(zhang, 60))
    movement = Movement.objects.first()
    with pytest.raises(ledger_append_only()):
        movement.save()
    with pytest.raises(ledger_append_only()):
        Movement.objects.all().delete()
    with pytest.raises(ledger_append_only()):
        Transfer.objects.update(minutes=1)


def ledger_append_only():
    from shequ.core.chain import AppendOnlyError

    return AppendOnlyError


# --- donations and issuing -------------------------------------------------------------------------------------


def test_a_donation_goes_to_any_community_pool_of_the_city(person):
    zhang = person("zhang")
    services.timebank_earn_for_hours(hours_record(zhang, 60))
    elsewhere = community("440305", "粤海街道")
    services.timebank_donate(actor=zhang, minutes=45, pool_area=elsewhere)
    assert Account.objects.get(kind=AccountKind.POOL, area=elsewhere).balance == 45


def test_a_donation_to_a_named_elderly_person_needs_someone_60_or_older(person):
    zhang = person("zhang")
    person("granny", phone="13900000009", born=date(1940, 6, 1))
    person("young", phone="13900000010", born=date(1999, 6, 1))
    services.timebank_earn_for_hours(hours_record(zhang, 60))
    services.timebank_donate(actor=zhang, minutes=20, elder_phone="13900000009")
    with pytest.raises(ShequError) as e:
        services.timebank_donate(actor=zhang, minutes=20, elder_phone="13900000010")
    assert e.value.fields == {"elder_phone": "not found"}
    assert balance(zhang) == 40


def test_credits_are_issued_to_key_elderly_by_staff_in_scope_with_a_reason(person, cast):
    from shequ.audit.models import AuditEntry

    granny = person("granny", born=date(1940, 6, 1), tags=["elderly_alone"])
    transfer = services.timebank_issue(
        actor=cast["lina"], resident=granny.resident, minutes=600, reason="重点老人月度发放"
    )
    assert balance(granny) == 600
    assert Account.objects.get(kind=AccountKind.GOVERNMENT).balance == -600
    entry = AuditEntry.objects.get(action="timebank.issue")
    assert entry.actor_username == "lina" and entry.purpose == "重点老人月度发放"
    assert entry.object_id == str(transfer.pk)
    with pytest.raises(NotFound):  # 王强 works in 南山区 粤海街道
        services.timebank_issue(actor=cast["wangqiang"], resident=granny.resident, minutes=60, reason="x")
    young = person("young", born=date(1990, 1, 1))
    with pytest.raises(ShequError):
        services.timebank_issue(actor=cast["lina"], resident=young.resident, minutes=60, reason="x")
    with pytest.raises(ShequError):
        services.timebank_issue(actor=cast["lina"], resident=granny.resident, minutes=60, reason=" ")
    assert ledger.verify().ok


# --- help requests ---------------------------------------------------------------------------------------------


def test_help_is_held_at_acceptance_and_paid_on_completion(person):
    mother = person("mother", born=date(1950, 1, 1))
    helper = person("helper")
    services.timebank_earn_for_hours(hours_record(mother, 120))
    request = services.help_request_create(actor=mother, kind="visit", description="陪我聊聊天", minutes=60)
    services.help_request_act(actor=helper, request=request, action="accept")
    request.refresh_from_db()
    assert request.status == HelpStatus.ACCEPTED and request.response_seconds is not None
    assert balance(mother) == 60
    assert Account.objects.get(kind=AccountKind.ESCROW).balance == 60
    with pytest.raises(ShequError):  # the helper cannot pay himself
        services.help_request_act(actor=helper, request=request, action="complete")
    services.help_request_act(actor=mother, request=request, action="complete")
    assert (balance(mother), balance(helper)) == (60, 60)
    assert Account.objects.get(kind=AccountKind.ESCROW).balance == 0
    assert ledger.verify().ok


def test_a_cancel_after_acceptance_returns_the_credits(person):
    mother = person("mother")
    helper = person("helper")
    services.timebank_earn_for_hours(hours_record(mother, 60))
    request = services.help_request_create(actor=mother, kind="shopping", description="买菜", minutes=60)
    services.help_request_act(actor=helper, request=request, action="accept")
    services.help_request_act(actor=helper, request=request, action="withdraw")
    assert balance(mother) == 60
    other = person("other")
    services.help_request_act(actor=other, request=request, action="accept")
    services.help_request_act(actor=mother, request=request, action="cancel")
    request.refresh_from_db()
    assert request.status == HelpStatus.CANCELLED
    assert (balance(mother), balance(helper), balance(other)) == (60, 0, 0)
    assert ledger.verify().ok


def test_a_request_beyond_the_balance_is_refused(person):
    mother = person("mother")
    with pytest.raises(InsufficientCredits):
        services.help_request_create(actor=mother, kind="visit", description="看看我", minutes=30)


def test_someone_elses_finished_request_is_not_found(person):
    mother = person("mother")
    helper = person("helper")
    stranger = person("stranger")
    services.timebank_earn_for_hours(hours_record(mother, 60))
    request = services.help_request_create(actor=mother, kind="visit", description="看看我", minutes=30)
    assert help_request_get_for(user=stranger, pk=request.pk) == request  # open: anyone may offer help
    services.help_request_act(actor=helper, request=request, action="accept")
    with pytest.raises(NotFound):
        help_request_get_for(user=stranger, pk=request.pk)
    with pytest.raises(NotFound):
        services.help_request_act(actor=stranger, request=request, action="complete")


# --- the love supermarket --------------------------------------------------------------------------------------


def test_redeeming_takes_stock_and_points_and_a_sold_out_item_writes_nothing(person):
    zhang = person("zhang")
    services.timebank_earn_for_hours(hours_record(zhang, 300))
    store = services.store_open(actor=None, name="华富爱心超市", area=community())
    rice = services.goods_add(actor=None, store=store, name="大米 5kg", price=120, stock=1)
    services.goods_redeem(actor=zhang, goods=rice)
    rice.refresh_from_db()
    assert rice.stock == 0 and balance(zhang) == 180
    with pytest.raises(ShequError) as e:
        services.goods_redeem(actor=zhang, goods=rice)
    assert e.value.code == "sold_out"
    assert balance(zhang) == 180
    oil = services.goods_add(actor=None, store=store, name="食用油", price=200, stock=3)
    with pytest.raises(InsufficientCredits):
        services.goods_redeem(actor=zhang, goods=oil)
    oil.refresh_from_db()
    assert oil.stock == 3  # the stock taken before the payment failed is back: one transaction


# --- switches --------------------------------------------------------------------------------------------------


def test_expiry_is_off_by_default_and_takes_only_old_credits_when_on(person):
    zhang = person("zhang")
    long_ago = timezone.now() - timedelta(days=800)
    services.timebank_earn_for_hours(hours_record(zhang, 100, at=long_ago))
    services.timebank_earn_for_hours(hours_record(zhang, 30))
    assert services.timebank_expire() == 0
    TimebankRule.objects.filter(area__isnull=True).update(expiry_enabled=True, expiry_days=730)
    assert services.timebank_expire() == 1
    assert balance(zhang) == 30
    assert ledger.verify().ok


def test_inheritance_is_off_by_default(person, make_user, cast):
    granny = person("granny", phone="13900000011", born=date(1935, 1, 1))
    heir = make_user("heir", phone="13900000012")
    resident_for(heir, household=granny.resident.household)
    services.timebank_earn_for_hours(hours_record(granny, 90))
    with pytest.raises(ShequError) as e:
        services.timebank_inherit(actor=cast["lina"], from_user=granny, to_user=heir, reason="老人去世")
    assert e.value.code == "switched_off"
    TimebankRule.objects.filter(area__isnull=True).update(inheritance_enabled=True)
    services.timebank_inherit(actor=cast["lina"], from_user=granny, to_user=heir, reason="老人去世")
    assert balance(heir) == 90
    assert not Account.objects.get(owner=granny).is_active
