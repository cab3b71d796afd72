"""Community events and courses: sign-up to the last place and the waiting list, moving up on a cancellation,
attendance by QR code within its window, reminders, the iCalendar feeds, GET /api/v1/events, pages and matrix."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from hypothesis import given
from hypothesis import strategies as st

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.core.errors import ShequError
from shequ.facilities.tests.helpers import community
from shequ.messages.models import Message
from shequ.venues import activities, ical
from shequ.venues.models import Activity, ActivityKind, Attendance, Enrolment, EnrolStatus

from . import helpers
from .helpers import at

clock = helpers.clock
pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def make_activity(capacity=2, *, kind=ActivityKind.EVENT, weeks=1, area=None, **kw) -> Activity:
    sessions = [(at(1 + 7 * w, "19:00"), at(1 + 7 * w, "21:00")) for w in range(weeks)]
    return activities.activity_create(
        actor=None,
        title=kw.pop("title", "华富社区广场舞比赛"),
        area=area or helpers.huafu_street(),
        sessions=sessions,
        capacity=capacity,
        kind=kind,
        place="华富党群服务中心广场",
        **kw,
    )


def test_the_last_place_then_the_waiting_list_then_moving_up(cast, clock, make_user):
    a = make_activity(capacity=2)
    first = activities.enrol(actor=cast["zhangwei"], activity=a)
    second = activities.enrol(actor=helpers.huafu_neighbour(make_user, "n1"), activity=a)
    third_person = helpers.huafu_neighbour(make_user, "n2")
    third = activities.enrol(actor=third_person, activity=a)
    assert [first.status, second.status, third.status] == ["confirmed", "confirmed", "waitlisted"]
    a.refresh_from_db()
    assert a.taken == 2
    with pytest.raises(ShequError) as info:
        activities.enrol(actor=cast["zhangwei"], activity=a)
    assert info.value.code == "duplicate"
    activities.enrol_cancel(actor=cast["zhangwei"], enrolment=first)
    third.refresh_from_db()
    a.refresh_from_db()
    assert third.status == EnrolStatus.CONFIRMED and a.taken == 2
    assert Message.objects.filter(person=third_person, kind="activity.moved_up").exists()


def test_residents_of_another_street_may_not_sign_up_unless_open_to_the_city(cast, clock):
    a = make_activity()
    with pytest.raises(ShequError) as info:
        activities.enrol(actor=cast["wangqiang"], activity=a)
    assert info.value.code == "not_eligible"
    assert not Enrolment.objects.exists()


def test_attendance_by_the_sessions_code_within_its_window(cast, clock, make_user):
    a = make_activity(kind=ActivityKind.COURSE, weeks=3, title="老年大学书法班")
    activities.enrol(actor=cast["zhangwei"], activity=a)
    session = a.sessions.order_by("start")[1]
    token = activities.attend_token(session)
    clock.set(at(8, "18:00"))
    with pytest.raises(ShequError) as info:
        activities.attend(actor=cast["zhangwei"], token=token)
    assert info.value.code == "attend_window" and "18:30" in info.value.message
    clock.set(at(8, "18:45"))
    activities.attend(actor=cast["zhangwei"], token=token)
    activities.attend(actor=cast["zhangwei"], token=token)  # twice is once
    assert Attendance.objects.filter(session=session).count() == 1
    with pytest.raises(ShequError) as info:
        activities.attend(actor=helpers.huafu_neighbour(make_user), token=token)
    assert info.value.code == "not_enrolled"


def test_a_reminder_a_day_before_each_session_once(cast, clock):
    a = make_activity(kind=ActivityKind.COURSE, weeks=2)
    activities.enrol(actor=cast["zhangwei"], activity=a)
    assert activities.sessions_remind() == 0  # tomorrow 19:00 is more than 24 h after today 10:00
    clock.set(at(0, "19:30"))
    assert activities.sessions_remind() == 1
    assert activities.sessions_remind() == 0
    assert Message.objects.filter(person=cast["zhangwei"], kind="activity.reminder").count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="simultaneous writers need PostgreSQL's row locks"
)
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_sign_ups_for_ten_places(clock):
    from shequ.accounts.models import User
    from shequ.audit.tests.tampering import wipe

    a = make_activity(capacity=10, open_to_city=True)
    people = [User.objects.create(username=f"signer{i}") for i in range(50)]
    barrier = threading.Barrier(50)
    results: list[str] = []

    def go(user):
        try:
            barrier.wait()
            results.append(activities.enrol(actor=user, activity=a).status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    a.refresh_from_db()
    assert results.count("confirmed") == 10 and results.count("waitlisted") == 40 and a.taken == 10
    wipe()


# --- iCalendar ----------------------------------------------------------------------------------------------------
@given(st.text(min_size=0, max_size=300))
def test_folded_lines_are_at_most_75_octets_and_unfold_to_the_original(text):
    line = "SUMMARY:" + ical.escape(text)
    folded = ical.fold(line)
    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_the_community_feed_and_the_personal_feed(client, cast, clock):
    a = make_activity(kind=ActivityKind.COURSE, weeks=2, title="社区学校：智能手机课, 第1期; 周二")
    activities.enrol(actor=cast["zhangwei"], activity=a)
    r = client.get(f"/calendar/community/{helpers.huafu_street().code}.ics")
    assert r["Content-Type"].startswith("text/calendar")
    lines = ical.unfold(r.content.decode())
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 2
    assert "SUMMARY:社区学校：智能手机课\\, 第1期\\; 周二" in lines
    assert "DTSTART:20260303T110000Z" in lines  # 19:00 in Shenzhen
    sign_in(client, cast["zhangwei"])
    page = client.get("/me/activities/", **ZH).content.decode()
    feed = page.split("/calendar/me/")[1].split(".ics")[0]
    client.logout()
    mine = ical.unfold(client.get(f"/calendar/me/{feed}.ics").content.decode())
    assert mine.count("BEGIN:VEVENT") == 2
    assert client.get("/calendar/me/forged.ics").status_code == 404


def test_events_api_lists_upcoming_activities(client, cast, clock):
    make_activity(kind=ActivityKind.COURSE, weeks=3)
    make_activity(title="粤海社区篮球赛", area=community("粤海街道", "440305"))
    items = client.get("/api/v1/events", {"area": helpers.huafu_street().code}).json()["items"]
    assert [i["title"] for i in items] == ["华富社区广场舞比赛"] and len(items[0]["sessions"]) == 3
    assert len(client.get("/api/v1/events").json()["items"]) == 2


def test_signing_up_on_the_portal_in_chinese(client, cast, clock):
    a = make_activity(capacity=1)
    sign_in(client, cast["zhangwei"])
    page = client.get(f"/activities/{a.pk}/", **ZH).content.decode()
    assert "剩余 1 个名额" in page
    r = client.post(f"/activities/{a.pk}/enrol/", follow=True, **ZH)
    assert "报名成功" in r.content.decode()
    r = client.get("/activities/", **ZH).content.decode()
    assert a.title in r


def test_the_console_counts_each_waiting_person_once_whatever_the_number_of_sessions(
    client, cast, clock, make_user
):
    course = make_activity(capacity=1, kind=ActivityKind.COURSE, weeks=4, title="老年大学太极拳")
    activities.enrol(actor=cast["zhangwei"], activity=course)
    activities.enrol(actor=helpers.huafu_neighbour(make_user, "n1"), activity=course)
    sign_in(client, cast["lina"])
    page = client.get("/console/activities/", **ZH).content.decode()
    row = page.split("老年大学太极拳")[1].split("</tr>")[0]
    assert row.rstrip().endswith('<td class="text-end">1/1</td><td class="text-end">1</td>'), row


def test_once_an_event_has_begun_the_pages_offer_neither_sign_up_nor_cancel(client, cast, clock, make_user):
    event = make_activity(capacity=5)
    course = make_activity(capacity=5, kind=ActivityKind.COURSE, weeks=3, title="社区学校书法课")
    for a in (event, course):
        activities.enrol(actor=cast["zhangwei"], activity=a)
    clock.set(at(1, "19:30"))  # both have begun: the event's only session, the course's first
    sign_in(client, helpers.huafu_neighbour(make_user))
    detail = client.get(f"/activities/{course.pk}/", **ZH).content.decode()
    assert "报名已截止" in detail and f"/activities/{course.pk}/enrol/" not in detail
    with pytest.raises(ShequError):  # what the page no longer offers, the service refuses
        activities.enrol(actor=helpers.huafu_neighbour(make_user, "late"), activity=course)
    sign_in(client, cast["zhangwei"])
    mine = client.get("/me/activities/", **ZH).content.decode()
    enrolments = {e.activity_id: e.pk for e in Enrolment.objects.filter(person=cast["zhangwei"])}
    assert f"/me/activities/{enrolments[event.pk]}/cancel/" not in mine  # an event that began
    assert f"/me/activities/{enrolments[course.pk]}/cancel/" in mine  # a course may be left any time


def test_the_attendance_page_opens_only_with_a_real_code_shown_on_the_console(client, cast, clock):
    a = make_activity(title="长者健康讲座")
    session = a.sessions.get()
    sign_in(client, cast["lina"])
    console = client.get(f"/console/activities/{a.pk}/", **ZH).content.decode()
    assert console.count("<svg") == 1  # the session's attendance code
    sign_in(client, cast["zhangwei"])
    token = activities.attend_token(session)
    assert "长者健康讲座" in client.get("/activities/attend/", {"t": token}, **ZH).content.decode()
    for bad in (
        "forged",
        token[:-2] + "xx",
        activities.attend_token(session).replace(str(session.pk), "0", 1),
    ):
        assert client.get("/activities/attend/", {"t": bad}).status_code == 404


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_enrol_needs_a_sign_in(self, client, cast, clock):
        a = make_activity()
        self.assert_permission_matrix(
            client,
            url=f"/activities/{a.pk}/enrol/",
            method="post",
            multipart=True,
            ok=(302,),
            in_scope=cast["zhangwei"],
            page=True,
            sign_in_url="/accounts/resident/",
        )

    def test_my_activities_need_a_sign_in(self, client, cast, clock):
        self.assert_permission_matrix(
            client,
            url="/me/activities/",
            in_scope=cast["zhangwei"],
            page=True,
            sign_in_url="/accounts/resident/",
        )

    def test_cancelling_someone_elses_sign_up_is_not_found(self, client, cast, clock):
        e = activities.enrol(actor=cast["zhangwei"], activity=make_activity())
        self.assert_permission_matrix(
            client,
            url=f"/me/activities/{e.pk}/cancel/",
            method="post",
            multipart=True,
            ok=(302,),
            in_scope=cast["zhangwei"],
            out_of_scope=cast["lina"],
            missing_url="/me/activities/999999991/cancel/",
            page=True,
            sign_in_url="/accounts/resident/",
        )

    def test_attendance_needs_a_sign_in(self, client, cast, clock):
        a = make_activity()
        token = activities.attend_token(a.sessions.first())
        self.assert_permission_matrix(
            client,
            url=f"/activities/attend/?t={token}",
            in_scope=cast["zhangwei"],
            page=True,
            sign_in_url="/accounts/resident/",
        )

    def test_the_console_list_is_for_venue_managers(self, client, cast, clock):
        self.assert_permission_matrix(
            client, url="/console/activities/", in_scope=cast["lina"], no_role=cast["zhouyu"], page=True
        )

    def test_an_activity_of_another_street_is_not_found(self, client, cast, clock):
        a = make_activity()
        self.assert_permission_matrix(
            client,
            url=f"/console/activities/{a.pk}/",
            in_scope=cast["lina"],
            no_role=cast["zhouyu"],
            out_of_scope=cast["wangqiang"],
            missing_url="/console/activities/999999991/",
            page=True,
        )

    def test_the_personal_feed_is_reached_only_by_its_secret_address(self, client, cast, clock):
        from shequ.venues.views_activities import feed_token

        assert client.get(f"/calendar/me/{feed_token(cast['zhangwei'])}.ics").status_code == 200
        assert client.get(f"/calendar/me/{cast['zhangwei'].pk}.ics").status_code == 404
        assert client.get(f"/calendar/me/{feed_token(cast['zhangwei'])[:-2]}xx.ics").status_code == 404
