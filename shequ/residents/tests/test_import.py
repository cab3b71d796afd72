"""Import of residents from .xlsx: every row checked first, all rows or none written, errors masked."""

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation
from openpyxl import Workbook

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.audit.models import AuditEntry
from shequ.core.errors import ShequError
from shequ.core.idnumbers import make_id_number
from shequ.core.masking import find_unmasked, mask_id_number, mask_phone
from shequ.residents import importing
from shequ.residents.importing import residents_import
from shequ.residents.models import Household, Resident

pytestmark = pytest.mark.django_db

HUASHAN = "440304009002"  # 华山社区, 华富街道 (lina's street)
HUANGMUGANG = "440304009004"  # 黄木岗社区, 华富街道
KEJIYUAN = "440305007003"  # 科技园社区, 粤海街道 (wangqiang's street, not lina's)
HEADER = ["姓名", "身份证号", "手机", "社区代码", "房号", "与户主关系", "户号", "标签"]
URL = "/api/v1/residents/import"


@pytest.fixture(autouse=True)
def english():
    """The services speak the active language (zh-hans first); the assertions below read the English."""
    with translation.override("en"):
        yield


def idn(seq: int, gender: str = "male") -> str:
    return make_id_number("440304", date(1985, 3, 9), seq, gender)


def xlsx(rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "residents.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def good_rows():
    return [
        ["张建国", idn(1), "13912340001", HUASHAN, "3栋402室", "户主", "H1", "党员"],
        ["李秀英", idn(2, "female"), "", HUASHAN, "3栋402室", "配偶", "H1", "低保、dibao"],
        ["王小明", idn(3), "0755-83451234", HUANGMUGANG, "1栋101室", "户主", "", "独居老人,高龄老人"],
    ]


def test_a_good_file_creates_households_grouped_by_key_with_tags(cast):
    before = Resident.objects.count()
    report = residents_import(actor=cast["lina"], fileobj=upload(xlsx(good_rows())))

    assert report.ok and report.errors == []
    assert (report.created_residents, report.created_households) == (3, 2)
    assert Resident.objects.count() == before + 3
    zhang = Resident.objects.get(name="张建国")
    li = Resident.objects.get(name="李秀英")
    wang = Resident.objects.get(name="王小明")
    assert zhang.household_id == li.household_id != wang.household_id
    assert zhang.household.room == "3栋402室" and zhang.area.code == HUASHAN
    assert li.relation == "配偶" and li.gender == "female" and li.birth_date == date(1985, 3, 9)
    assert sorted(t.code for t in li.tags.all()) == ["dibao"]
    assert sorted(t.code for t in wang.tags.all()) == ["elderly_80", "elderly_alone"]
    assert wang.phone == "0755-83451234"
    entry = AuditEntry.objects.filter(action="residents.import").get()
    assert entry.actor_username == "lina"
    assert entry.changes["created_residents"]["after"] == 3
    assert entry.changes["created_households"]["after"] == 2


def test_imported_id_numbers_and_phones_are_encrypted_at_rest(cast):
    residents_import(actor=cast["lina"], fileobj=upload(xlsx(good_rows())))
    resident = Resident.objects.get(name="张建国")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number, phone FROM {Resident._meta.db_table} WHERE id = %s", [resident.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert resident.id_number == idn(1)
    assert idn(1) not in raw_id and "13912340001" not in raw_phone
    assert find_unmasked(raw_id) == [] and find_unmasked(raw_phone) == []


def test_english_headers_are_accepted(cast):
    header = ["name", "id_number", "phone", "area", "room", "relation", "household_key", "tags"]
    report = residents_import(actor=cast["lina"], fileobj=upload(xlsx(good_rows(), header=header)))
    assert report.ok and report.created_residents == 3


def test_a_dry_run_reports_what_it_would_create_and_writes_nothing(cast):
    before = Resident.objects.count()
    report = residents_import(actor=cast["lina"], fileobj=upload(xlsx(good_rows())), dry_run=True)
    assert report.ok and report.dry_run
    assert (report.created_residents, report.created_households) == (3, 2)
    assert Resident.objects.count() == before
    assert not AuditEntry.objects.filter(action="residents.import").exists()


def test_one_bad_row_among_good_ones_writes_nothing_and_names_that_row(cast):
    bad_id = idn(4)[:17] + ("0" if idn(4)[17] != "0" else "1")  # a wrong check digit
    rows = [*good_rows(), ["赵六", bad_id, "13912340004", HUASHAN, "", "", "", ""]]
    residents, households = Resident.objects.count(), Household.objects.count()
    audits = AuditEntry.objects.count()

    report = residents_import(actor=cast["lina"], fileobj=upload(xlsx(rows)))

    assert not report.ok
    assert len(report.errors) == 1
    error = report.errors[0]
    assert (error.row, error.column) == (5, "身份证号")
    assert mask_id_number(bad_id) in error.message and "check digit" in error.message
    assert bad_id not in error.message
    assert (Resident.objects.count(), Household.objects.count()) == (residents, households)
    assert AuditEntry.objects.count() == audits


def test_every_bad_row_is_reported_at_once_in_row_order(cast):
    rows = [
        ["", idn(5), "", HUASHAN, "", "", "", ""],
        ["钱七", "44030419850309", "", HUASHAN, "", "", "", ""],
        ["孙八", idn(6), "1391234", HUASHAN, "", "", "", "不存在的标签"],
    ]
    report = residents_import(actor=cast["lina"], fileobj=upload(xlsx(rows)))
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "姓名"),
        (3, "身份证号"),
        (4, "手机"),
        (4, "标签"),
    ]
    assert "18 characters; this one has 14" in report.errors[1].message
    assert mask_phone("1391234") in report.errors[2].message and "1391234" not in report.errors[2].message
    assert "不存在的标签" in report.errors[3].message


def test_a_bad_phone_is_reported_masked_never_in_full(cast):
    phone = "139123456789"  # 12 digits
    rows = [["周九", idn(7), phone, HUASHAN, "", "", "", ""]]
    report = residents_import(actor=cast["lina"], fileobj=upload(xlsx(rows)))
    (error,) = report.errors
    assert error.column == "手机" and "11 digits" in error.message
    assert phone not in error.message and mask_phone(phone) in error.message


def test_a_duplicate_id_number_within_the_file_is_reported_on_its_second_row(cast):
    rows = [
        ["吴一", idn(8), "", HUASHAN, "", "", "", ""],
        ["吴二", idn(9), "", HUASHAN, "", "", "", ""],
        ["吴三", idn(8), "", HUASHAN, "", "", "", ""],
    ]
    report = residents_import(actor=cast["lina"], fileobj=upload(xlsx(rows)))
    (error,) = report.errors
    assert (error.row, error.column) == (4, "身份证号")
    assert "row 2" in error.message and mask_id_number(idn(8)) in error.message
    assert idn(8) not in error.message
    assert not Resident.objects.filter(name__startswith="吴").exists()


def test_an_id_number_already_registered_is_reported(cast, make_resident):
    existing = make_resident()
    rows = [["郑十", existing.id_number, "", HUASHAN, "", "", "", ""]]
    report = residents_import(actor=cast["lina"], fileobj=upload(xlsx(rows)))
    (error,) = report.errors
    assert error.row == 2 and "already registered" in error.message
    assert existing.id_number not in error.message


def test_an_area_outside_the_workers_street_is_reported_exactly_like_an_unknown_one(cast):
    rows = [
        ["冯一", idn(10), "", KEJIYUAN, "", "", "", ""],
        ["冯二", idn(11), "", "440399999999", "", "", "", ""],
    ]
    report = residents_import(actor=cast["lina"], fileobj=upload(xlsx(rows)))
    outside, missing = report.errors
    assert outside.column == missing.column == "社区代码"
    assert outside.message.replace(KEJIYUAN, "<code>") == missing.message.replace("440399999999", "<code>")
    assert "Unknown area code" in outside.message
    assert not Resident.objects.filter(name__startswith="冯").exists()


def test_a_street_is_too_coarse_for_a_household(cast):
    rows = [["陈一", idn(12), "", "440304009", "", "", "", ""]]  # 华富街道 itself
    (error,) = residents_import(actor=cast["lina"], fileobj=upload(xlsx(rows))).errors
    assert "community, grid, estate or building" in error.message


def test_a_household_key_at_two_addresses_is_reported(cast):
    rows = [
        ["褚一", idn(13), "", HUASHAN, "1栋", "", "K", ""],
        ["褚二", idn(14), "", HUANGMUGANG, "1栋", "", "K", ""],
    ]
    (error,) = residents_import(actor=cast["lina"], fileobj=upload(xlsx(rows))).errors
    assert (error.row, error.column) == (3, "户号") and "row 2" in error.message


def test_an_id_number_typed_as_a_number_is_reported_as_rounded_by_excel(cast):
    number = next(idn(s) for s in range(15, 40) if idn(s)[-1] != "X")
    rows = [["卫一", int(number), "", HUASHAN, "", "", "", ""]]
    (error,) = residents_import(actor=cast["lina"], fileobj=upload(xlsx(rows))).errors
    assert error.column == "身份证号" and "format the column as text" in error.message
    assert number not in error.message


def test_a_missing_required_column_is_reported_on_row_1(cast):
    header = ["姓名", "手机", "社区代码"]
    report = residents_import(actor=cast["lina"], fileobj=upload(xlsx([["蒋一", "", HUASHAN]], header)))
    (error,) = report.errors
    assert (error.row, error.column) == (1, "身份证号") and "missing" in error.message


def test_a_value_pasted_into_the_wrong_column_is_masked_in_the_message(cast):
    rows = [["沈一", idn(16), "", idn(17), "", "", "", ""]]  # an ID number in the area column
    (error,) = residents_import(actor=cast["lina"], fileobj=upload(xlsx(rows))).errors
    assert error.column == "社区代码" and find_unmasked(error.message) == []


def test_a_file_that_is_not_xlsx_is_refused_whatever_its_name(cast):
    csv_named_xlsx = "姓名,身份证号\n韩一,x\n".encode()
    with pytest.raises(ShequError) as exc:
        residents_import(actor=cast["lina"], fileobj=upload(csv_named_xlsx))
    assert exc.value.code == "invalid_file" and ".xlsx" in exc.value.message

    with pytest.raises(ShequError) as exc:
        residents_import(actor=cast["lina"], fileobj=upload(xlsx(good_rows()), name="residents.csv"))
    assert exc.value.code == "invalid_file"

    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(ShequError) as exc:
        residents_import(actor=cast["lina"], fileobj=upload(other_zip.getvalue()))
    assert exc.value.code == "invalid_file" and "could not be read" in exc.value.message


def test_a_file_with_too_many_rows_is_refused(cast, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    with pytest.raises(ShequError) as exc:
        residents_import(actor=cast["lina"], fileobj=upload(xlsx(good_rows())))
    assert exc.value.code == "invalid_file" and "more than 2 rows" in exc.value.message
    assert not Resident.objects.filter(name="张建国").exists()


def test_a_file_over_the_size_limit_is_refused(cast, monkeypatch):
    monkeypatch.setattr(importing, "MAX_BYTES", 1024)
    with pytest.raises(ShequError) as exc:
        residents_import(actor=cast["lina"], fileobj=upload(xlsx(good_rows())))
    assert exc.value.code == "invalid_file" and "larger than" in exc.value.message


def test_a_sheet_with_only_a_header_is_refused(cast):
    with pytest.raises(ShequError) as exc:
        residents_import(actor=cast["lina"], fileobj=upload(xlsx([])))
    assert "no residents" in exc.value.message


def test_a_failure_midway_through_the_writes_leaves_nothing(cast, monkeypatch):
    real = importing.resident_create
    calls = {"n": 0}

    def second_one_fails(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ShequError("A resident with this ID number is already registered.", code="duplicate")
        return real(**kwargs)

    monkeypatch.setattr(importing, "resident_create", second_one_fails)
    residents, households = Resident.objects.count(), Household.objects.count()
    report = residents_import(actor=cast["lina"], fileobj=upload(xlsx(good_rows())))
    assert not report.ok and report.errors[0].row == 3
    assert (Resident.objects.count(), Household.objects.count()) == (residents, households)
    assert not AuditEntry.objects.filter(action__in=["residents.import", "resident.create"]).exists()


# --- the API ------------------------------------------------------------------------------------------------


class TestImportEndpoint(PermissionMatrixMixin):
    def test_anonymous_gets_401_no_role_403_and_lina_imports(self, client, cast, make_user, monkeypatch):
        self.assert_permission_matrix(
            client,
            url=URL,
            method="post",
            multipart=True,
            data=lambda: {"file": upload(xlsx(good_rows()))},
            in_scope=cast["lina"],
            no_role=make_user("nobody"),
        )
        assert Resident.objects.filter(name="张建国", area__code=HUASHAN).exists()

    def test_a_street_officer_may_not_import(self, client, cast):
        sign_in(client, cast["wangqiang"])
        r = client.post(URL, {"file": upload(xlsx(good_rows()))})
        assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_a_good_upload_answers_200_with_the_report(client, cast):
    sign_in(client, cast["lina"])
    r = client.post(URL, {"file": upload(xlsx(good_rows())), "dry_run": "true"})
    assert r.status_code == 200
    assert r.json() == {
        "ok": True,
        "dry_run": True,
        "created_residents": 3,
        "created_households": 2,
        "errors": [],
    }


def test_bad_rows_answer_400_with_the_error_shape_and_the_row_list(client, cast):
    bad_phone = "12912340001"
    rows = [*good_rows(), ["杨一", idn(20), bad_phone, HUASHAN, "", "", "", ""]]
    sign_in(client, cast["lina"])
    r = client.post(URL, {"file": upload(xlsx(rows))})
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "import_rejected" and body["fields"] == {} and "nothing" in body["message"]
    assert body["errors"] == [
        {"row": 5, "column": "手机", "message": body["errors"][0]["message"]},
    ]
    assert mask_phone(bad_phone) in body["errors"][0]["message"]
    assert not Resident.objects.filter(name="张建国").exists()


def test_a_wrong_file_type_answers_400_invalid_file(client, cast):
    sign_in(client, cast["lina"])
    r = client.post(URL, {"file": SimpleUploadedFile("r.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100)})
    assert r.status_code == 400 and r.json()["code"] == "invalid_file"


# --- the console page ---------------------------------------------------------------------------------------


def test_the_import_page_has_a_labelled_upload_form_with_csrf(client, cast):
    sign_in(client, cast["lina"])
    html = client.get("/console/residents/import/").content.decode()
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert '<label class="form-label" for="import-file">' in html and 'id="import-file"' in html
    assert '<label class="form-check-label" for="import-dry-run">' in html


def test_the_import_page_is_refused_to_a_street_officer_and_anonymous(client, cast):
    assert client.get("/console/residents/import/").status_code == 302
    sign_in(client, cast["wangqiang"])
    assert client.get("/console/residents/import/").status_code == 403


def test_the_import_page_shows_the_row_report_then_the_success_counts(client, cast):
    sign_in(client, cast["lina"])
    bad = [*good_rows(), ["杨二", idn(21), "", KEJIYUAN, "", "", "", ""]]
    r = client.post("/console/residents/import/", {"file": upload(xlsx(bad))})
    assert r.status_code == 400
    html = r.content.decode()
    assert "<td>5</td><td>社区代码</td>" in html and "未知的区域代码" in html  # zh-hans first

    r = client.post("/console/residents/import/", {"file": upload(xlsx(good_rows()))})
    assert r.status_code == 200
    assert "已导入 2 户共 3 名居民。" in r.content.decode()
    assert Resident.objects.filter(name="王小明").exists()
