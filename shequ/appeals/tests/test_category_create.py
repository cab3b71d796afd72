"""Creating a category in the console (issue 21): the city's dispatchers add a category under a group (or a new
group), audited; a bad code is refused in Chinese with nothing written; a district's dispatcher cannot."""

import pytest

from shequ.access.services import grant_bootstrap
from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.roles import Role
from shequ.appeals.models import Category
from shequ.audit.models import AuditEntry
from shequ.geo.models import Area

pytestmark = pytest.mark.django_db


def _form(**over):
    data = {
        "parent": Category.objects.get(code="sanitation").parent.code,
        "code": "dog_waste",
        "name": "犬只粪便",
        "description": "宠物粪便未清理",
        "keywords": "狗屎,狗粪,宠物粪便",
        "default_urgency": "normal",
        "contact_hours": "24",
        "is_active": "1",
        "attr-count": "1",
        "attr-1-code": "",
    }
    data.update(over)
    return data


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_the_new_category_form_is_the_dispatchers(self, client, cast):
        self.assert_permission_matrix(
            client, url="/console/categories/new/", in_scope=cast["sunli"], no_role=cast["zhouyu"], page=True
        )

    def test_creating_is_the_city_dispatchers(self, client, cast):
        counter = iter(range(100))

        def data():
            return _form(code=f"matrix_{next(counter)}")

        self.assert_permission_matrix(
            client,
            url="/console/categories/new/",
            method="post",
            multipart=True,
            data=data,
            ok=(302,),
            in_scope=cast["sunli"],
            no_role=cast["zhaomin"],
            page=True,
        )
        assert Category.objects.filter(code__startswith="matrix_").count() == 1


def test_a_dispatcher_creates_a_category_that_residents_can_pick(client, cast):
    sign_in(client, cast["sunli"])
    assert "新建类别" in client.get("/console/categories/").content.decode()
    group = Category.objects.get(code="sanitation").parent
    r = client.post("/console/categories/new/", _form(parent=group.code))
    created = Category.objects.get(code="dog_waste")
    assert r.status_code == 302 and r.url == f"/console/categories/{created.pk}/"
    assert created.parent == group and created.name == "犬只粪便" and created.is_active
    assert created.sort > max(c.sort for c in group.children.exclude(pk=created.pk))
    entry = AuditEntry.objects.get(action="category.create")
    assert entry.actor_username == "sunli" and entry.changes["parent"] == {"after": group.code}
    assert "类别已创建。" in client.get(r.url).content.decode()
    # The resident's form offers it.
    sign_in(client, cast["zhangwei"])
    assert "犬只粪便" in client.get("/appeals/new/").content.decode()


def test_a_bad_or_taken_code_is_refused_in_chinese_and_nothing_written(client, cast):
    sign_in(client, cast["sunli"])
    before = (Category.objects.count(), AuditEntry.objects.count())
    r = client.post("/console/categories/new/", _form(code="狗 屎"))
    assert r.status_code == 400 and "请使用 1 至 40 个小写字母" in r.content.decode()
    r = client.post(
        "/console/categories/new/", _form(code="sanitation", default_urgency="utilities", is_active="0")
    )
    assert r.status_code == 400 and "该编码已被使用。" in r.content.decode()
    # What she typed and chose stays in the form.
    page = r.content.decode()
    assert 'value="犬只粪便"' in page
    assert '<option value="utilities" selected>' in page and '<option value="normal" selected>' not in page
    assert '<option value="0" selected>' in page and '<option value="1" selected>' not in page
    assert (Category.objects.count(), AuditEntry.objects.count()) == before


def test_a_district_dispatcher_cannot_create_one(client, cast, make_user):
    district = make_user("nanshan_dispatcher")
    grant_bootstrap(user=district, role=Role.DISPATCHER, area=Area.objects.get(code="440305"), reason="test")
    sign_in(client, district)
    assert client.post("/console/categories/new/", _form()).status_code == 403
    assert not Category.objects.filter(code="dog_waste").exists()
    assert AuditEntry.objects.filter(action="category.refused", actor_username="nanshan_dispatcher").exists()
