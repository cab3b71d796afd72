"""The care services as people use them: every refusal clear and nothing half-written."""

import datetime as dt

import pytest
from django.utils import timezone

from shequ.audit.models import AuditEntry
from shequ.care import selectors, services
from shequ.care.choices import CaseStatus, DiscoveryKind, DiscoveryStatus
from shequ.care.importing import import_utility_readings
from shequ.care.models import Case, CaseEvent, Discovery, GroupMembership, Provider, Referral
from shequ.core.errors import ShequError
from shequ.messages.models import Message

from .conftest import NEEDS, case_for, membership

pytestmark = pytest.mark.django_db


def test_a_tag_without_evidence_is_refused_and_nothing_is_written(world):
    with pytest.raises(ShequError) as e:
        membership(world, evidence="  ")
    assert ("evidence" in e.value.fields and "证据" in str(e.value.message)) or e.value.fields["evidence"]
    with pytest.raises(ShequError) as e:
        membership(world, review_date=dt.date.today())
    assert "review_date" in e.value.fields
    assert not GroupMembership.objects.exists()
    assert not AuditEntry.objects.filter(action="care.group_record").exists()


def test_a_membership_is_recorded_once_with_its_audit_entry(world):
    m = membership(world, tag="disabled", level="二级")
    assert (m.tag.code, m.level, m.area_id) == ("disabled", "二级", world["elder"].area_id)
    assert AuditEntry.objects.filter(action="care.group_record", object_repr="王**").count() == 1
    with pytest.raises(ShequError):
        membership(world, tag="disabled")
    assert GroupMembership.objects.count() == 1


def test_a_grid_report_becomes_a_case_that_is_assessed_served_referred_reviewed_and_closed(
    world, django_capture_on_commit_callbacks
):
    case = case_for(world)
    assert case.status == CaseStatus.REPORTED and case.worker == world["xuli"]
    assert case.station is not None and case.station.name == "华富街道社工站"
    assert Discovery.objects.get().status == DiscoveryStatus.CASE
    sw = world["xuli"]
    services.case_act(actor=sw, case=case, step="assess", needs=NEEDS, note="上门评估")
    services.case_act(actor=sw, case=case, step="plan", plan="每周探访，助餐", visit_every_days=7)
    case.refresh_from_db()
    assert case.status == CaseStatus.SERVING
    assert case.next_visit_due == timezone.localdate() + dt.timedelta(days=7)
    services.case_act(actor=sw, case=case, step="visit", note="上门探访，状态良好")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_act(
            actor=sw,
            case=case,
            step="refer",
            unit=world["department"],
            referral_kind="assistance",
            note="申请临时救助",
        )
    referral = Referral.objects.get()
    assert referral.unit == world["department"] and not referral.urgent
    assert Message.objects.filter(person=world["liuyang"], title="有个案转介给您").exists()
    services.case_act(actor=sw, case=case, step="review", note="需求已满足")
    services.case_act(actor=sw, case=case, step="close", note="服务完成，结案")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at and case.due_at is None
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["report", "assess", "plan", "visit", "refer", "review", "close"]


def test_a_case_action_out_of_order_is_refused_with_409_and_nothing_is_written(world):
    case = case_for(world)
    with pytest.raises(ShequError) as e:
        services.case_act(actor=world["xuli"], case=case, step="close", note="直接结案")
    assert e.value.status == 409 and "已报告" in e.value.message
    with pytest.raises(ShequError) as e:
        services.case_act(actor=world["xuli"], case=case, step="plan", plan="每周探访", visit_every_days=7)
    assert e.value.status == 409
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED and case.plan == ""
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_the_assessment_form_needs_every_domain(world):
    case = case_for(world)
    with pytest.raises(ShequError) as e:
        services.case_act(actor=world["xuli"], case=case, step="assess", needs={"living": "2"})
    assert set(e.value.fields) == {"health", "income", "housing", "family", "safety"}
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED and case.assessment == {}


def test_a_dismissal_needs_a_reason_and_a_decided_entry_cannot_become_a_case(world):
    entry = services.grid_report(actor=world["hejun"], resident=world["elder"], summary="门口堆放杂物")
    with pytest.raises(ShequError):
        services.discovery_dismiss(actor=world["lina"], discovery=entry, reason="")
    services.discovery_dismiss(actor=world["lina"], discovery=entry, reason="已由家属处理")
    with pytest.raises(ShequError) as e:
        services.case_open(actor=world["xuli"], discovery=entry)
    assert e.value.status == 409
    assert not Case.objects.exists()


def test_elders_living_alone_not_visited_become_one_entry_each_per_week(world, make_resident):
    membership(world)
    visited = make_resident(born=dt.date(1945, 1, 1), name="赵大爷")
    membership(world, resident=visited)
    entry = services.grid_report(actor=world["hejun"], resident=visited, summary="老人独居需关注")
    case = services.case_open(actor=world["xuli"], discovery=entry)
    services.case_act(actor=world["xuli"], case=case, step="assess", needs=NEEDS)
    services.case_act(actor=world["xuli"], case=case, step="plan", plan="每周探访", visit_every_days=7)
    services.case_act(actor=world["xuli"], case=case, step="visit", note="探访一次")
    assert services.discoveries_scan_no_visit(days=7) == 1
    assert services.discoveries_scan_no_visit(days=7) == 0
    entry = Discovery.objects.get(kind=DiscoveryKind.NO_VISIT)
    assert entry.resident == world["elder"] and entry.summary == "7 天内没有探访记录。"


def test_a_missed_visit_shows_in_the_alerts(world):
    case = case_for(world)
    services.case_act(actor=world["xuli"], case=case, step="assess", needs=NEEDS)
    services.case_act(
        actor=world["xuli"],
        case=case,
        step="plan",
        plan="每周探访",
        visit_every_days=7,
        when=timezone.now() - dt.timedelta(days=10),
    )
    assert list(selectors.missed_visits_for(user=world["xuli"])) == [case]
    assert selectors.caseloads_for(user=world["chenjing"])[0]["missed"] == 1
    services.case_act(actor=world["xuli"], case=case, step="visit", note="补上探访")
    assert list(selectors.missed_visits_for(user=world["xuli"])) == []


def test_a_minors_report_goes_to_the_department_at_once_due_in_24_hours(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.minor_report(
            actor=world["hejun"],
            resident=world["child"],
            note="孩子身上有伤，独自在家",
            unit=world["department"],
        )
    assert referral.urgent and referral.kind == "child_protection"
    assert Message.objects.filter(
        person=world["liuyang"], title="未成年人强制报告：请在 24 小时内处置"
    ).exists()
    assert list(selectors.referral_list_for(user=world["liuyang"])) == [referral]
    with pytest.raises(ShequError):
        services.minor_report(
            actor=world["hejun"], resident=world["elder"], note="成年人", unit=world["department"]
        )
    assert Referral.objects.count() == 1


def test_service_orders_are_rated_from_1_to_5(world):
    provider = Provider.objects.create(name="华富长者食堂", area=world["huafu"], kinds=["meal", "bathing"])
    with pytest.raises(ShequError):
        services.order_create(
            actor=world["lina"],
            resident=world["elder"],
            provider=provider,
            kind="escort",
            scheduled_for=dt.date.today(),
        )
    order = services.order_create(
        actor=world["lina"],
        resident=world["elder"],
        provider=provider,
        kind="meal",
        scheduled_for=dt.date.today(),
    )
    with pytest.raises(ShequError):
        services.order_complete(actor=world["lina"], order=order, rating=6)
    services.order_complete(actor=world["lina"], order=order, rating=5, comment="饭菜可口")
    assert selectors.provider_ratings([provider]) == {provider.pk: (5.0, 1)}


def test_48_hours_without_water_at_an_elders_home_becomes_one_entry(world):
    membership(world)
    hh = world["elder"].household_id
    other = world["child"].household_id
    csv = (
        "household,meter,start,end,litres\n"
        f"{hh},M1,2026-12-01T08:00:00+08:00,2026-12-02T08:00:00+08:00,0\n"
        f"{hh},M1,2026-12-02T08:00:00+08:00,2026-12-03T09:00:00+08:00,0\n"
        f"{other},M2,2026-12-01T08:00:00+08:00,2026-12-04T08:00:00+08:00,0\n"
        f"{hh},M1,2026-12-03T09:00:00+08:00,2026-12-04T09:00:00+08:00,12.5\n"
        "x,M1,bad,bad,0\n"
    )
    report = import_utility_readings(csv)
    assert (report.rows, report.entries, report.errors) == (5, 1, ["line 6: bad row"])
    entry = Discovery.objects.get()
    assert entry.kind == "utility" and entry.resident == world["elder"] and "49" in entry.summary
    assert import_utility_readings(csv).entries == 0


def test_a_resident_who_appeals_three_times_in_a_month_becomes_one_entry(
    world, django_capture_on_commit_callbacks
):
    from shequ.appeals.tests.fixtures import submit

    elder = world["elder"]
    elder.user = world["zhangwei"]
    elder.save(update_fields=["user"])

    class AppealsWorld:  # what appeals' submit() reads of its world: the cast and the community
        huafu_community = elder.area

        def __getitem__(self, username):
            return world[username]

    aw = AppealsWorld()
    for n in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            submit(aw, text=f"楼道灯坏了第{n + 1}次反映，晚上很黑，老人出门不便")
    entry = Discovery.objects.get(kind=DiscoveryKind.REPEATED_APPEALS)
    assert entry.resident == elder and entry.summary == "30 天内 3 次诉求。"
