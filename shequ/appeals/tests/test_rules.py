import io
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from shequ.access.testing import sign_in
from shequ.accounts.models import Unit
from shequ.appeals.models import Category, ResponsibilityRule
from shequ.appeals.services import IntakeData, appeal_submit, match_rule
from shequ.audit.models import AuditEntry
from shequ.geo.models import Area

pytestmark = pytest.mark.django_db

HEADER = ["类别代码", "区域代码", "主办单位代码", "协办单位代码", "生效日期", "失效日期", "版本"]


def sheet(rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def units(cast):
    futian = Area.objects.get(code="440304")
    huafu = Area.objects.get(name="华富街道")
    cg = Unit.objects.get(code="440304-CG")
    zj, _ = Unit.objects.get_or_create(
        code="440304-ZJ",
        defaults={"name": "福田区住房和建设局", "kind": "district_department", "area": futian},
    )
    office, _ = Unit.objects.get_or_create(
        code=f"{huafu.code}-JDB", defaults={"name": "华富街道办事处", "kind": "street_office", "area": huafu}
    )
    return {"cg": cg, "zj": zj, "office": office, "futian": futian, "huafu": huafu}


def test_a_good_list_imports_and_the_deepest_rule_wins(cast, units):
    data = sheet(
        [
            ["city_management", "440304", "440304-CG", "440304-ZJ", "2024-01-01", None, "2026版"],
            ["sanitation", units["huafu"].code, units["office"].code, None, date(2024, 1, 1), None, "2026版"],
        ]
    )
    call_command("responsibility_list", _tmp(data), stdout=StringIO())
    assert ResponsibilityRule.objects.count() == 2
    assert set(ResponsibilityRule.objects.get(area=units["futian"]).co_units.all()) == {units["zj"]}
    community = units["huafu"].children.first()
    appeal = appeal_submit(
        actor=None,
        data=IntakeData(
            text="路边垃圾很多没人清理", channel="portal", category="sanitation", area=community.code
        ),
    )
    assert appeal.lead_unit == units["office"]  # the street's own line beats the district's
    street_vending = appeal_submit(
        actor=None,
        data=IntakeData(
            text="门口有人摆摊占道", channel="portal", category="street_vending", area=community.code
        ),
    )
    assert street_vending.lead_unit == units["cg"]  # the parent category's district line
    assert AuditEntry.objects.filter(action="rules.import", channel="command").exists()


def test_one_bad_row_writes_nothing_and_names_the_row(cast, units, tmp_path):
    data = sheet(
        [
            ["city_management", "440304", "440304-CG", None, "2024-01-01", None, "v"],
            ["no_such_category", "440304", "440304-XX", None, "2024-13-01", None, "v"],
        ]
    )
    with pytest.raises(CommandError, match="^3 problems: nothing imported$"):  # category, unit, date
        call_command("responsibility_list", _tmp(data), stdout=StringIO(), stderr=StringIO())
    assert not ResponsibilityRule.objects.exists()


def test_an_expired_rule_no_longer_applies(cast, units):
    cat = Category.objects.get(code="city_management")
    ResponsibilityRule.objects.create(
        category=cat,
        area=units["futian"],
        lead_unit=units["cg"],
        effective_from=date(2020, 1, 1),
        effective_to=date(2021, 1, 1),
    )
    appeal = appeal_submit(
        actor=None,
        data=IntakeData(text="路灯坏了好几天", channel="portal", category="greening", area="440304"),
    )
    assert appeal.lead_unit is None and match_rule(appeal) is None
    assert appeal.status == "submitted"  # waits in the dispatcher's queue


def test_the_api_import_needs_the_dispatcher_role(client, cast, units):
    data = sheet([["city_management", "440304", "440304-CG", None, "2024-01-01", None, "v"]])
    sign_in(client, cast["lina"])
    r = client.post("/api/v1/appeals/rules/import", {"file": _upload(data)})
    assert r.status_code == 403
    sign_in(client, cast["sunli"])
    r = client.post("/api/v1/appeals/rules/import", {"file": _upload(data)})
    assert r.status_code == 200 and r.json()["created"] == 1
    listed = client.get("/api/v1/appeals/rules").json()
    assert listed["count"] == 1 and listed["items"][0]["lead_unit"] == "440304-CG"


def test_the_api_reports_bad_rows(client, cast, units):
    sign_in(client, cast["sunli"])
    r = client.post(
        "/api/v1/appeals/rules/import",
        {"file": _upload(sheet([["city_management", "999999", "440304-CG", None, "2024-01-01"]]))},
    )
    assert r.status_code == 400 and r.json()["code"] == "import_rejected"
    assert r.json()["errors"][0]["row"] == 2 and r.json()["errors"][0]["column"] == "区域代码"


def _tmp(data: bytes) -> str:
    import tempfile

    f = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)
    f.write(data)
    f.close()
    return f.name


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "rules.xlsx", data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
