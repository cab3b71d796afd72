"""The responsibility list in the console (issue 21): history, .xlsx import with row errors, ending a rule."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shequ.access.services import grant_bootstrap
from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.roles import Role
from shequ.appeals.models import Category, ResponsibilityRule
from shequ.audit.models import AuditEntry
from shequ.geo.models import Area

from .test_rules import sheet, units  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

MISSING = 999999991
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("rules.xlsx", data, content_type=XLSX)


@pytest.fixture
def futian_rule(units):  # noqa: F811
    return ResponsibilityRule.objects.create(
        category=Category.objects.get(code="sanitation"),
        area=units["futian"],
        lead_unit=units["cg"],
        effective_from=date(2024, 1, 1),
        version="2024版",
    )


@pytest.fixture
def nanshan_dispatcher(cast, make_user):
    user = make_user("nanshan_dispatcher")
    grant_bootstrap(user=user, role=Role.DISPATCHER, area=Area.objects.get(code="440305"), reason="test")
    return user


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_the_list_is_the_dispatchers(self, client, cast):
        self.assert_permission_matrix(
            client, url="/console/rules/", in_scope=cast["sunli"], no_role=cast["zhouyu"], page=True
        )

    def test_importing_is_the_dispatchers(self, client, cast, units):  # noqa: F811
        row = ["sanitation", units["huafu"].code, units["office"].code, None, "2025-01-01", None, "v"]
        self.assert_permission_matrix(
            client,
            url="/console/rules/",
            method="post",
            multipart=True,
            data=lambda: {"file": _file(sheet([row])), "check": "1"},
            in_scope=cast["sunli"],
            no_role=cast["zhouyu"],
            page=True,
        )

    def test_ending_a_rule_outside_the_district_is_not_found(
        self, client, cast, futian_rule, nanshan_dispatcher
    ):
        self.assert_permission_matrix(
            client,
            url=f"/console/rules/{futian_rule.pk}/end/",
            method="post",
            multipart=True,
            data={"effective_to": "2026-12-31", "reason": "机构调整"},
            ok=(302,),
            in_scope=cast["sunli"],
            out_of_scope=nanshan_dispatcher,
            no_role=cast["zhouyu"],
            missing_url=f"/console/rules/{MISSING}/end/",
            page=True,
        )


def test_a_bad_row_is_named_in_chinese_and_nothing_is_imported(client, cast, units):  # noqa: F811
    sign_in(client, cast["sunli"])
    rules, entries = ResponsibilityRule.objects.count(), AuditEntry.objects.count()
    bad = sheet(
        [
            ["sanitation", units["huafu"].code, units["office"].code, None, "2025-01-01", None, "v"],
            ["no_such", units["huafu"].code, "NOPE", None, "2025-13-01", None, "v"],
        ]
    )
    r = client.post("/console/rules/", {"file": _file(bad), "import": "1"})
    page = r.content.decode()
    assert r.status_code == 400 and "没有编码为 no_such 的类别" in page and "NOPE" in page
    assert "Unknown" not in page
    assert ResponsibilityRule.objects.count() == rules and AuditEntry.objects.count() == entries


def test_a_checked_file_writes_nothing_and_an_imported_one_is_audited(client, cast, units):  # noqa: F811
    sign_in(client, cast["sunli"])
    good = sheet(
        [["sanitation", units["huafu"].code, units["office"].code, "440304-ZJ", "2025-01-01", None, "v2"]]
    )
    r = client.post("/console/rules/", {"file": _file(good), "check": "1"})
    assert r.status_code == 200 and "文件无误" in r.content.decode()
    assert not ResponsibilityRule.objects.exists()
    r = client.post("/console/rules/", {"file": _file(good), "import": "1"})
    assert r.status_code == 302 and ResponsibilityRule.objects.count() == 1
    assert AuditEntry.objects.filter(action="rules.import", actor_username="sunli").exists()
    assert "华富街道办事处" in client.get("/console/rules/").content.decode()


def test_ending_a_rule_keeps_it_as_history(client, cast, futian_rule):
    sign_in(client, cast["sunli"])
    client.post(f"/console/rules/{futian_rule.pk}/end/", {"effective_to": "2025-06-30", "reason": "职责调整"})
    futian_rule.refresh_from_db()
    assert futian_rule.effective_to == date(2025, 6, 30)
    entry = AuditEntry.objects.get(action="rules.end")
    assert entry.purpose == "职责调整" and entry.changes["effective_to"]["after"] == "2025-06-30"
    assert "2024版" not in client.get("/console/rules/").content.decode()
    assert "2024版" in client.get("/console/rules/", {"history": "1"}).content.decode()


def test_ending_needs_a_reason_and_a_date_after_the_start(client, cast, futian_rule):
    sign_in(client, cast["sunli"])
    entries = AuditEntry.objects.count()
    client.post(f"/console/rules/{futian_rule.pk}/end/", {"effective_to": "2025-06-30", "reason": " "})
    client.post(f"/console/rules/{futian_rule.pk}/end/", {"effective_to": "2023-01-01", "reason": "调整"})
    futian_rule.refresh_from_db()
    assert futian_rule.effective_to is None and AuditEntry.objects.count() == entries
