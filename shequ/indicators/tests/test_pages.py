"""规划监测 and the task ledger as people see them, the API, and every route's permission matrix."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.indicators.models import PlanTask
from shequ.indicators.services import indicator_rollup, plan_task_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def rolled(filled):
    indicator_rollup(root=filled["T0"])
    return filled


@pytest.fixture
def task(rolled, mengce):
    city = plan_task_create(
        actor=mengce,
        code="T-7.1-01",
        chapter="第七章 保障措施",
        title="建立规划任务清单和工作台账",
        area=rolled["T0"],
        unit_name="市民政局",
        due_date=timezone.localdate() + timedelta(days=30),
    )
    return plan_task_create(
        actor=mengce,
        code="T-7.1-01-A",
        chapter="第七章 保障措施",
        title="甲区实施方案：社康覆盖",
        area=rolled["T0A"],
        unit_name="甲区民政局",
        parent=city,
        indicator_key="health_every_community",
        target=100,
        due_date=timezone.localdate() + timedelta(days=10),
    )


class TestPermissionMatrix(PermissionMatrixMixin):
    def assert_permission_matrix_for(
        self, client, url, missing_url, mengce, street_officer_b, make_user, **kw
    ):
        self.assert_permission_matrix(
            client,
            url=url,
            in_scope=mengce,
            out_of_scope=street_officer_b,
            no_role=make_user("nobody"),
            missing_url=missing_url,
            **kw,
        )

    def test_board(self, client, rolled, mengce, street_officer_b, make_user):
        self.assert_permission_matrix_for(client, "/dashboard/plan/?area=T0A", "/dashboard/plan/?area=T0Z", mengce, street_officer_b,
                     make_user, page=True)  # fmt: skip

    def test_detail(self, client, rolled, mengce, street_officer_b, make_user):
        url = "/dashboard/plan/i/health_every_community/"
        self.assert_permission_matrix_for(
            client, f"{url}?area=T0A", f"{url}?area=T0Z", mengce, street_officer_b, make_user, page=True
        )

    def test_export(self, client, rolled, mengce, street_officer_b, make_user):
        self.assert_permission_matrix_for(client, "/dashboard/plan/export/?area=T0A", "/dashboard/plan/export/?area=T0Z", mengce,
                     street_officer_b, make_user, page=True)  # fmt: skip

    def test_report(self, client, rolled, mengce, street_officer_b, make_user):
        self.assert_permission_matrix_for(client, "/dashboard/plan/report/?area=T0A", "/dashboard/plan/report/?area=T0Z", mengce,
                     street_officer_b, make_user, page=True)  # fmt: skip

    def test_tasks(self, client, task, mengce, street_officer_b, make_user):
        self.assert_permission_matrix_for(client, "/dashboard/plan/tasks/?area=T0A", "/dashboard/plan/tasks/?area=T0Z", mengce,
                     street_officer_b, make_user, page=True)  # fmt: skip

    def test_task(self, client, task, mengce, street_officer_b, make_user):
        self.assert_permission_matrix_for(client, f"/dashboard/plan/tasks/{task.pk}/", "/dashboard/plan/tasks/999999/", mengce,
                     street_officer_b, make_user, page=True)  # fmt: skip

    def test_task_act(self, client, task, mengce, street_officer_b, make_user):
        self.assert_permission_matrix(
            client,
            url=f"/dashboard/plan/tasks/{task.pk}/act/",
            method="post",
            multipart=True,
            data={"do": "report", "progress": "20", "note": "已摸底"},
            in_scope=mengce,
            out_of_scope=street_officer_b,
            no_role=make_user("nobody"),
            ok=(302,),
            page=True,
        )

    def test_api_indicators(self, client, rolled, mengce, street_officer_b, make_user):
        self.assert_permission_matrix_for(client, "/api/v1/indicators?area=T0A", "/api/v1/indicators?area=T0Z", mengce,
                     street_officer_b, make_user)  # fmt: skip

    def test_api_series(self, client, rolled, mengce, street_officer_b, make_user):
        url = "/api/v1/indicators/health_every_community/series"
        self.assert_permission_matrix_for(
            client, f"{url}?area=T0A", f"{url}?area=T0Z", mengce, street_officer_b, make_user
        )


def test_the_board_shows_value_target_gap_and_drills_to_the_children(client, rolled, mengce):
    sign_in(client, mengce)
    page = client.get("/dashboard/plan/?area=T0&key=health_every_community").content.decode()
    assert "规划监测" in page and "测试市" in page
    assert "社区社康覆盖率" in page and "每万人注册志愿者数" in page
    assert "暂无数据来源" in page  # 全科医生: no module registers the figure
    assert 'href="?area=T0A&amp;key=health_every_community"' in page  # the drill-down to 甲区
    assert "66.7" in page  # 甲区: 2 of 3 communities
    assert "分区域</a>" in page and "按专有部分面积" not in page  # not the owners' vote's "By area"
    street = client.get("/dashboard/plan/?area=T0A1&key=health_every_community").content.decode()
    assert "东社区" in street and "西社区" in street and "甲区" in street  # the breadcrumb keeps the way back
    community = client.get("/dashboard/plan/?area=T0A1a").content.decode()
    assert (
        "东社区" in community and "街道社工站覆盖率" not in community
    )  # a street's indicator, not a community's


def test_the_detail_shows_the_plan_wording_and_the_rows_it_was_computed_from(client, rolled, mengce):
    sign_in(client, mengce)
    page = client.get("/dashboard/plan/i/health_every_community/?area=T0A1").content.decode()
    assert "社康中心" in page and "第四章" in page
    assert "东社区社康中心" in page and "东社区社康站" in page  # the source rows
    assert "西社区" in page


def test_the_api_answers_value_target_gap_and_computed_at(client, rolled, mengce):
    sign_in(client, mengce)
    body = client.get("/api/v1/indicators?area=T0").json()
    by_key = {i["key"]: i for i in body["indicators"]}
    assert by_key["health_every_community"]["value"] == 50
    assert by_key["health_every_community"]["target"] == 100
    assert by_key["health_every_community"]["gap"] == 50
    assert by_key["health_every_community"]["computed_at"]
    assert by_key["gps_per_10k"]["value"] is None
    assert by_key["gps_per_10k"]["no_data_source"] == ["health.general_practitioners"]
    series = client.get("/api/v1/indicators/health_every_community/series?area=T0").json()
    assert [p["value"] for p in series["points"]] == [50]
    assert client.get("/api/v1/indicators/nope/series?area=T0").status_code == 404


def test_the_yearly_report_is_a_pdf_of_the_district(client, task, mengce):
    sign_in(client, mengce)
    r = client.get("/dashboard/plan/report/?area=T0A")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and "plan-report-T0A-" in r["Content-Disposition"]
    assert client.get("/dashboard/plan/report/?area=T0A1").status_code == 404  # a street has no yearly report


def test_the_export_has_the_rows_of_the_chart(client, rolled, mengce):
    sign_in(client, mengce)
    body = client.get("/dashboard/plan/export/?area=T0&key=health_every_community&format=csv").content
    text = body.decode("utf-8-sig")
    assert "甲区" in text and "乙区" in text and "社区社康覆盖率" in text


def test_progress_and_completion_go_into_the_ledger(client, task, mengce):
    sign_in(client, mengce)
    r = client.post(
        f"/dashboard/plan/tasks/{task.pk}/act/", {"do": "report", "progress": "40", "note": "新建2家"}
    )
    assert r.status_code == 302
    client.post(f"/dashboard/plan/tasks/{task.pk}/act/", {"do": "complete", "evidence": ""})
    task.refresh_from_db()
    assert task.status == "in_progress" and task.progress == 40  # completion without evidence refused
    page = client.get(f"/dashboard/plan/tasks/{task.pk}/", follow=True).content.decode()
    assert "新建2家" in page
    client.post(f"/dashboard/plan/tasks/{task.pk}/act/", {"do": "complete", "evidence": "验收报告 2025-12"})
    task.refresh_from_db()
    assert task.status == "done" and task.evidence == "验收报告 2025-12" and task.completed_on is not None
    assert "验收报告 2025-12" in client.get(f"/dashboard/plan/tasks/{task.pk}/").content.decode()


def test_an_overdue_task_is_warned_then_supervised_once(task):
    from shequ.indicators.services import plan_task_scan_overdue

    PlanTask.objects.filter(pk=task.pk).update(due_date=date(2026, 11, 2))  # a Monday
    # The next working day past the due date: warned.
    first = plan_task_scan_overdue(now=timezone.make_aware(timezone.datetime(2026, 11, 4, 9)))
    assert first == {"warned": 1, "supervised": 0}
    assert plan_task_scan_overdue(now=timezone.make_aware(timezone.datetime(2026, 11, 4, 10)))["warned"] == 0
    # Five working days late: under supervision, once.
    later = plan_task_scan_overdue(now=timezone.make_aware(timezone.datetime(2026, 11, 10, 9)))
    assert later == {"warned": 0, "supervised": 1}
    task.refresh_from_db()
    assert task.escalation == 2
    assert [e.action for e in task.events.all()] == ["created", "warned", "supervised"]


def test_a_district_plan_lies_in_its_city_task_area(rolled, mengce):
    from shequ.core.errors import ShequError

    city = plan_task_create(actor=mengce, code="C1", chapter="七", title="甲", area=rolled["T0A"], unit_name="甲区",
                            due_date=date(2026, 12, 31))  # fmt: skip
    with pytest.raises(ShequError) as exc:
        plan_task_create(actor=mengce, code="C1-B", chapter="七", title="乙", area=rolled["T0B"], unit_name="乙区",
                         parent=city, due_date=date(2026, 12, 31))  # fmt: skip
    assert "area" in exc.value.fields
    assert not PlanTask.objects.filter(code="C1-B").exists()
