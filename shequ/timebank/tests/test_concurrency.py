"""Races on PostgreSQL, with real threads and connections: many simultaneous transfers out of one account never
overdraw it, and many simultaneous redemptions never oversell the stock.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/pytest shequ/timebank/tests/test_concurrency.py
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db import connection

from shequ.accounts.models import User
from shequ.core.testing import all_at_once
from shequ.timebank import ledger, services
from shequ.timebank.models import Account, Goods, Movement, Transfer

from .helpers import community, hours_record, resident_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a race needs PostgreSQL's concurrent writers"
    ),
]
THREADS = 16


def run_together(work, args_list) -> Counter:
    """Run `work(*args)` in one thread each, all released at once; count "ok" and each refusal's code."""
    return Counter(all_at_once(work, list(args_list)))


@pytest.fixture
def family(transactional_db):
    from shequ.geo.citypack import load_city_pack
    from shequ.geo.models import Area

    if not Area.objects.exists():  # an earlier transactional test's flush emptied every table
        load_city_pack("shenzhen")
    son = User.objects.create(username="son", phone="13900000001")
    mother = User.objects.create(username="mother", phone="13900000002")
    resident = resident_for(son)
    resident_for(mother, household=resident.household, born=date(1950, 1, 1))
    services.timebank_earn_for_hours(hours_record(son, 600))  # 10 时间币
    services.family_link_declare(actor=son, phone="13900000002", relation="母亲")
    return son, mother


def test_simultaneous_transfers_out_of_one_account_never_overdraw_it(family):
    son, mother = family
    target = services.account_open(user=mother)
    results = run_together(
        lambda: services.timebank_transfer_to_family(actor=son, to_account=target, minutes=60),
        [()] * THREADS,
    )
    assert results == Counter({"ok": 10, "insufficient_balance": THREADS - 10}), results
    assert Account.objects.get(owner=son).balance == 0
    assert Account.objects.get(owner=mother).balance == 600
    assert Transfer.objects.filter(kind="family").count() == 10
    report = ledger.verify()
    assert report.ok, report.problems


def test_simultaneous_redemptions_never_oversell_the_stock(family):
    son, _mother = family
    buyers = [son]
    for n in range(THREADS - 1):
        buyer = User.objects.create(username=f"buyer{n}")
        resident_for(buyer)
        services.timebank_earn_for_hours(hours_record(buyer, 120))
        buyers.append(buyer)
    store = services.store_open(actor=None, name="华富爱心超市", area=community())
    rice = services.goods_add(actor=None, store=store, name="大米", price=60, stock=5)
    results = run_together(lambda who: services.goods_redeem(actor=who, goods=rice), [(b,) for b in buyers])
    assert results == Counter({"ok": 5, "sold_out": THREADS - 5}), results
    assert Goods.objects.get(pk=rice.pk).stock == 0
    assert store.account.__class__.objects.get(pk=store.account_id).balance == 300
    assert Movement.objects.filter(transfer__kind="redeem").count() == 10
    report = ledger.verify()
    assert report.ok, report.problems
