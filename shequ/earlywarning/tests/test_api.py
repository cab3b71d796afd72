"""/api/v1/warnings: the permission matrix of every endpoint, filters, decisions, idempotency, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.appeals.models import Appeal
from shequ.appeals.tests.fixtures import clock, world  # noqa: F401
from shequ.earlywarning import services
from shequ.earlywarning.choices import WarningKind, WarningStatus
from shequ.earlywarning.models import EarlyWarning

from .helpers import DAY, appeal_on, at, flat_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def warning(clock, world):  # noqa: F811
    """A rise of sanitation appeals in lina's community (华富街道, 福田区) on DAY."""
    flat_history(clock, world, until=DAY, days=21)
    for j in range(7):
        appeal_on(clock, world, DAY, minute=j)
    clock.set(at(DAY + timedelta(days=1), 9))
    services.warnings_detect(day=DAY)
    return EarlyWarning.objects.get(kind=WarningKind.RISE)


@pytest.fixture
def nobody(make_user):
    return make_user("nobody")


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_the_list(self, client, warning, world, nobody):  # noqa: F811
        self.assert_permission_matrix(client, url="/api/v1/warnings", in_scope=world["lina"], no_role=nobody)

    def test_a_resident_may_not_list_warnings(self, client, warning, world):  # noqa: F811
        sign_in(client, world["zhangwei"])
        assert client.get("/api/v1/warnings").status_code == 403

    def test_the_detail(self, client, warning, world, nobody):  # noqa: F811
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/warnings/{warning.pk}",
            in_scope=world["lina"],
            out_of_scope=world["wangqiang"],
            no_role=nobody,
            missing_url="/api/v1/warnings/999999",
        )

    @pytest.mark.parametrize(
        ("action", "data"),
        [("acknowledge", {}), ("dismiss", {"reason": "已知的周末集市"}), ("task", {})],
    )
    def test_each_decision(self, client, warning, world, nobody, action, data):  # noqa: F811
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/warnings/{warning.pk}/actions/{action}",
            method="post",
            data=data,
            in_scope=world["lina"],
            out_of_scope=world["wangqiang"],
            no_role=nobody,
            missing_url=f"/api/v1/warnings/999999/actions/{action}",
        )
        warning.refresh_from_db()
        assert (
            warning.status
            == {"acknowledge": "acknowledged", "dismiss": "dismissed", "task": "tasked"}[action]
        )

    def test_the_monthly_top(self, client, warning, world, nobody):  # noqa: F811
        huafu = world.huafu_community.parent.code
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/warnings/monthly-top?month=2026-04&area={huafu}",
            in_scope=world["lina"],
            out_of_scope=world["wangqiang"],
            no_role=nobody,
            missing_url="/api/v1/warnings/monthly-top?month=2026-04&area=999999999",
        )


def test_a_street_officer_elsewhere_sees_an_empty_list(client, warning, world):  # noqa: F811
    sign_in(client, world["wangqiang"])
    body = client.get("/api/v1/warnings").json()
    assert body["count"] == 0 and body["items"] == []


def test_the_list_shows_the_warning_with_its_evidence_and_filters(client, warning, world):  # noqa: F811
    sign_in(client, world["sunli"])
    body = client.get("/api/v1/warnings").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["kind"] == "rise" and item["area"] == world.huafu_community.code
    assert item["category"] == "sanitation" and item["observed"] == 7
    assert len(item["evidence"]["appeal_numbers"]) == 7
    assert client.get("/api/v1/warnings", {"kind": "cluster"}).json()["count"] == 0
    assert (
        client.get("/api/v1/warnings", {"status": "open", "category": "city_management"}).json()["count"] == 1
    )
    assert client.get("/api/v1/warnings", {"from": "2026-04-16"}).json()["count"] == 0
    assert client.get("/api/v1/warnings", {"area": world.huafu_community.parent.code}).json()["count"] == 1
    bad = client.get("/api/v1/warnings", {"status": "nonsense", "from": "2026-04-16", "to": "2026-04-01"})
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"status", "to"}


def test_the_list_takes_a_constant_number_of_queries(client, warning, world, clock):  # noqa: F811
    sign_in(client, world["sunli"])
    client.get("/api/v1/warnings")  # warm the session and the grants

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/warnings").status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    services.warning_to_task(actor=world["lina"], warning=warning)  # a task appeal and a decider to show
    for j in range(6):
        appeal_on(clock, world, DAY, minute=30 + j, phone="13912345678")
    clock.set(at(DAY + timedelta(days=1), 9))
    services.warnings_detect(day=DAY)
    assert EarlyWarning.objects.count() >= 2
    assert queries() == one


def test_dismiss_without_a_reason_is_a_clear_400(client, warning, world):  # noqa: F811
    sign_in(client, world["lina"])
    r = client.post(f"/api/v1/warnings/{warning.pk}/actions/dismiss", {}, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["fields"] == {"reason": "required"}
    warning.refresh_from_db()
    assert warning.status == WarningStatus.OPEN


def test_an_unknown_action_is_404(client, warning, world):  # noqa: F811
    sign_in(client, world["lina"])
    r = client.post(f"/api/v1/warnings/{warning.pk}/actions/escalate", {}, content_type="application/json")
    assert r.status_code == 404


def test_the_task_is_created_once_per_idempotency_key(client, warning, world):  # noqa: F811
    sign_in(client, world["lina"])
    url = f"/api/v1/warnings/{warning.pk}/actions/task"
    first = client.post(url, {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="task-1")
    again = client.post(url, {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="task-1")
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    assert first.json()["task_appeal_number"]
    assert Appeal.objects.filter(channel="proactive").count() == 1
    other_key = client.post(url, {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="task-2")
    assert other_key.status_code == 409
    assert Appeal.objects.filter(channel="proactive").count() == 1


def test_a_city_admin_without_intake_gets_403_on_task(client, warning, world):  # noqa: F811
    sign_in(client, world["chenjing"])
    r = client.post(f"/api/v1/warnings/{warning.pk}/actions/task", {}, content_type="application/json")
    assert r.status_code == 403
    assert Appeal.objects.filter(channel="proactive").count() == 0


def test_the_monthly_top_answers_for_this_month_and_refuses_a_bad_month(client, warning, world):  # noqa: F811
    sign_in(client, world["lina"])
    body = client.get("/api/v1/warnings/monthly-top", {"month": "2026-04"}).json()
    assert body["level"] == "community"
    assert body["rows"][0]["area"] == world.huafu_community.code and body["rows"][0]["warnings"] == 1
    assert client.get("/api/v1/warnings/monthly-top", {"month": "April"}).status_code == 400
    assert client.get("/api/v1/warnings/monthly-top").status_code == 200
