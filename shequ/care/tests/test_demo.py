"""The demo's care data: special groups, the queue, open and closed cases across districts, made once."""

import datetime as dt

import pytest

from shequ.accounts.choices import UnitKind
from shequ.accounts.models import Unit
from shequ.care.demo import seed_care
from shequ.care.models import Case, Discovery, GroupMembership, Referral, Station
from shequ.geo.models import Area
from shequ.residents.models import Resident

pytestmark = pytest.mark.django_db


def test_the_demo_has_special_groups_and_open_and_closed_cases_in_two_districts_and_is_made_once(
    cast, make_resident
):
    for district, street in (("440304", "华富街道"), ("440305", "粤海街道")):
        for year in (1938, 1944, 1950, 1955):
            make_resident(district, street, born=dt.date(year, 2, 2), name="演示老人")
        make_resident(
            district, street, born=dt.date.today().replace(year=dt.date.today().year - 8), name="演示儿童"
        )
    Resident.objects.update(synthetic=True)
    Unit.objects.create(
        code="440304-MZ",
        name="福田区民政局",
        kind=UnitKind.DISTRICT_DEPARTMENT,
        area=Area.objects.get(code="440304"),
    )
    made = seed_care(seed=1)
    assert made["cases"] >= 4 and made["memberships"] >= 10
    assert set(Case.objects.values_list("status", flat=True)) == {"serving", "closed"}
    districts = {c.area.path.split("/")[2] for c in Case.objects.select_related("area")}
    assert {"440304", "440305"} <= districts
    assert Case.objects.filter(worker__username="xuli").exists()
    assert Discovery.objects.filter(status="open", resident__area__path__contains="/440304/").exists()
    assert Discovery.objects.filter(status="dismissed").exists()
    assert Referral.objects.filter(urgent=True).count() == 1
    assert not GroupMembership.objects.filter(synthetic=False).exists()
    assert Station.objects.filter(area__name="华富街道").exists()
    assert seed_care(seed=1) == {}
