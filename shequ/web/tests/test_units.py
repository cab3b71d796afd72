"""Units and their areas in the console (issue 21): the system admin, within his areas, audited."""

import pytest

from shequ.access.services import grant_bootstrap, unit_create
from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.choices import UnitKind
from shequ.accounts.models import Unit
from shequ.accounts.roles import Role
from shequ.audit.models import AuditEntry
from shequ.geo.models import Area

pytestmark = pytest.mark.django_db

MISSING = 999999991


@pytest.fixture
def futian_sys(cast, make_user):
    admin = make_user("futian_sys")
    grant_bootstrap(user=admin, role=Role.SYSTEM_ADMIN, area=Area.objects.get(code="440304"), reason="test")
    return admin


@pytest.fixture
def nanshan_unit(cast):
    return unit_create(
        actor=cast["zhouyu"],
        code="440305-TEST",
        name="南山区测试局",
        kind=UnitKind.DISTRICT_DEPARTMENT,
        area=Area.objects.get(code="440305"),
    )


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_the_unit_list_is_the_system_admins(self, client, cast):
        self.assert_permission_matrix(
            client, url="/console/units/", in_scope=cast["zhouyu"], no_role=cast["wujun"], page=True
        )

    def test_the_new_unit_form_is_the_system_admins(self, client, cast):
        self.assert_permission_matrix(
            client, url="/console/units/new/", in_scope=cast["zhouyu"], no_role=cast["sunli"], page=True
        )

    def test_creating_a_unit_is_the_system_admins(self, client, cast):
        counter = iter(range(100))
        self.assert_permission_matrix(
            client,
            url="/console/units/new/",
            method="post",
            multipart=True,
            data=lambda: {
                "code": f"M{next(counter)}",
                "name": "测试",
                "kind": "street_office",
                "area": "440304009",
            },
            ok=(302,),
            in_scope=cast["zhouyu"],
            no_role=cast["zhaomin"],
            page=True,
        )

    def test_a_unit_outside_the_district_is_not_found(self, client, cast, futian_sys, nanshan_unit):
        self.assert_permission_matrix(
            client,
            url=f"/console/units/{nanshan_unit.pk}/",
            in_scope=cast["zhouyu"],
            out_of_scope=futian_sys,
            no_role=cast["wujun"],
            missing_url=f"/console/units/{MISSING}/",
            page=True,
        )

    def test_editing_a_unit_outside_the_district_is_not_found(self, client, cast, futian_sys, nanshan_unit):
        self.assert_permission_matrix(
            client,
            url=f"/console/units/{nanshan_unit.pk}/",
            method="post",
            multipart=True,
            data={"name": "南山区测试局", "kind": "district_department", "area": "440305", "is_active": "1"},
            ok=(302,),
            in_scope=cast["zhouyu"],
            out_of_scope=futian_sys,
            no_role=cast["wujun"],
            missing_url=f"/console/units/{MISSING}/",
            page=True,
        )


def test_a_unit_is_created_and_moved_with_audit_entries(client, cast):
    sign_in(client, cast["zhouyu"])
    r = client.post(
        "/console/units/new/",
        {"code": "440304009-WY", "name": "华富物业", "kind": "property_company", "area": "440304009"},
    )
    unit = Unit.objects.get(code="440304009-WY")
    assert r.status_code == 302 and unit.area.code == "440304009"
    client.post(
        f"/console/units/{unit.pk}/",
        {"name": "华富物业公司", "kind": "property_company", "area": "440304", "is_active": "0"},
    )
    unit.refresh_from_db()
    assert unit.name == "华富物业公司" and unit.area.code == "440304" and not unit.is_active
    entry = AuditEntry.objects.get(action="unit.update")
    assert entry.actor_username == "zhouyu" and entry.changes["area"] == {
        "before": "440304009",
        "after": "440304",
    }
    assert AuditEntry.objects.filter(action="unit.create", actor_username="zhouyu").exists()


def test_a_district_admin_cannot_place_or_move_a_unit_outside_his_district(client, cast, futian_sys):
    sign_in(client, futian_sys)
    units, entries = Unit.objects.count(), AuditEntry.objects.count()
    r = client.post(
        "/console/units/new/", {"code": "X1", "name": "越界", "kind": "street_office", "area": "440305"}
    )
    assert r.status_code == 400 and "您负责的区域内没有此编码的区域" in r.content.decode()
    assert Unit.objects.count() == units and AuditEntry.objects.count() == entries


def test_a_taken_code_is_refused_in_chinese_and_nothing_is_written(client, cast, nanshan_unit):
    sign_in(client, cast["zhouyu"])
    entries = AuditEntry.objects.count()
    r = client.post(
        "/console/units/new/",
        {"code": "440305-TEST", "name": "重复", "kind": "street_office", "area": "440305"},
    )
    assert r.status_code == 400 and "已有单位使用此编码" in r.content.decode()
    assert Unit.objects.filter(code="440305-TEST").count() == 1 and AuditEntry.objects.count() == entries
