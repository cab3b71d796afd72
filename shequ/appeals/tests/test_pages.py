"""The resident portal and the staff console pages for appeals (server-rendered; no JavaScript needed)."""

import io
import re

import pytest
from openpyxl import load_workbook

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.appeals.models import Appeal
from shequ.appeals.services import IntakeData, appeal_submit
from shequ.geo.models import Area

pytestmark = pytest.mark.django_db


def _community():
    return Area.objects.filter(parent__name="华富街道").order_by("code").first()


def _submit_through_the_three_steps(client):
    r = client.post("/appeals/new/", {"text": "楼下垃圾桶满了溢出来，苍蝇很多", "category": "sanitation"})
    assert r.status_code == 302 and r["Location"] == "/appeals/new/location/"
    community = _community()
    r = client.post(
        "/appeals/new/location/",
        {"district": "440304", "street": community.parent.code, "community": community.code, "go": "next"},
    )
    assert r.status_code == 302 and r["Location"] == "/appeals/new/confirm/"
    return client.post("/appeals/new/confirm/", {})


def test_a_resident_submits_in_three_steps_without_javascript(client, cast):
    sign_in(client, cast["zhangwei"])
    r = _submit_through_the_three_steps(client)
    appeal = Appeal.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/me/appeals/{appeal.pk}/"
    assert appeal.requester == cast["zhangwei"] and appeal.channel == "portal" and appeal.area == _community()
    assert appeal.contact_phone == "13800000001"  # the account's phone, never typed into the page
    page = client.get(r["Location"]).content.decode()
    assert appeal.number in page and "13800000001" not in page


def test_pressing_submit_twice_creates_one_appeal(client, cast):
    sign_in(client, cast["zhangwei"])
    _submit_through_the_three_steps(client)
    again = client.post("/appeals/new/confirm/", {})
    assert again.status_code == 302 and Appeal.objects.count() == 1


def test_the_describe_step_refuses_a_too_short_text(client, cast):
    sign_in(client, cast["zhangwei"])
    r = client.post("/appeals/new/", {"text": "灯"})
    assert r.status_code == 200 and "至少 5 个字" in r.content.decode()


def test_the_location_step_needs_a_place(client, cast):
    sign_in(client, cast["zhangwei"])
    client.post("/appeals/new/", {"text": "楼下垃圾桶满了溢出来，苍蝇很多"})
    r = client.post("/appeals/new/location/", {"go": "next"})
    assert r.status_code == 200 and not Appeal.objects.exists()


def test_submitting_needs_a_signed_in_resident(client):
    r = client.get("/appeals/new/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/resident/")


def test_the_picked_suggestion_is_kept_when_the_list_says_not_sure(client, cast):
    # What a browser sends: the checked suggestion, then the list left at "I am not sure" (issue 21: it won).
    sign_in(client, cast["zhangwei"])
    r = client.post(
        "/appeals/new/", {"text": "晚上工地施工噪音扰民", "category": "noise", "category_list": ""}
    )
    assert r.status_code == 302
    assert client.session["shequ_appeal_draft"]["category"] == "noise"
    page = client.get("/appeals/new/").content.decode()
    assert re.search(r'value="noise"\s+checked', page)  # shown checked again on the way back


def test_a_category_chosen_from_the_list_is_kept(client, cast):
    sign_in(client, cast["zhangwei"])
    r = client.post("/appeals/new/", {"text": "晚上工地施工噪音扰民", "category_list": "sanitation"})
    assert r.status_code == 302
    assert client.session["shequ_appeal_draft"]["category"] == "sanitation"
    page = client.get("/appeals/new/").content.decode()
    assert re.search(r'value="sanitation"\s*selected', page)


def test_an_older_form_posting_both_under_one_name_keeps_the_suggestion(client, cast):
    sign_in(client, cast["zhangwei"])
    client.post("/appeals/new/", {"text": "晚上工地施工噪音扰民", "category": ["noise", ""]})
    assert client.session["shequ_appeal_draft"]["category"] == "noise"


def test_a_kept_category_asks_its_own_questions_before_submitting(client, cast):
    # Once the chosen category is kept, its required attribute (noise: 噪声发生时段) must be asked on the page.
    sign_in(client, cast["zhangwei"])
    client.post("/appeals/new/", {"text": "晚上工地施工噪音扰民", "category": "noise"})
    community = _community()
    client.post(
        "/appeals/new/location/",
        {"district": "440304", "street": community.parent.code, "community": community.code, "go": "next"},
    )
    page = client.get("/appeals/new/confirm/").content.decode()
    assert "噪声发生时段" in page and 'name="attr_time_of_day"' in page
    r = client.post("/appeals/new/confirm/", {})
    assert r.status_code == 200 and "请回答此项" in r.content.decode() and not Appeal.objects.exists()
    r = client.post("/appeals/new/confirm/", {"attr_time_of_day": "night"})
    assert r.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.category.code == "noise" and appeal.attributes == {"time_of_day": "night"}


def test_category_suggestions_come_as_a_fragment(client, cast):
    sign_in(client, cast["zhangwei"])
    r = client.get("/appeals/new/suggest/", {"text": "晚上工地施工噪音扰民"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html and 'value="noise"' in html


def test_my_appeals_lists_only_mine_and_a_bad_rating_reopens(client, cast, make_user):
    mine = appeal_submit(
        actor=cast["zhangwei"],
        requester=cast["zhangwei"],
        data=IntakeData(text="路灯坏了一个星期", channel="portal", area=_community().code),
    )
    appeal_submit(
        actor=None, data=IntakeData(text="别人的诉求内容", channel="portal", area=_community().code)
    )
    sign_in(client, cast["zhangwei"])
    page = client.get("/me/appeals/").content.decode()
    # Appeal numbers, not any "SQ": the page's CSRF tokens are random and sometimes hold those two letters.
    assert re.findall(r"SQ\d{14,}", page) == [mine.number]
    Appeal.objects.filter(pk=mine.pk).update(status="replied", reply_text="已修复")
    r = client.post(f"/me/appeals/{mine.pk}/rate/", {"rating": "2", "resolved": "no"})
    assert r.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "dispatched" and mine.reopen_count == 1 and mine.resolved is False


def test_someone_elses_appeal_is_404_on_my_pages(client, cast, make_user):
    other = appeal_submit(
        actor=None, data=IntakeData(text="别人的诉求内容", channel="portal", area=_community().code)
    )
    sign_in(client, cast["zhangwei"])
    assert client.get(f"/me/appeals/{other.pk}/").status_code == 404


def test_elder_mode_is_a_remembered_toggle(client):
    r = client.post("/prefs/elder/", {"elder": "1", "next": "/"})
    assert r.status_code == 302 and r.cookies["shequ_elder"].value == "1"
    assert '<html lang="zh-Hans" class="elder">' in client.get("/").content.decode()
    client.post("/prefs/elder/", {"elder": "0", "next": "/"})
    assert 'class="elder"' not in client.get("/").content.decode()


class TestConsolePages(PermissionMatrixMixin):
    def test_the_appeal_console_is_for_staff_in_scope(self, client, cast):
        a = appeal_submit(
            actor=None, data=IntakeData(text="小区门口垃圾堆积", channel="portal", area=_community().code)
        )
        self.assert_permission_matrix(
            client,
            url=f"/console/appeals/{a.pk}/",
            in_scope=cast["sunli"],
            out_of_scope=cast["wangqiang"],
            no_role=cast["zhouyu"],
            page=True,
        )
        self.assert_permission_matrix(
            client, url="/console/appeals/", in_scope=cast["sunli"], no_role=cast["zhouyu"], page=True
        )


def test_a_dispatcher_dispatches_from_the_detail_page(client, cast):
    a = appeal_submit(
        actor=None, data=IntakeData(text="小区门口垃圾堆积", channel="portal", area=_community().code)
    )
    sign_in(client, cast["sunli"])
    assert (
        "城市管理和综合执法局" in client.get(f"/console/appeals/{a.pk}/").content.decode()
    )  # picked by name
    r = client.post(f"/console/appeals/{a.pk}/dispatch/", {"unit": "440304-CG", "note": "请处理"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == "dispatched" and a.lead_unit.code == "440304-CG"


def test_the_detail_page_says_how_precisely_the_appeal_was_placed_in_words(client, cast):
    given = appeal_submit(
        actor=None, data=IntakeData(text="小区门口垃圾堆积", channel="portal", area=_community().code)
    )
    pointed = appeal_submit(
        actor=None, data=IntakeData(text="路边垃圾堆积", channel="portal", lat=22.541, lng=114.05)
    )
    sign_in(client, cast["sunli"])
    assert "(按填报的地区)" in client.get(f"/console/appeals/{given.pk}/").content.decode()
    page = client.get(f"/console/appeals/{pointed.pk}/").content.decode()
    assert "(按坐标定位到区)" in page and "(district)" not in page


def test_a_dispatcher_changes_the_category_from_the_detail_page(client, cast):
    a = appeal_submit(
        actor=None, data=IntakeData(text="楼上每晚装修噪音很大", channel="portal", area=_community().code)
    )
    sign_in(client, cast["sunli"])
    page = client.get(f"/console/appeals/{a.pk}/").content.decode()
    assert 'name="category"' in page and 'value="noise"' in page
    r = client.post(f"/console/appeals/{a.pk}/categorize/", {"category": "noise", "note": "噪音"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.category.code == "noise" and a.events.filter(action="categorize").count() == 1


def test_bulk_dispatch_and_the_masked_export(client, cast):
    ids = [
        appeal_submit(
            actor=None,
            data=IntakeData(
                text=f"垃圾没人清运第{i}次",
                channel="portal",
                area=_community().code,
                contact_phone="13912345678",
            ),
        ).pk
        for i in range(3)
    ]
    sign_in(client, cast["sunli"])
    r = client.post("/console/appeals/bulk-dispatch/", {"ids": ids, "unit": "440304-CG"})
    assert r.status_code == 302
    assert Appeal.objects.filter(pk__in=ids, status="dispatched").count() == 3
    export = client.get("/console/appeals/export/", {"queue": "", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 4 and "139****5678" in str(rows) and "13912345678" not in str(rows)


def test_a_handler_cannot_dispatch_from_the_console(client, cast):
    a = appeal_submit(
        actor=None, data=IntakeData(text="小区门口垃圾堆积", channel="portal", area=_community().code)
    )
    sign_in(client, cast["lina"])
    client.post(f"/console/appeals/{a.pk}/dispatch/", {"unit": "440304-CG"})
    a.refresh_from_db()
    assert a.status == "submitted"


def test_the_console_list_runs_a_constant_number_of_queries(client, cast, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(n):
        for i in range(n):
            appeal_submit(
                actor=None,
                data=IntakeData(
                    text=f"路面坑洼第{i}处需要修补",
                    channel="portal",
                    area=_community().code,
                    category="road_damage",
                ),
            )

    make(2)
    sign_in(client, cast["sunli"])
    with CaptureQueriesContext(connection) as few:
        assert client.get("/console/appeals/", {"queue": ""}).status_code == 200
    make(25)
    with CaptureQueriesContext(connection) as many:
        client.get("/console/appeals/", {"queue": ""})
    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_emergency_waiting_for_dispatch_shows_its_dispatch_deadline_and_when_it_is_late(client, cast):
    from datetime import timedelta

    from django.utils import timezone

    emergency = appeal_submit(
        actor=None, data=IntakeData(text="楼道里有浓烟，好像着火了", channel="portal", area=_community().code)
    )
    normal = appeal_submit(
        actor=None, data=IntakeData(text="小区门口垃圾堆积", channel="portal", area=_community().code)
    )
    assert emergency.urgency == "emergency" and emergency.status == "submitted" and emergency.dispatch_due
    sign_in(client, cast["sunli"])
    due = timezone.localtime(emergency.dispatch_due).strftime("%Y-%m-%d %H:%M")
    page = client.get(f"/console/appeals/{emergency.pk}/").content.decode()
    assert "派单期限" in page and due in page and "已超时" not in page
    assert "派单期限" not in client.get(f"/console/appeals/{normal.pk}/").content.decode()
    Appeal.objects.filter(pk=emergency.pk).update(dispatch_due=timezone.now() - timedelta(minutes=1))
    assert "已超时" in client.get(f"/console/appeals/{emergency.pk}/").content.decode()
    r = client.post(f"/console/appeals/{emergency.pk}/dispatch/", {"unit": "440304-CG", "note": "请处理"})
    assert r.status_code == 302
    assert "派单期限" not in client.get(f"/console/appeals/{emergency.pk}/").content.decode()
