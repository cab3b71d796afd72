"""The community registries (issue 29 item 3): a community worker keeps them in her areas; the .xlsx import refuses
a bad file with row errors and writes nothing; exports; the figures the plan's indicators read."""

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.audit.models import AuditEntry
from shequ.geo.models import Area
from shequ.registries.figures import committees_complete
from shequ.registries.models import Activity, Entry
from shequ.registries.services import EntryData, entries_import, entry_create

pytestmark = pytest.mark.django_db
MISSING = 999999993


def _huafu(n: int = 0) -> Area:
    return Area.objects.filter(level="community", parent__name="华富街道").order_by("code")[n]


def _yuehai() -> Area:
    return Area.objects.filter(level="community", parent__name="粤海街道").order_by("code")[0]


def _lina_home(cast) -> Area:
    from shequ.access.scoping import scope_for
    from shequ.accounts.roles import Action

    path = sorted(scope_for(cast["lina"], Action.REGISTRIES_MANAGE).paths)[0]
    return Area.objects.filter(path__prefix=path, level="community").order_by("code")[0]


def _xlsx(rows, name="registry.xlsx"):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = name
    return out


@pytest.fixture
def yuehai_entry(db):
    return entry_create(
        actor=None, data=EntryData(register="legal", kind="adviser", community=_yuehai().code, name="郑律师")
    )


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_the_registries_home(self, client, cast):
        self.assert_permission_matrix(
            client, url="/console/registries/", in_scope=cast["lina"], no_role=cast["zhouyu"], page=True
        )

    def test_a_register_list(self, client, cast):
        self.assert_permission_matrix(
            client,
            url="/console/registries/committee/",
            in_scope=cast["lina"],
            no_role=cast["zhouyu"],
            page=True,
        )

    def test_the_new_entry_form(self, client, cast):
        self.assert_permission_matrix(
            client,
            url="/console/registries/school/new/",
            in_scope=cast["lina"],
            no_role=cast["zhouyu"],
            page=True,
        )

    def test_adding_an_entry(self, client, cast):
        home = _lina_home(cast).code
        self.assert_permission_matrix(
            client,
            url="/console/registries/school/new/",
            method="post",
            multipart=True,
            data=lambda: {
                "kind": "school",
                "community": home,
                "name": f"社区学校{Entry.objects.count()}",
                "is_active": "1",
            },
            ok=(302,),
            in_scope=cast["lina"],
            no_role=cast["zhouyu"],
            page=True,
        )

    def test_an_entry_outside_ones_areas_is_not_found(self, client, cast, yuehai_entry):
        self.assert_permission_matrix(
            client,
            url=f"/console/registries/entry/{yuehai_entry.pk}/",
            in_scope=cast["wangqiang"],
            out_of_scope=cast["lina"],
            no_role=cast["zhouyu"],
            missing_url=f"/console/registries/entry/{MISSING}/",
            page=True,
        )

    def test_editing_an_entry(self, client, cast, yuehai_entry):
        self.assert_permission_matrix(
            client,
            url=f"/console/registries/entry/{yuehai_entry.pk}/",
            method="post",
            multipart=True,
            data={
                "kind": "adviser",
                "community": yuehai_entry.community.code,
                "name": "郑律师",
                "is_active": "1",
            },
            ok=(302,),
            in_scope=cast["wangqiang"],
            out_of_scope=cast["lina"],
            no_role=cast["zhouyu"],
            missing_url=f"/console/registries/entry/{MISSING}/",
            page=True,
        )

    def test_recording_an_activity(self, client, cast):
        org = entry_create(
            actor=None,
            data=EntryData(register="social_org", kind="life", community=_yuehai().code, name="粤海互助会"),
        )
        self.assert_permission_matrix(
            client,
            url=f"/console/registries/entry/{org.pk}/activities/",
            method="post",
            multipart=True,
            data={"held_on": "2025-05-01", "title": "邻里节", "participants": "40"},
            ok=(302,),
            in_scope=cast["wangqiang"],
            out_of_scope=cast["lina"],
            no_role=cast["zhouyu"],
            missing_url=f"/console/registries/entry/{MISSING}/activities/",
            page=True,
        )
        assert Activity.objects.filter(entry=org).count() == 1

    def test_the_import(self, client, cast):
        self.assert_permission_matrix(
            client,
            url="/console/registries/green/import/",
            in_scope=cast["lina"],
            no_role=cast["zhouyu"],
            page=True,
        )

    def test_the_import_template(self, client, cast):
        self.assert_permission_matrix(
            client,
            url="/console/registries/green/template.xlsx",
            in_scope=cast["lina"],
            no_role=cast["zhouyu"],
            page=True,
        )

    def test_the_export(self, client, cast):
        self.assert_permission_matrix(
            client,
            url="/console/registries/legal/export.xlsx",
            in_scope=cast["lina"],
            no_role=cast["zhouyu"],
            page=True,
        )


def test_a_bad_file_is_refused_with_row_errors_and_nothing_written(client, cast):
    home = _lina_home(cast)
    entry_create(
        actor=None,
        data=EntryData(register="committee", kind="mediation", community=home.code, name="人民调解委员会"),
    )
    before, audits = Entry.objects.count(), AuditEntry.objects.count()
    sign_in(client, cast["lina"])
    upload = _xlsx(
        [
            ["社区代码", "类别", "名称", "成立日期", "人数"],
            [home.code, "治安保卫委员会", "治安保卫委员会", "2023-01-05", 5],  # fine on its own
            [home.code, "人民调解委员会", "人民调解委员会", "", ""],  # already recorded
            [_yuehai().code, "公共卫生委员会", "公共卫生委员会", "", ""],  # outside her areas
            [home.code, "宣传委员会", "宣传委员会", "", ""],  # not one of the five
            [
                home.code,
                "治安保卫委员会",
                "治安保卫委员会",
                "2023-13-40",
                "五",
            ],  # twice; bad date, bad number
        ]
    )
    r = client.post("/console/registries/committee/import/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = r.content.decode()
    assert r.status_code == 400 and "没有写入任何内容" in page
    assert "已有这个委员会" in page and "您的辖区内没有这个社区代码" in page and "人民调解委员会" in page
    assert "2024-03-01" in page and "整数" in page and "与第 2 行相同" in page
    rows = [
        (e.row, e.column)
        for e in entries_import(
            actor=cast["lina"],
            register="committee",
            fileobj=_xlsx([["社区代码", "类别", "名称"], [home.code, "宣传委员会", "宣传委员会"]]),
        ).errors
    ]
    assert rows == [(2, "类别")]
    assert Entry.objects.count() == before and AuditEntry.objects.count() == audits


def test_a_good_file_is_imported_whole_and_audited(client, cast):
    home, other = _lina_home(cast), _huafu(1)
    sign_in(client, cast["lina"])
    upload = _xlsx(
        [
            ["社区代码", "类别", "名称", "负责单位"],
            [home.code, "法律明白人", "陈明", "居委会"],
            [home.code, "法律顾问", "林律师", "华商律师事务所"],
        ]
    )
    r = client.post("/console/registries/legal/import/", {"file": upload})
    assert r.status_code == 302
    assert set(Entry.objects.filter(register="legal").values_list("kind", "name")) == {
        ("literate", "陈明"),
        ("adviser", "林律师"),
    }
    assert AuditEntry.objects.filter(action="registries.import", actor_username="lina").count() == 1
    _ = other


def test_not_an_xlsx_is_refused_in_chinese(client, cast):
    sign_in(client, cast["lina"])
    fake = io.BytesIO(b"name,code\n")
    fake.name = "list.csv"
    r = client.post("/console/registries/green/import/", {"file": fake}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 400 and ".xlsx" in r.content.decode() and "只能导入" in r.content.decode()


def test_the_worker_keeps_a_register_and_exports_it(client, cast):
    home = _lina_home(cast)
    sign_in(client, cast["lina"])
    r = client.post(
        "/console/registries/social_org/new/",
        {
            "kind": "life",
            "community": home.code,
            "name": "邻里互助会",
            "reference": "备2024001",
            "since": "2024-03-01",
            "members": "25",
            "is_active": "1",
        },
    )
    org = Entry.objects.get(name="邻里互助会")
    assert r.status_code == 302 and org.kind_label == "生活服务类" and org.since == date(2024, 3, 1)
    client.post(
        f"/console/registries/entry/{org.pk}/activities/",
        {"held_on": "2025-05-01", "title": "邻里节", "participants": "40"},
    )
    # The same name twice in a community is refused in Chinese, keeping what was typed.
    again = client.post(
        "/console/registries/social_org/new/",
        {"kind": "life", "community": home.code, "name": "邻里互助会", "is_active": "1"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert again.status_code == 400 and "已有同名登记" in again.content.decode()
    listing = client.get("/console/registries/social_org/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "邻里互助会" in listing and "1 次活动" in listing
    export = client.get("/console/registries/social_org/export.xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:4] == ["社区", "社区代码", "类别", "名称"]
    assert values[1][2:5] == ["生活服务类", "邻里互助会", "备2024001"]


def test_committees_complete_counts_only_communities_with_all_five(cast):
    a, b = _huafu(0), _huafu(1)
    for kind, label in [
        ("mediation", "人民调解委员会"),
        ("security", "治安保卫委员会"),
        ("health", "公共卫生委员会"),
        ("environment", "环境和物业管理委员会"),
        ("social", "社会服务委员会"),
    ]:
        entry_create(
            actor=None, data=EntryData(register="committee", kind=kind, community=a.code, name=label)
        )
        if kind != "social":
            entry_create(
                actor=None, data=EntryData(register="committee", kind=kind, community=b.code, name=label)
            )
    street = a.parent
    values = committees_complete([street, a, b])
    assert (values[street.code], values[a.code], values[b.code]) == (1, 1, 0)


def test_the_demo_fills_the_registers_once(db):
    from shequ.registries.demo import seed_registries

    street = _huafu().parent
    made = seed_registries(streets=[street])
    assert made > 0 and seed_registries(streets=[street]) == 0
    assert Entry.objects.filter(register="committee", synthetic=True).exists()
    assert set(Entry.objects.values_list("register", flat=True)) >= {"committee", "legal", "green"}
