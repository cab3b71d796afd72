"""Categories and their attributes in the console (issue 21): city-wide, changed by the city's dispatchers only."""

import pytest

from shequ.access.services import grant_bootstrap
from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.roles import Role
from shequ.appeals.models import Category
from shequ.audit.models import AuditEntry
from shequ.geo.models import Area

pytestmark = pytest.mark.django_db

MISSING = 999999991


@pytest.fixture
def sanitation(db):
    return Category.objects.get(code="sanitation")


def _form(category, **over):
    data = {
        "name": category.name,
        "description": category.description,
        "keywords": category.keywords,
        "default_urgency": category.default_urgency,
        "contact_hours": str(category.contact_hours),
        "is_active": "1",
        "attr-count": "1",
        "attr-1-code": "",
    }
    data.update(over)
    return data


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_the_list_is_the_dispatchers(self, client, cast):
        self.assert_permission_matrix(
            client, url="/console/categories/", in_scope=cast["sunli"], no_role=cast["zhouyu"], page=True
        )

    def test_the_edit_page_is_the_dispatchers(self, client, cast, sanitation):
        self.assert_permission_matrix(
            client,
            url=f"/console/categories/{sanitation.pk}/",
            in_scope=cast["sunli"],
            no_role=cast["lina"],
            page=True,
        )

    def test_saving_is_the_city_dispatchers(self, client, cast, sanitation):
        self.assert_permission_matrix(
            client,
            url=f"/console/categories/{sanitation.pk}/",
            method="post",
            multipart=True,
            data=_form(sanitation),
            ok=(302,),
            in_scope=cast["sunli"],
            no_role=cast["zhaomin"],
            page=True,
        )
        sign_in(client, cast["sunli"])
        assert client.get(f"/console/categories/{MISSING}/").status_code == 404


def test_an_attribute_is_added_and_the_change_audited(client, cast, sanitation):
    sign_in(client, cast["sunli"])
    r = client.post(
        f"/console/categories/{sanitation.pk}/",
        _form(
            sanitation,
            **{
                "contact_hours": "12",
                "attr-1-code": "bin_full",
                "attr-1-description": "垃圾桶是否已满",
                "attr-1-datatype": "singlevaluelist",
                "attr-1-required": "1",
                "attr-1-values": "yes=是；no=否",
            },
        ),
    )
    assert r.status_code == 302
    sanitation.refresh_from_db()
    assert sanitation.contact_hours == 12
    assert sanitation.attributes[0]["values"] == [{"key": "yes", "name": "是"}, {"key": "no", "name": "否"}]
    entry = AuditEntry.objects.get(action="category.update")
    assert entry.actor_username == "sunli" and set(entry.changes) == {"contact_hours", "attributes"}


def test_a_list_without_values_is_refused_in_chinese_and_nothing_written(client, cast, sanitation):
    sign_in(client, cast["sunli"])
    entries = AuditEntry.objects.count()
    r = client.post(
        f"/console/categories/{sanitation.pk}/",
        _form(
            sanitation, **{"attr-1-code": "x", "attr-1-datatype": "singlevaluelist", "contact_hours": "12"}
        ),
    )
    assert r.status_code == 400 and "列表需要填写可选值" in r.content.decode()
    sanitation.refresh_from_db()
    assert sanitation.attributes == [] and AuditEntry.objects.count() == entries


def test_a_district_dispatcher_reads_but_cannot_change_the_city_list(client, cast, make_user, sanitation):
    district = make_user("nanshan_dispatcher")
    grant_bootstrap(user=district, role=Role.DISPATCHER, area=Area.objects.get(code="440305"), reason="test")
    sign_in(client, district)
    assert "只有市级派单员" in client.get(f"/console/categories/{sanitation.pk}/").content.decode()
    r = client.post(f"/console/categories/{sanitation.pk}/", _form(sanitation, name="改名"))
    assert r.status_code == 403
    sanitation.refresh_from_db()
    assert sanitation.name == "环境卫生"
    assert AuditEntry.objects.filter(action="category.refused", actor_username="nanshan_dispatcher").exists()
