"""The demo's ledger history: every district, flagged synthetic, verifiable, made once."""

import pytest

from shequ.geo.models import Area
from shequ.timebank import ledger
from shequ.timebank.choices import AccountKind, TransferKind
from shequ.timebank.demo import seed_timebank
from shequ.timebank.models import Account, HelpRequest, Store, Transfer

pytestmark = pytest.mark.django_db


def test_the_demo_history_spans_every_district_and_is_made_once(cast):
    made = seed_timebank(seed=1, password="Demo-password-1!")
    assert made > 0
    districts = set(Area.objects.filter(level="district").values_list("code", flat=True))
    with_store = {s.area.path.split("/")[2] for s in Store.objects.select_related("area")}
    assert with_store == districts and len(districts) == 11  # 深汕特别合作区 included (a store in a street)
    residents = Account.objects.filter(kind=AccountKind.RESIDENT)
    assert (
        residents.exists()
        and not residents.filter(synthetic=False).exclude(owner__username__in=list(cast)).exists()
    )
    kinds = set(Transfer.objects.values_list("kind", flat=True))
    assert {"earn", "group_earn", "family", "donation", "hold", "release", "redeem"} <= kinds
    assert HelpRequest.objects.filter(status="open").count() == 10  # one per district with communities
    # 通存通兑: residents spent credits in another district's pool.
    assert Transfer.objects.filter(kind=TransferKind.DONATION, memo__startswith="异地捐赠").count() == 10
    assert Transfer.objects.filter(
        kind=TransferKind.REDEEM, credit__store__area__path__contains="/4403SS/"
    ).exists()
    report = ledger.verify()
    assert report.ok, report.problems
    assert seed_timebank(seed=1, password="Demo-password-1!") == 0
