"""Warnings: published inside the publisher's scope, every resident of the areas reached exactly once (no one
outside), acknowledgements, the call list of vulnerable people, "I am safe" and follow-up."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from shequ.accounts.models import OutboxMessage
from shequ.audit.models import AuditEntry
from shequ.core.errors import NotFound, ShequError
from shequ.emergency import selectors, services, tasks
from shequ.emergency.choices import AckWay, Channel, SafetyState
from shequ.emergency.models import Delivery, FanoutBatch, Warning
from shequ.messages.models import Message

pytestmark = pytest.mark.django_db


def publish(w, capture, codes=None, **kw):
    with capture(execute=True):
        return services.warning_publish(
            actor=w["officer"],
            hazard=kw.get("hazard", "typhoon"),
            level=kw.get("level", "red"),
            area_codes=codes if codes is not None else [w["street"].code],
            message=kw.get("message", "台风“海燕”今夜登陆，请留在室内，远离窗户。"),
        )


def test_a_warning_reaches_everyone_in_the_street_once_and_no_one_outside(
    yuehai, django_capture_on_commit_callbacks
):
    w = yuehai
    warning = publish(w, django_capture_on_commit_callbacks)
    reached = {d.resident_id: d for d in Delivery.objects.filter(warning=warning)}
    inside = {w["reader"].pk, w["texted"].pk, w["elder"].pk, w["elder_b"].pk}
    assert inside <= set(reached)
    assert w["outside"].pk not in reached
    assert warning.title == "红色台风预警"
    # The reader has an account: his inbox (and a text, he wants them); the other has a phone only: a text.
    assert reached[w["reader"].pk].channel == Channel.INBOX_SMS
    assert Message.objects.filter(person=w["reader"].user, kind="emergency.warning").count() == 1
    assert reached[w["texted"].pk].channel == Channel.SMS
    texts = OutboxMessage.objects.filter(recipient_masked="139****0102", purpose="emergency.warning")
    assert [t.body for t in texts] == ["【红色台风预警】台风“海燕”今夜登陆，请留在室内，远离窗户。"]
    # No account, no phone: only the loudspeaker and the grid worker reach her.
    assert reached[w["elder"].pk].channel == Channel.NONE
    assert reached[w["elder"].pk].vulnerable and reached[w["elder_b"].pk].vulnerable
    assert not reached[w["reader"].pk].vulnerable
    warning.refresh_from_db()
    assert warning.fanned_out_at is not None


def test_a_batch_run_again_reaches_no_one_twice(yuehai, django_capture_on_commit_callbacks):
    warning = publish(yuehai, django_capture_on_commit_callbacks)
    before = (Delivery.objects.count(), Message.objects.count(), OutboxMessage.objects.count())
    for batch in FanoutBatch.objects.filter(warning=warning):
        FanoutBatch.objects.filter(pk=batch.pk).update(queued_at=None)
        assert services.batch_deliver(batch_id=batch.pk) == 0
    tasks.fanout(warning.pk)
    assert (Delivery.objects.count(), Message.objects.count(), OutboxMessage.objects.count()) == before


def test_the_database_refuses_a_second_delivery_to_the_same_person(
    yuehai, django_capture_on_commit_callbacks
):
    warning = publish(yuehai, django_capture_on_commit_callbacks)
    d = Delivery.objects.filter(warning=warning).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(warning=warning, resident_id=d.resident_id, area_id=d.area_id, channel="none")


def test_a_lost_batch_is_sent_again_by_the_resume_sweep(yuehai, django_capture_on_commit_callbacks):
    """Batches of one resident each; the first two are done, the rest were lost with the broker."""
    from datetime import timedelta

    from django.utils import timezone

    w = yuehai
    with django_capture_on_commit_callbacks(execute=False):
        warning = services.warning_publish(
            actor=w["officer"],
            hazard="rainstorm",
            level="orange",
            area_codes=[w["street"].code],
            message="暴雨",
        )
    services.fanout_plan(warning_id=warning.pk, batch_size=1)
    batches = list(FanoutBatch.objects.filter(warning=warning))
    assert len(batches) >= 4
    for b in batches[:2]:
        services.batch_deliver(batch_id=b.pk)
    # Sent to the broker a while ago and never done: lost.
    FanoutBatch.objects.filter(warning=warning).update(queued_at=timezone.now() - timedelta(minutes=10))
    assert tasks.fanout_resume() == len(batches) - 2
    assert Delivery.objects.filter(warning=warning).count() == len(batches)
    assert tasks.fanout_resume() == 0
    warning.refresh_from_db()
    assert warning.fanned_out_at is not None


def test_a_warning_with_no_area_is_refused_and_nothing_is_written(yuehai, django_capture_on_commit_callbacks):
    audits = AuditEntry.objects.count()
    with pytest.raises(ShequError) as e:
        publish(yuehai, django_capture_on_commit_callbacks, codes=[])
    assert e.value.fields["areas"] == "请至少选择一个预警覆盖的区域。"
    assert not Warning.objects.exists() and AuditEntry.objects.count() == audits


def test_a_warning_outside_the_officers_street_is_refused_and_nothing_is_written(
    yuehai, django_capture_on_commit_callbacks
):
    from .helpers import street

    huafu = street("440304", "华富街道")
    with pytest.raises(ShequError) as e:
        publish(yuehai, django_capture_on_commit_callbacks, codes=[yuehai["a"].code, huafu.code])
    assert e.value.fields["areas"] == "华富街道不在您可发布预警的区域内。"
    assert not Warning.objects.exists() and not Delivery.objects.exists()


def test_bad_level_and_empty_message_are_named(yuehai, django_capture_on_commit_callbacks):
    with pytest.raises(ShequError) as e:
        publish(yuehai, django_capture_on_commit_callbacks, level="purple", message=" ")
    assert set(e.value.fields) == {"level", "message"}


def test_the_reached_resident_acknowledges_and_one_not_reached_is_told_not_found(
    yuehai, django_capture_on_commit_callbacks
):
    w = yuehai
    warning = publish(w, django_capture_on_commit_callbacks)
    d = services.warning_acknowledge(person=w["reader"].user, warning_id=warning.pk)
    assert d.acknowledged_at is not None and d.ack_way == AckWay.SELF
    first = d.acknowledged_at
    assert (
        services.warning_acknowledge(person=w["reader"].user, warning_id=warning.pk).acknowledged_at == first
    )
    with pytest.raises(NotFound) as e:
        services.warning_acknowledge(person=w["outside"].user, warning_id=warning.pk)
    assert str(e.value) == "此预警未发送给您。"
    assert not Delivery.objects.filter(user=w["outside"].user).exists()


def test_the_call_list_holds_vulnerable_people_not_yet_confirmed_in_the_grid_workers_area(
    yuehai, django_capture_on_commit_callbacks
):
    w = yuehai
    warning = publish(w, django_capture_on_commit_callbacks)
    calls = list(selectors.call_list_for(user=w["grid"], warning=warning))
    assert [d.resident.name for d in calls] == ["王阿婆"]  # 赵老伯 lives in the other community
    assert [d.resident.name for d in selectors.call_list_for(user=w["grid_b"], warning=warning)] == ["赵老伯"]
    services.delivery_confirm(actor=w["grid"], delivery=calls[0], way=AckWay.CALL, note="已电话告知")
    assert list(selectors.call_list_for(user=w["grid"], warning=warning)) == []
    with pytest.raises(ShequError):
        services.delivery_confirm(actor=w["grid"], delivery=calls[0], way=AckWay.CALL)
    # The other grid worker cannot reach her record at all.
    with pytest.raises(NotFound):
        selectors.delivery_get_for(user=w["grid_b"], pk=calls[0].pk)


def test_after_the_event_a_call_for_help_is_followed_up(yuehai, django_capture_on_commit_callbacks):
    w = yuehai
    warning = publish(w, django_capture_on_commit_callbacks)
    services.safety_report(
        person=w["reader"].user, warning_id=warning.pk, state=SafetyState.NEED_HELP, note="家中进水"
    )
    services.warning_end(actor=w["officer"], warning=warning)
    warning.refresh_from_db()
    names = [d.resident.name for d in selectors.follow_up_list_for(user=w["grid"], warning=warning)]
    assert names == ["林小红", "王阿婆"]  # asked for help; vulnerable and silent
    helped = selectors.follow_up_list_for(user=w["grid"], warning=warning)[0]
    services.delivery_follow_up(actor=w["grid"], delivery=helped, note="已协助排水")
    assert [d.resident.name for d in selectors.follow_up_list_for(user=w["grid"], warning=warning)] == [
        "王阿婆"
    ]
    with pytest.raises(ShequError):
        services.safety_report(person=w["reader"].user, warning_id=warning.pk, state="maybe")


def test_the_banner_shows_a_warning_in_force_then_asks_whether_one_is_safe(
    yuehai, django_capture_on_commit_callbacks
):
    w = yuehai
    warning = publish(w, django_capture_on_commit_callbacks)
    user = w["reader"].user
    assert [d.warning_id for d in selectors.banner_for(user=user)] == [warning.pk]
    assert selectors.banner_for(user=w["outside"].user) == []
    services.warning_end(actor=w["officer"], warning=warning)
    assert [d.warning_id for d in selectors.banner_for(user=user)] == [warning.pk]
    services.safety_report(person=user, warning_id=warning.pk, state=SafetyState.SAFE)
    assert selectors.banner_for(user=user) == []
