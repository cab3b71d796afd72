"""Facility upkeep in the console (issue 21): street officers and the city, within their areas, on a map."""

import pytest

from shequ.access.services import grant_bootstrap
from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.roles import Role
from shequ.audit.models import AuditEntry
from shequ.facilities.models import Facility
from shequ.geo.models import Area

from .helpers import ORIGIN, community, make_facility

pytestmark = pytest.mark.django_db

MISSING = 999999991


@pytest.fixture
def yuehai_facility(db):
    return make_facility("粤海社康", (22.53, 113.94), area=community("粤海街道", "440305"))


@pytest.fixture
def huafu_officer(cast, make_user):
    user = make_user("huafu_officer")
    grant_bootstrap(
        user=user, role=Role.STREET_OFFICER, area=Area.objects.get(name="华富街道"), reason="test"
    )
    return user


def _form(area_code: str, **over):
    data = {
        "name": "华富长者食堂",
        "type": "health",
        "area": area_code,
        "address": "华富路1号",
        "phone": "0755-83451234",
        "lat": str(ORIGIN[0]),
        "lng": str(ORIGIN[1]),
        "accessible": "1",
        "is_active": "1",
    }
    data.update(over)
    return data


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_the_list_is_for_those_who_keep_facilities(self, client, cast):
        self.assert_permission_matrix(
            client, url="/console/facilities/", in_scope=cast["wangqiang"], no_role=cast["zhouyu"], page=True
        )

    def test_the_new_facility_form(self, client, cast):
        self.assert_permission_matrix(
            client, url="/console/facilities/new/", in_scope=cast["chenjing"], no_role=cast["lina"], page=True
        )

    def test_adding_a_facility(self, client, cast):
        yuehai = community("粤海街道", "440305").code
        self.assert_permission_matrix(
            client,
            url="/console/facilities/new/",
            method="post",
            multipart=True,
            data=_form(yuehai, lat="22.53", lng="113.94"),
            ok=(302,),
            in_scope=cast["wangqiang"],
            no_role=cast["zhaomin"],
            page=True,
        )

    def test_a_facility_outside_the_street_is_not_found(self, client, cast, yuehai_facility, huafu_officer):
        self.assert_permission_matrix(
            client,
            url=f"/console/facilities/{yuehai_facility.pk}/",
            in_scope=cast["wangqiang"],
            out_of_scope=huafu_officer,
            no_role=cast["wujun"],
            missing_url=f"/console/facilities/{MISSING}/",
            page=True,
        )

    def test_editing_a_facility_outside_the_street_is_not_found(
        self, client, cast, yuehai_facility, huafu_officer
    ):
        self.assert_permission_matrix(
            client,
            url=f"/console/facilities/{yuehai_facility.pk}/",
            method="post",
            multipart=True,
            data=_form(yuehai_facility.area.code, name="粤海社康中心", lat="22.53", lng="113.94"),
            ok=(302,),
            in_scope=cast["wangqiang"],
            out_of_scope=huafu_officer,
            no_role=cast["wujun"],
            missing_url=f"/console/facilities/{MISSING}/",
            page=True,
        )


def test_a_facility_is_added_on_the_map_and_its_move_audited(client, huafu_officer):
    sign_in(client, huafu_officer)
    home = community().code
    assert client.post("/console/facilities/new/", _form(home)).status_code == 302
    facility = Facility.objects.get(name="华富长者食堂")
    assert facility.accessible and abs(facility.lat - ORIGIN[0]) < 1e-6
    client.post(f"/console/facilities/{facility.pk}/", _form(home, lat="22.56", is_active="0"))
    facility.refresh_from_db()
    assert facility.lat == 22.56 and not facility.is_active
    entry = AuditEntry.objects.get(action="facility.update")
    assert entry.actor_username == "huafu_officer" and set(entry.changes) == {"lat", "is_active"}
    page = client.get("/console/facilities/").content.decode()
    assert "华富长者食堂" in page and 'id="facility-points"' in page


def test_a_mobile_number_is_refused_in_chinese_and_nothing_written(client, huafu_officer):
    sign_in(client, huafu_officer)
    entries = AuditEntry.objects.count()
    r = client.post("/console/facilities/new/", _form(community().code, phone="13912345678"))
    assert r.status_code == 400 and "手机号" in r.content.decode()
    assert not Facility.objects.filter(name="华富长者食堂").exists() and AuditEntry.objects.count() == entries


def test_a_facility_cannot_be_placed_outside_ones_street(client, huafu_officer):
    sign_in(client, huafu_officer)
    r = client.post("/console/facilities/new/", _form(community("粤海街道", "440305").code))
    assert r.status_code == 403 and not Facility.objects.filter(name="华富长者食堂").exists()
    assert AuditEntry.objects.filter(action="facility.refused", actor_username="huafu_officer").exists()
