import datetime as dt

import pytest

from shequ.access.services import grant_bootstrap
from shequ.accounts.choices import UnitKind
from shequ.accounts.models import Unit, User
from shequ.accounts.roles import Role
from shequ.care import services
from shequ.geo.models import Area


def street(district: str, name: str) -> Area:
    return Area.objects.get(parent__code=district, name=name)


@pytest.fixture
def world(cast, make_resident):
    huafu = street("440304", "华富街道")
    yuehai = street("440305", "粤海街道")
    services.station_ensure(actor=None, street=huafu, name="华富街道社工站")
    # A social worker and a grid worker of another street: same roles, out of scope.
    far_sw = User.objects.create(username="far_sw", display_name="远社工", synthetic=True)
    grant_bootstrap(user=far_sw, role=Role.SOCIAL_WORKER, area=yuehai, reason="test")
    far_grid = User.objects.create(username="far_grid", display_name="远网格", synthetic=True)
    grant_bootstrap(user=far_grid, role=Role.GRID_WORKER, area=yuehai, reason="test")
    department = Unit.objects.get(code="440304-CG")
    assert department.kind == UnitKind.DISTRICT_DEPARTMENT
    elder = make_resident(born=dt.date(1940, 3, 1), name="王秀英")
    child = make_resident(born=dt.date.today().replace(year=dt.date.today().year - 9), name="李小明")
    return {
        **cast,
        "far_sw": far_sw,
        "far_grid": far_grid,
        "department": department,
        "elder": elder,
        "child": child,
        "huafu": huafu,
    }


def membership(world, resident=None, tag="elderly_alone", **kw):
    return services.membership_record(
        actor=world["xuli"],
        resident=resident or world["elder"],
        tag=tag,
        evidence=kw.pop("evidence", "民政局认定书 2026-01"),
        source=kw.pop("source", "civil_affairs"),
        review_date=kw.pop("review_date", dt.date.today() + dt.timedelta(days=180)),
        **kw,
    )


def case_for(world, summary="独居老人，行动不便，家中无人照料"):
    entry = services.grid_report(actor=world["hejun"], resident=world["elder"], summary=summary)
    return services.case_open(actor=world["xuli"], discovery=entry)


NEEDS = {"living": "2", "health": "1", "income": "0", "housing": "0", "family": "2", "safety": "1"}
