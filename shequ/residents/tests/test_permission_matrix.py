"""The permission matrix (DESIGN.md §8) on the residents' console pages (the audited reveal, the .xlsx import, the
masked export) and on the import API seen from another street: anonymous to sign in, roles without the action
refused, the worker of the street succeeds, and someone out of scope gets what a missing resident or area gets.
Every write is checked afterwards: only the call in scope wrote (a reveal is a write: it is audited)."""

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from shequ.access.services import grant_bootstrap
from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.roles import Role
from shequ.audit.models import AuditEntry
from shequ.core.idnumbers import make_id_number
from shequ.geo.models import Area
from shequ.residents.models import Resident

pytestmark = pytest.mark.django_db

HUASHAN = "440304009002"  # 华山社区, 华富街道 (lina's street)
KEJIYUAN = "440305007003"  # 科技园社区, 粤海街道
UNKNOWN = "440399999999"
HEADER = ["姓名", "身份证号", "手机", "社区代码", "房号", "与户主关系", "户号", "标签"]


def upload(area: str = HUASHAN, name: str = "矩阵居民") -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(
        [name, make_id_number("440304", date(1980, 1, 2), 77, "male"), "", area, "1栋101室", "户主", "", ""]
    )
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(
        "residents.xlsx",
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@pytest.fixture
def nobody(make_user):
    return make_user("nobody")


@pytest.fixture
def huafu(make_resident):
    return make_resident(name="华富居民", phone="13912345678")


@pytest.fixture
def yuehai_worker(cast, make_user):
    """A community worker of 粤海街道: lina's powers, another street."""
    user = make_user("yuehai_worker")
    grant_bootstrap(
        user=user,
        role=Role.COMMUNITY_WORKER,
        area=Area.objects.get(parent__code="440305", name="粤海街道"),
        reason="matrix tests",
    )
    return user


class TestConsoleReveal(PermissionMatrixMixin):
    def test_console_reveal_permission_matrix(self, client, cast, nobody, huafu):
        self.assert_permission_matrix(
            client,
            url=f"/console/residents/{huafu.pk}/reveal/",
            method="post",
            multipart=True,
            data={"fields": ["phone"], "purpose": "入户走访"},
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=nobody,
            missing_url="/console/residents/999999/reveal/",
            page=True,
        )
        for refused in ("chenjing", "zhangwei", "zhouyu", "wujun", "zhaomin"):  # no reveal power: 403
            sign_in(client, cast[refused])
            r = client.post(f"/console/residents/{huafu.pk}/reveal/", {"fields": ["phone"], "purpose": "x"})
            assert r.status_code == 403, refused
        reveals = AuditEntry.objects.filter(action="resident.reveal", object_id=str(huafu.pk))
        assert list(reveals.values_list("actor_username", flat=True)) == ["lina"]  # only the call in scope


class TestConsoleImport(PermissionMatrixMixin):
    URL = "/console/residents/import/"

    def test_console_import_page_permission_matrix(self, client, cast, nobody):
        self.assert_permission_matrix(client, url=self.URL, in_scope=cast["lina"], no_role=nobody, page=True)

    def test_console_import_upload_permission_matrix(self, client, cast, nobody):
        self.assert_permission_matrix(
            client,
            url=self.URL,
            method="post",
            multipart=True,
            data=lambda: {"file": upload()},
            in_scope=cast["lina"],
            no_role=nobody,
            page=True,
        )
        for refused in ("wangqiang", "chenjing", "zhangwei", "zhouyu", "wujun", "zhaomin"):
            sign_in(client, cast[refused])
            assert client.post(self.URL, {"file": upload()}).status_code == 403, refused
        assert Resident.objects.filter(name="矩阵居民").count() == 1  # only lina's upload wrote

    def test_a_worker_of_another_street_reads_the_area_as_unknown_on_the_page(self, client, yuehai_worker):
        sign_in(client, yuehai_worker)
        outside = client.post(self.URL, {"file": upload(HUASHAN)})
        missing = client.post(self.URL, {"file": upload(UNKNOWN)})
        assert outside.status_code == missing.status_code == 400
        assert _report(outside).replace(HUASHAN, "<code>") == _report(missing).replace(UNKNOWN, "<code>")
        assert not Resident.objects.filter(name="矩阵居民").exists()


def _report(response) -> str:
    """The row report of the import page (the page around it carries a fresh CSRF token on every answer)."""
    html = response.content.decode()
    start = html.index("<table")
    return html[start : html.index("</table>", start)]


class TestImportApiOutOfScope:
    URL = "/api/v1/residents/import"

    def test_a_worker_of_another_street_reads_the_area_as_unknown(self, client, yuehai_worker):
        sign_in(client, yuehai_worker)
        outside = client.post(self.URL, {"file": upload(HUASHAN)})
        missing = client.post(self.URL, {"file": upload(UNKNOWN)})
        assert outside.status_code == missing.status_code == 400
        assert outside.content.replace(HUASHAN.encode(), b"<code>") == missing.content.replace(
            UNKNOWN.encode(), b"<code>"
        )
        assert client.post(self.URL, {"file": upload(KEJIYUAN)}).status_code == 200  # his own street


class TestConsoleExport(PermissionMatrixMixin):
    URL = "/console/residents/export/"

    def test_console_export_permission_matrix(self, client, cast, nobody, huafu, make_resident):
        make_resident("440305", "粤海街道", name="粤海居民")
        self.assert_permission_matrix(
            client, url=f"{self.URL}?format=csv", in_scope=cast["lina"], no_role=nobody, page=True
        )
        for refused in ("zhangwei", "zhouyu", "wujun", "zhaomin"):
            sign_in(client, cast[refused])
            assert client.get(self.URL, {"format": "csv"}).status_code == 403, refused
        sign_in(client, cast["lina"])
        names = [row[0] for row in _csv(client.get(self.URL, {"format": "csv"}))]
        assert "华富居民" in names and "粤海居民" not in names
        sign_in(client, cast["wangqiang"])  # out of scope: his own street only, even when he names lina's
        assert "华富居民" not in [row[0] for row in _csv(client.get(self.URL, {"format": "csv"}))]
        named = client.get(self.URL, {"format": "csv", "area": HUASHAN})
        assert named.status_code == 200 and [row[0] for row in _csv(named)] == ["姓名"]
        exports = AuditEntry.objects.filter(action="residents.export")
        assert set(exports.values_list("actor_username", flat=True)) == {"lina", "wangqiang"}


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
