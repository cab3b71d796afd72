"""The console's timeline badges each entry by its real audience and each note by its own (issue 21): a
dispatcher's internal note on a dispatch (a step the requester sees) is marked staff only, never 诉求人可见."""

import re

import pytest

from shequ.access.testing import sign_in
from shequ.appeals import services
from shequ.appeals.timeline import Audience, staff_timeline
from shequ.appeals.workflow import event_label

from . import fixtures
from .fixtures import submit

clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db

INTERNAL = "内部备注：先联系物业经理老王"
REPLY = "已安排保洁人员清理，并增加清运频次。"


def _entry(page: str, action: str) -> str:
    found = re.search(rf'<li class="timeline-entry" data-action="{action}">(.*?)</li>', page, re.S)
    assert found, action
    return found.group(1)


def test_an_internal_note_on_a_step_the_requester_sees_is_badged_staff_only(client, world):
    a = submit(world)
    a = services.appeal_dispatch(actor=world["sunli"], appeal=a, unit=world.lina_unit, note=INTERNAL)
    sign_in(client, world["sunli"])
    page = client.get(f"/console/appeals/{a.pk}/").content.decode()
    dispatch = _entry(page, "dispatch")
    # The step is the requester's (in his words), the note is not.
    assert "诉求人可见" in dispatch and "诉求人看到：已转交办理单位" in dispatch
    note = dispatch.split('class="timeline-note"', 1)[1]
    assert "内部备注，仅工作人员可见" in note and INTERNAL in note and "诉求人可见" not in note


def test_a_reply_is_badged_as_addressed_to_the_requester(client, world):
    a = submit(world)
    a = services.appeal_dispatch(actor=world["sunli"], appeal=a, unit=world.lina_unit, note=INTERNAL)
    a = services.appeal_sign_for(actor=world["lina"], appeal=a)
    a = services.appeal_start(actor=world["lina"], appeal=a)
    a = services.appeal_reply(actor=world["lina"], appeal=a, text=REPLY)
    entries = {e["action"]: e for e in staff_timeline(a, label=event_label)}
    assert entries["reply"]["note_audience"] == Audience.REQUESTER and entries["reply"]["note"] == REPLY
    assert entries["dispatch"]["note_audience"] == Audience.STAFF
    assert entries["sign_for"]["audience"] == Audience.REQUESTER


def test_a_staff_only_step_says_so_and_its_note_too(client, world):
    a = submit(world)
    a = services.appeal_dispatch(actor=world["sunli"], appeal=a, unit=world.lina_unit)
    a = services.appeal_sign_for(actor=world["lina"], appeal=a)
    services.appeal_contact(actor=world["lina"], appeal=a, note="电话联系，居民不在家")
    sign_in(client, world["lina"])
    contact = _entry(client.get(f"/console/appeals/{a.pk}/").content.decode(), "contact")
    assert "仅工作人员可见" in contact and "诉求人可见" not in contact and "诉求人看到" not in contact


def test_the_console_reads_the_timeline_once(client, world):
    """The page builds its timeline with staff_timeline; the detail it also shows does not read the events again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a = submit(world)
    a = services.appeal_dispatch(actor=world["sunli"], appeal=a, unit=world.lina_unit, note=INTERNAL)
    sign_in(client, world["sunli"])
    with CaptureQueriesContext(connection) as read:
        page = client.get(f"/console/appeals/{a.pk}/").content.decode()
    timeline_reads = [
        q["sql"]
        for q in read.captured_queries
        # The timeline's shape: every entry with the unit that wrote it.
        if q["sql"].startswith('SELECT "appeals_event"') and 'JOIN "accounts_unit"' in q["sql"]
    ]
    assert len(timeline_reads) == 1, timeline_reads
    assert INTERNAL in page and 'data-action="dispatch"' in page
