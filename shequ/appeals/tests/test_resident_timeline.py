"""The resident's 办理进度 in words a resident understands, and no entry or note meant for staff (issue 21).

Every timeline entry has a declared audience (appeals.timeline.Audience); the note is staff's, the text addressed
to the requester is its own field."""

import pytest

from shequ.access.testing import sign_in
from shequ.appeals import services
from shequ.appeals.timeline import Audience

from . import fixtures
from .fixtures import bring_to, submit

# Bound by assignment, as in test_api.py (ruff F811); `clock` is autouse.
clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db

INTERNAL = "内部备注：先联系物业经理老王"
REPLY = "已安排保洁人员清理，并增加清运频次。"


def _reopened(world):
    a = submit(world)
    a = services.appeal_dispatch(actor=world["sunli"], appeal=a, unit=world.lina_unit, note=INTERNAL)
    a = services.appeal_sign_for(actor=world["lina"], appeal=a)
    a = services.appeal_start(actor=world["lina"], appeal=a)
    a = services.appeal_reply(actor=world["lina"], appeal=a, text=REPLY)
    services.appeal_evaluate(actor=world["zhangwei"], appeal=a, rating=1, resolved=False, comment="还是很脏")
    a.refresh_from_db()
    assert a.status == "dispatched" and a.reopen_count == 1
    return a


def test_a_reopened_appeal_says_it_is_being_handled_again_not_dispatched(client, world):
    a = _reopened(world)
    sign_in(client, world["zhangwei"])
    page = client.get(f"/me/appeals/{a.pk}/").content.decode()
    assert "重新办理中" in page and "已派单" not in page
    assert "此前的答复" in page and REPLY in page  # the old reply is shown as the earlier one


def test_the_resident_never_sees_a_note_meant_for_staff(client, world):
    a = _reopened(world)
    sign_in(client, world["zhangwei"])
    page = client.get(f"/me/appeals/{a.pk}/").content.decode()
    assert INTERNAL not in page and "职责清单" not in page
    # In his words: received, passed to a unit, answered, rated, being handled again.
    for words in ("已受理", "已转交办理单位", "已答复", "您已评价", "重新办理中"):
        assert words in page, words
    assert "派单" not in page.replace("已转交", "")


def test_the_resident_api_gives_his_text_and_the_audience_never_the_note(client, world):
    a = _reopened(world)
    sign_in(client, world["zhangwei"])
    events = client.get(f"/api/v1/appeals/{a.pk}").json()["events"]
    assert events and all(e["audience"] == Audience.REQUESTER for e in events)
    assert all(INTERNAL not in e["note"] for e in events)
    assert REPLY in [e["note"] for e in events if e["action"] == "reply"]


def test_staff_see_the_note_and_whom_each_entry_is_for(client, world):
    a = _reopened(world)
    sign_in(client, world["sunli"])
    events = client.get(f"/api/v1/appeals/{a.pk}").json()["events"]
    assert INTERNAL in [e["note"] for e in events if e["action"] == "dispatch"]
    assert {e["audience"] for e in events} <= {Audience.STAFF, Audience.REQUESTER}
    page = client.get(f"/console/appeals/{a.pk}/").content.decode()
    assert "诉求人可见" in page


def test_an_internal_only_entry_is_marked_staff_only_in_the_console(client, world):
    a = bring_to(world, submit(world), "in_progress")
    services.appeal_contact(actor=world["lina"], appeal=a, note="电话联系，居民不在家")
    sign_in(client, world["sunli"])
    page = client.get(f"/console/appeals/{a.pk}/").content.decode()
    assert "仅工作人员可见" in page
    sign_in(client, world["zhangwei"])
    assert "居民不在家" not in client.get(f"/me/appeals/{a.pk}/").content.decode()
