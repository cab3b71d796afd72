"""The detector on real appeals (made through the intake service), and the three decisions on a warning."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from shequ.appeals.models import Appeal
from shequ.appeals.tests.fixtures import clock, first_community, world  # noqa: F401
from shequ.audit.models import AuditEntry
from shequ.core.errors import ShequError
from shequ.earlywarning import selectors, services
from shequ.earlywarning.choices import WarningKind, WarningStatus
from shequ.earlywarning.models import EarlyWarning
from shequ.earlywarning.tasks import detect_daily

from .helpers import DAY, appeal_on, at, flat_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def rise(clock, world):  # noqa: F811
    """Three weeks of one sanitation appeal a day in lina's community, then seven on DAY."""
    flat_history(clock, world, until=DAY, days=21)
    for j in range(7):
        appeal_on(clock, world, DAY, minute=j)
    clock.set(at(DAY + timedelta(days=1), 6))
    return world


def test_a_rise_in_one_community_becomes_one_warning_with_its_evidence(rise):
    result = services.warnings_detect(day=DAY)
    warnings = list(EarlyWarning.objects.filter(kind=WarningKind.RISE))
    assert result["by_kind"] == {"rise": 1}
    [w] = warnings
    assert w.area == rise.huafu_community  # the street adds nothing the community has not said
    assert w.category.code == "sanitation"
    assert w.observed == 7
    assert 0.5 < w.expected < 2.0
    assert w.p_value < 1e-3
    assert w.status == WarningStatus.OPEN
    assert len(w.evidence["appeal_ids"]) == 7
    assert w.evidence["series"][-1] == 7 and w.evidence["series"][-2] == 1
    assert not w.synthetic


def test_running_the_detector_again_for_the_same_day_adds_nothing(rise):
    services.warnings_detect(day=DAY)
    again = services.warnings_detect(day=DAY)
    assert again["created"] == 0
    assert EarlyWarning.objects.count() == 1
    assert AuditEntry.objects.filter(action="warning.detect").count() == 2


def test_the_next_day_of_the_same_outbreak_is_not_a_second_warning(rise, clock):  # noqa: F811
    services.warnings_detect(day=DAY)
    for j in range(8):
        appeal_on(clock, rise, DAY + timedelta(days=1), minute=j)
    assert services.warnings_detect(day=DAY + timedelta(days=1))["created"] == 0


def test_an_ordinary_day_raises_no_warning(clock, world):  # noqa: F811
    flat_history(clock, world, until=DAY, days=21)
    appeal_on(clock, world, DAY)
    appeal_on(clock, world, DAY, minute=1)
    assert services.warnings_detect(day=DAY)["created"] == 0


def test_the_daily_task_looks_at_yesterday(rise, clock):  # noqa: F811
    clock.set(at(DAY + timedelta(days=1), 6))
    result = detect_daily()
    assert result["day"] == DAY.isoformat()
    assert result["by_kind"] == {"rise": 1}


def test_three_appeals_from_one_phone_in_a_month_become_a_repeat_warning_without_the_phone(clock, world):  # noqa: F811
    for d in (DAY - timedelta(days=20), DAY - timedelta(days=9), DAY):
        appeal_on(clock, world, d, phone="13912345678")
    services.warnings_detect(day=DAY)
    [w] = EarlyWarning.objects.filter(kind=WarningKind.REPEAT_PERSON)
    assert w.observed == 3
    assert w.subject == "139****5678"
    assert "13912345678" not in str(w.evidence) and "13912345678" not in w.dedupe_key
    assert len(w.evidence["appeal_numbers"]) == 3
    # The day after, nothing new: the same person is not warned about twice.
    assert services.warnings_detect(day=DAY + timedelta(days=1))["created"] == 0


def test_two_appeals_from_one_phone_are_not_a_repeat(clock, world):  # noqa: F811
    appeal_on(clock, world, DAY - timedelta(days=3), phone="13912345678")
    appeal_on(clock, world, DAY, phone="13912345678")
    services.warnings_detect(day=DAY)
    assert not EarlyWarning.objects.filter(kind=WarningKind.REPEAT_PERSON).exists()


def test_one_address_written_three_ways_is_one_repeat_address_warning(clock, world):  # noqa: F811
    for i, address in enumerate(
        ["华富路1008号 荔园小区3栋", "华富路1008号荔园小区3栋", "华富路1008号，荔园小区3栋"]
    ):
        appeal_on(clock, world, DAY - timedelta(days=2 - i), address=address)
    services.warnings_detect(day=DAY)
    [w] = EarlyWarning.objects.filter(kind=WarningKind.REPEAT_ADDRESS)
    assert w.observed == 3
    assert w.area == world.huafu_community


def test_a_sudden_cluster_of_located_appeals_is_a_cluster_warning(clock, world):  # noqa: F811
    points = [
        (22.5450, 114.0550),
        (22.5455, 114.0553),
        (22.5448, 114.0546),
        (22.5452, 114.0558),
        (22.5446, 114.0551),
    ]
    for i, (lat, lng) in enumerate(points):
        appeal_on(clock, world, DAY - timedelta(days=1 if i < 2 else 0), minute=i, lat=lat, lng=lng)
    services.warnings_detect(day=DAY)
    [w] = EarlyWarning.objects.filter(kind=WarningKind.CLUSTER)
    assert w.observed == 5
    assert abs(w.evidence["lat"] - 22.545) < 0.001
    assert w.area == world.huafu_community
    # Re-run, and the day after: the same cluster does not warn twice.
    assert services.warnings_detect(day=DAY)["created"] == 0
    appeal_on(clock, world, DAY + timedelta(days=1), lat=22.5451, lng=114.0552)
    assert services.warnings_detect(day=DAY + timedelta(days=1))["by_kind"].get("cluster") is None


# --- decisions ---------------------------------------------------------------------------------------------------
@pytest.fixture
def warning(rise):
    services.warnings_detect(day=DAY)
    return EarlyWarning.objects.get(kind=WarningKind.RISE)


def test_a_warning_becomes_exactly_one_proactive_appeal(warning, world):  # noqa: F811
    before = Appeal.objects.filter(channel="proactive").count()
    w = services.warning_to_task(actor=world["lina"], warning=warning)
    assert w.status == WarningStatus.TASKED
    appeal = Appeal.objects.get(channel="proactive")
    assert Appeal.objects.filter(channel="proactive").count() == before + 1
    assert w.task_appeal == appeal
    assert appeal.area == world.huafu_community and appeal.category.code == "sanitation"
    assert "未诉先办" in appeal.text
    assert AuditEntry.objects.filter(action="warning.task", object_id=str(w.pk)).count() == 1
    with pytest.raises(ShequError) as err:
        services.warning_to_task(actor=world["lina"], warning=warning)
    assert err.value.status == 409
    assert Appeal.objects.filter(channel="proactive").count() == before + 1


def test_a_proactive_appeal_does_not_count_towards_the_next_rise(warning, world):  # noqa: F811
    services.warning_to_task(actor=world["lina"], warning=warning)
    from shequ.appeals.selectors import appeal_daily_counts

    today = [r for r in appeal_daily_counts(since=DAY, until=DAY) if r.community_code]
    assert sum(r.received for r in today) == 7


def test_dismissing_needs_a_reason_and_is_audited(warning, world):  # noqa: F811
    with pytest.raises(ShequError):
        services.warning_dismiss(actor=world["lina"], warning=warning, reason=" ")
    warning.refresh_from_db()
    assert warning.status == WarningStatus.OPEN
    w = services.warning_dismiss(actor=world["lina"], warning=warning, reason="周末集市，已知情况")
    assert w.status == WarningStatus.DISMISSED and w.decided_by == world["lina"]
    entry = AuditEntry.objects.get(action="warning.dismiss", object_id=str(w.pk))
    assert entry.changes["status"] == {"before": "open", "after": "dismissed"}


def test_acknowledged_warnings_can_still_be_tasked_but_not_acknowledged_again(warning, world):  # noqa: F811
    services.warning_acknowledge(actor=world["lina"], warning=warning)
    with pytest.raises(ShequError):
        services.warning_acknowledge(actor=world["lina"], warning=warning)
    assert services.warning_to_task(actor=world["sunli"], warning=warning).status == WarningStatus.TASKED


def test_a_street_officer_elsewhere_may_not_decide(warning, world):  # noqa: F811
    with pytest.raises(PermissionDenied):
        services.warning_acknowledge(actor=world["wangqiang"], warning=warning)
    warning.refresh_from_db()
    assert warning.status == WarningStatus.OPEN


def test_a_city_admin_may_acknowledge_but_not_create_an_appeal(warning, world):  # noqa: F811
    with pytest.raises(PermissionDenied):
        services.warning_to_task(actor=world["chenjing"], warning=warning)
    assert services.warning_acknowledge(actor=world["chenjing"], warning=warning).status == "acknowledged"


# --- reads ---------------------------------------------------------------------------------------------------------
def test_recent_warnings_for_the_dashboard_are_scoped(warning, world):  # noqa: F811
    assert [w.pk for w in selectors.warnings_recent_for(user=world["lina"], limit=5)] == [warning.pk]
    assert selectors.warnings_recent_for(user=world["wangqiang"], limit=5) == []
    assert selectors.warnings_recent_for(user=world["zhangwei"], limit=5) == []


def test_the_monthly_top_problems_rank_volume_growth_and_warnings(warning, clock, world):  # noqa: F811
    elsewhere = first_community("440304", "华富街道")
    other = (
        type(elsewhere)
        .objects.filter(parent=elsewhere.parent, level="community")
        .exclude(pk=elsewhere.pk)
        .order_by("code")
        .first()
    )
    appeal_on(clock, world, DAY, area=other, category="parking", text="小区门口乱停车，堵住消防通道")
    top = selectors.monthly_top_problems(user=world["lina"], month=DAY.replace(day=1))
    assert top["month"] == "2026-04" and top["level"] == "community"
    first, second = top["rows"][:2]
    assert (first["category"], first["area"]) == ("city_management", world.huafu_community.code)
    assert first["warnings"] == 1
    assert first["received"] == 14 + 7  # April 1–14 one a day, and the seven of the 15th
    assert first["previous"] == 7  # March 25–31
    assert (second["category"], second["area"], second["received"]) == ("traffic", other.code, 1)
    city = selectors.monthly_top_problems(user=world["sunli"], month=DAY.replace(day=1))
    assert city["level"] == "street" and city["rows"][0]["area"] == world.huafu_community.parent.code
