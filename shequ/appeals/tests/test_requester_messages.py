"""The message centre hears of every step of a resident's appeal (issue 21): acceptance, dispatch, contact, reply,
reopen and close reach his inbox (站内消息); a text message too where he wants one; nothing meant for staff."""

import pytest
from django.test import Client

from shequ.access.testing import sign_in
from shequ.accounts.models import OutboxMessage
from shequ.appeals import services
from shequ.messages.models import Message
from shequ.messages.services import preference_set

from . import fixtures
from .fixtures import submit

clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db

INTERNAL = "内部备注：先联系物业经理老王"


def _titles(user) -> list[str]:
    return list(
        Message.objects.filter(person=user).order_by("created_at", "id").values_list("title", flat=True)
    )


def test_every_step_of_her_appeal_reaches_her_inbox(world):
    zhangwei = world["zhangwei"]
    a = submit(world)
    a = services.appeal_dispatch(actor=world["sunli"], appeal=a, unit=world.lina_unit, note=INTERNAL)
    a = services.appeal_sign_for(actor=world["lina"], appeal=a)
    a = services.appeal_start(actor=world["lina"], appeal=a)
    a = services.appeal_contact(actor=world["lina"], appeal=a, note="电话联系，居民不在家")
    a = services.appeal_reply(actor=world["lina"], appeal=a, text="已安排保洁人员清理。")
    a = services.appeal_evaluate(actor=zhangwei, appeal=a, rating=1, resolved=False)
    a.refresh_from_db()
    n = a.number
    titles = _titles(zhangwei)
    assert titles[:5] == [
        f"您的诉求 {n} 已受理",
        f"您的诉求 {n} 已转交办理单位",
        f"办理单位已就诉求 {n} 与您联系",
        f"您的诉求 {n} 已答复，请评价",
        f"您的诉求 {n} 正在重新办理",
    ]
    everything = " ".join(Message.objects.values_list("body", flat=True))
    assert INTERNAL not in everything and "居民不在家" not in everything
    assert "已安排保洁人员清理" in everything  # the reply is his to read
    a = services.appeal_sign_for(actor=world["lina"], appeal=a)
    a = services.appeal_start(actor=world["lina"], appeal=a)
    a = services.appeal_reply(actor=world["lina"], appeal=a, text="已再次清理并加装垃圾桶。")
    services.appeal_evaluate(actor=zhangwei, appeal=a, rating=5)
    assert _titles(zhangwei)[-1] == f"您的诉求 {n} 已办结"


def test_text_messages_follow_her_preference(world):
    zhangwei = world["zhangwei"]
    submit(world)
    assert OutboxMessage.objects.filter(purpose="appeal.received").count() == 1
    preference_set(person=zhangwei, sms=False)
    submit(world)
    assert OutboxMessage.objects.filter(purpose="appeal.received").count() == 1
    assert Message.objects.filter(person=zhangwei, kind="appeal.received").count() == 2


def test_a_caller_without_an_account_still_gets_the_text_message(world):
    submit(world, by="sunli", channel="hotline", phone="13912345678")
    assert OutboxMessage.objects.filter(purpose="appeal.received").count() == 1
    assert not Message.objects.exists()


def test_the_header_counts_unread_messages_and_the_inbox_shows_them(client, world):
    a = submit(world)
    services.appeal_dispatch(actor=world["sunli"], appeal=a, unit=world.lina_unit)
    sign_in(client, world["zhangwei"])
    home = client.get("/").content.decode()
    assert 'id="nav-messages"' in home and ">2<" in home
    inbox = client.get("/me/messages/").content.decode()
    assert f"您的诉求 {a.number} 已受理" in inbox and "已转交办理单位" in inbox
    first = Message.objects.filter(person=world["zhangwei"]).order_by("created_at", "id").first()
    r = client.post(f"/me/messages/{first.pk}/read/")
    assert r.status_code == 302 and r["Location"] == f"/me/appeals/{a.pk}/"
    assert ">1<" in client.get("/").content.decode()
    client.post("/me/messages/read-all/")
    assert 'class="badge text-bg-warning"' not in client.get("/").content.decode()


def test_someone_elses_message_is_404(client, world, make_user):
    submit(world)
    mine = Message.objects.get()
    other = make_user("resident_x", phone="13900000077")
    sign_in(client, other)
    assert client.post(f"/me/messages/{mine.pk}/read/").status_code == 404
    assert "已受理" not in client.get("/me/messages/").content.decode()
    assert Message.objects.get().read_at is None


def test_the_inbox_needs_a_signed_in_person():
    r = Client().get("/me/messages/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/resident/")


def test_the_preference_is_saved_from_the_inbox_and_audited(client, world):
    from shequ.audit.models import AuditEntry

    sign_in(client, world["zhangwei"])
    assert client.post("/me/messages/preferences/", {}).status_code == 302
    assert 'id="pref-sms" checked' not in client.get("/me/messages/").content.decode()
    assert AuditEntry.objects.filter(action="messages.preference").count() == 1
