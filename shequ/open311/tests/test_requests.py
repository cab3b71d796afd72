"""GET requests and requests/{id}: fields, defaults (90 days, 1000), filters, dates, and what is never shown."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from shequ.appeals.models import ResponsibilityRule, Unit
from shequ.appeals.services import appeal_dispatch, appeal_merge, appeal_reject

from .conftest import BASE, as_json, as_xml, xml_errors

pytestmark = pytest.mark.django_db

W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")


def ids(response) -> list[str]:
    return [r["service_request_id"] for r in as_json(response)]


def test_a_request_shows_its_public_fields_with_w3c_dates(client, submit):
    appeal = submit(address="福田区华富街道莲花一村路口", lat=22.55, lng=114.06)
    (request,) = as_json(client.get(BASE + f"requests/{appeal.number}.json"))
    assert request["service_request_id"] == appeal.number
    assert request["status"] == "open"
    assert (request["service_code"], request["service_name"]) == ("sanitation", "环境卫生")
    assert request["description"] == "小区门口垃圾堆积三天没人清理"
    assert request["address"] == "福田区华富街道莲花一村路口"
    assert request["address_id"] == "440304"
    assert (request["lat"], request["long"]) == (22.55, 114.06)
    assert W3C.match(request["requested_datetime"]) and request["requested_datetime"].endswith("+08:00")
    assert W3C.match(request["updated_datetime"])
    assert request["agency_responsible"] is None and request["expected_datetime"] is None
    assert request["media_url"] is None
    assert request["service_notice"]


def test_a_dispatched_request_names_the_lead_unit_its_due_date_and_the_public_note(client, cast, submit):
    appeal = submit()
    unit = Unit.objects.get(code="440304-CG")
    appeal_dispatch(actor=cast["sunli"], appeal=appeal, unit=unit, note="请尽快清运")
    appeal.refresh_from_db()
    (request,) = as_json(client.get(BASE + f"requests/{appeal.number}.json"))
    assert request["agency_responsible"] == unit.name
    assert request["status_notes"] == "请尽快清运"
    assert request["expected_datetime"] == timezone.localtime(appeal.reply_due).isoformat(timespec="seconds")
    assert W3C.match(request["expected_datetime"])


def test_a_rule_of_the_responsibility_list_dispatches_at_intake_and_shows_as_agency(client, cast, submit):
    from shequ.appeals.models import Category
    from shequ.geo.models import Area

    unit = Unit.objects.get(code="440304-CG")
    ResponsibilityRule.objects.create(
        category=Category.objects.get(code="sanitation"),
        area=Area.objects.get(code="440304"),
        lead_unit=unit,
        effective_from=timezone.localdate() - timedelta(days=365),
    )
    appeal = submit()
    (request,) = as_json(client.get(BASE + f"requests/{appeal.number}.json"))
    assert request["agency_responsible"] == unit.name
    assert request["expected_datetime"] is not None


def test_rejected_and_merged_appeals_are_closed_with_the_reason_as_status_notes(client, cast, submit):
    rejected = submit()
    appeal_reject(actor=cast["sunli"], appeal=rejected, reason="不属于受理范围")
    (request,) = as_json(client.get(BASE + f"requests/{rejected.number}.json"))
    assert request["status"] == "closed"
    assert request["status_notes"] == "不属于受理范围"
    rejected.refresh_from_db()
    assert request["updated_datetime"] == timezone.localtime(rejected.closed_at).isoformat(timespec="seconds")
    merged, kept = submit(), submit()
    appeal_merge(actor=cast["sunli"], appeal=merged, into=kept, note="与另一诉求重复")
    (request,) = as_json(client.get(BASE + f"requests/{merged.number}.json"))
    assert (request["status"], request["status_notes"]) == ("closed", "与另一诉求重复")
    assert request["service_notice"] == f"已并入诉求 {kept.number}，请关注该诉求。"


def test_the_status_filter_takes_open_closed_or_both(client, cast, submit):
    open_one, closed_one = submit(), submit()
    appeal_reject(actor=cast["sunli"], appeal=closed_one, reason="重复诉求，不予受理")
    assert ids(client.get(BASE + "requests.json", {"status": "open"})) == [open_one.number]
    assert ids(client.get(BASE + "requests.json", {"status": "closed"})) == [closed_one.number]
    assert set(ids(client.get(BASE + "requests.json", {"status": "open,closed"}))) == {
        open_one.number,
        closed_one.number,
    }
    response = client.get(BASE + "requests.json", {"status": "pending"})
    assert response.status_code == 400
    assert as_json(response) == [{"code": 400, "description": "status 'pending' is not one of open, closed"}]


def test_requests_are_listed_newest_first(client, submit):
    first, second, third = submit(), submit(), submit()
    assert ids(client.get(BASE + "requests.json")) == [third.number, second.number, first.number]


def test_an_appeal_100_days_old_is_listed_only_when_start_date_reaches_it(client, submit, back_in_time):
    with back_in_time(days=100) as then:
        old = submit()
    recent = submit()
    assert ids(client.get(BASE + "requests.json")) == [recent.number]
    start = (then - timedelta(days=1)).isoformat()
    assert ids(client.get(BASE + "requests.json", {"start_date": start})) == [old.number]
    end = timezone.now().isoformat()
    response = client.get(BASE + "requests.json", {"start_date": start, "end_date": end})
    assert response.status_code == 400
    assert "90 days" in as_json(response)[0]["description"]


def test_start_and_end_date_select_on_requested_datetime(client, submit, back_in_time):
    with back_in_time(days=10):
        ten_days = submit()
    with back_in_time(days=5):
        five_days = submit()
    now = timezone.now()
    query = {
        "start_date": (now - timedelta(days=7)).isoformat(),
        "end_date": (now - timedelta(days=3)).isoformat(),
    }
    assert ids(client.get(BASE + "requests.json", query)) == [five_days.number]
    only_end = {"end_date": (now - timedelta(days=8)).isoformat()}
    assert ids(client.get(BASE + "requests.json", only_end)) == [ten_days.number]


def test_dates_must_carry_a_timezone(client, submit):
    submit()
    assert client.get(BASE + "requests.json", {"start_date": "2026-11-01T00:00:00Z"}).status_code == 200
    assert client.get(BASE + "requests.json", {"start_date": "2026-11-01T08:00:00+08:00"}).status_code == 200
    for naive in ("2026-11-01T00:00:00", "2026-11-01", "yesterday"):
        response = client.get(BASE + "requests.json", {"start_date": naive})
        assert response.status_code == 400, naive
        assert "timezone" in as_json(response)[0]["description"]


def test_an_unencoded_plus_in_the_offset_is_understood(client, submit):
    appeal = submit()
    start = (timezone.localtime() - timedelta(hours=1)).isoformat(timespec="seconds")
    response = client.get(BASE + "requests.json?start_date=" + start)  # the "+" arrives as a space
    assert ids(response) == [appeal.number]


def test_an_empty_parameter_behaves_like_an_omitted_one(client, submit):
    appeal = submit()
    query = {"start_date": "", "end_date": "", "status": "", "service_code": "", "service_request_id": ""}
    assert ids(client.get(BASE + "requests.json", query)) == [appeal.number]


def test_at_most_the_limit_is_returned_and_the_limit_is_1000(client, submit, monkeypatch):
    from shequ.open311 import conf

    assert conf.MAX_REQUESTS == 1000 and conf.WINDOW_DAYS == 90
    monkeypatch.setattr(conf, "MAX_REQUESTS", 2)
    made = [submit() for _ in range(3)]
    assert ids(client.get(BASE + "requests.json")) == [made[2].number, made[1].number]


def test_the_service_code_filter_takes_a_comma_list_and_404s_an_unknown_code(client, submit):
    sanitation = submit()
    parking = submit(text="小区门口车辆乱停放堵住消防通道", category="parking")
    submit(text="晚上十一点后工地还在施工", category="noise", attributes={"time_of_day": "night"})
    found = ids(client.get(BASE + "requests.json", {"service_code": "sanitation,parking"}))
    assert set(found) == {sanitation.number, parking.number}
    response = client.get(BASE + "requests.json", {"service_code": "sanitation,nope"})
    assert response.status_code == 404
    assert as_json(response) == [{"code": 404, "description": "service_code 'nope' not found"}]


def test_service_request_id_overrides_every_other_argument(client, submit, back_in_time):
    with back_in_time(days=200):
        old = submit()
    new = submit()
    query = {"service_request_id": f"{old.number},{new.number},SQ19990101000001", "status": "closed"}
    query["start_date"] = "not a date"
    assert set(ids(client.get(BASE + "requests.json", query))) == {old.number, new.number}


def test_an_unknown_request_is_a_404_in_json_and_xml(client):
    response = client.get(BASE + "requests/SQ19990101000001.json")
    assert response.status_code == 404
    assert as_json(response) == [
        {"code": 404, "description": "service_request_id 'SQ19990101000001' not found"}
    ]
    response = client.get(BASE + "requests/SQ19990101000001.xml")
    assert xml_errors(as_xml(response)) == [("404", "service_request_id 'SQ19990101000001' not found")]


def test_requests_in_xml_are_request_elements_under_service_requests(client, submit):
    appeal = submit(text="路灯不亮 & 井盖 <松动> 已经一周", lat=22.55, lng=114.06)
    root = as_xml(client.get(BASE + "requests.xml"))
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert request.findtext("service_request_id") == appeal.number
    assert request.findtext("description") == "路灯不亮 & 井盖 <松动> 已经一周"
    assert request.findtext("status") == "open"
    assert request.findtext("lat") == "22.55" and request.findtext("long") == "114.06"
    assert W3C.match(request.findtext("requested_datetime"))
    assert request.find("agency_responsible") is not None


def test_characters_xml_cannot_carry_are_dropped_not_breaking_the_document(client, submit):
    appeal = submit(text="井盖松动\x0b\x01了，请尽快处理")
    root = as_xml(client.get(BASE + f"requests/{appeal.number}.xml"))
    assert root.find("request").findtext("description") == "井盖松动了，请尽快处理"


def test_photos_uploaded_to_the_platform_are_not_published(client, submit, photo):
    """They are served only to the people who may see the appeal (issue 19); nothing reviews them for the public."""
    appeal = submit(photos=[photo("first.png"), photo("second.png")])
    (request,) = as_json(client.get(BASE + f"requests/{appeal.number}.json"))
    assert request["media_url"] is None
    root = as_xml(client.get(BASE + f"requests/{appeal.number}.xml"))
    assert not root.find("request").findtext("media_url")


def test_the_list_costs_the_same_queries_for_one_request_or_many(
    client, cast, submit, photo, django_assert_max_num_queries
):
    submit()
    with django_assert_max_num_queries(10) as few:
        client.get(BASE + "requests.json")
    for _ in range(5):
        appeal = submit(photos=[photo()])
        appeal_dispatch(actor=cast["sunli"], appeal=appeal, unit="440304-CG", note="派至城管局")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(ids(client.get(BASE + "requests.json"))) == 6


def test_the_token_of_a_realtime_request_is_its_number(client, submit):
    appeal = submit()
    assert as_json(client.get(BASE + f"tokens/{appeal.number}.json")) == [
        {"service_request_id": appeal.number, "token": appeal.number}
    ]
    root = as_xml(client.get(BASE + f"tokens/{appeal.number}.xml"))
    assert root.find("request").findtext("service_request_id") == appeal.number
    response = client.get(BASE + "tokens/abc123.json")
    assert response.status_code == 404


# --- privacy ------------------------------------------------------------------------------------------------------
def test_a_phone_or_id_number_typed_in_the_description_is_masked(client, submit):
    from shequ.core.idnumbers import make_id_number

    id_number = make_id_number("440304", timezone.localdate().replace(year=1980), 7, "male")
    appeal = submit(text=f"请联系我 13912345678，身份证 {id_number}，门口垃圾没人清")
    (request,) = as_json(client.get(BASE + f"requests/{appeal.number}.json"))
    assert "139****5678" in request["description"]
    assert id_number not in request["description"]


def test_an_anonymous_appeal_shows_nothing_that_points_at_a_person(client, submit):
    from shequ.geo.models import Area

    community = Area.objects.filter(level="community", path__startswith="/440300/440304/").first()
    appeal = submit(
        anonymous=True,
        area=community.code,
        address="莲花一村 12 栋 301 室",
        lat=22.5501,
        lng=114.0601,
        contact_name="张三",
        contact_phone="13800138000",
    )
    (request,) = as_json(client.get(BASE + f"requests/{appeal.number}.json"))
    assert request["address"] is None
    assert (request["lat"], request["long"], request["media_url"]) == (None, None, None)
    assert request["address_id"] == "440304"  # the district, not the community
    body = client.get(BASE + "requests.xml").content.decode()
    # The appeal's own number is public and made of digits (SQ20261130…): taken out, it cannot pass for "301".
    assert appeal.number in body
    body = body.replace(appeal.number, "")
    for identifying in ("莲花一村", "301", "22.5501", community.code, "张三", "138****8000", "13800138000"):
        assert identifying not in body


def test_the_service_notice_is_in_chinese_unless_english_was_chosen(client, submit, settings):
    appeal = submit()
    (request,) = as_json(client.get(BASE + f"requests/{appeal.number}.json"))
    assert request["service_notice"] == "已受理，将派至责任单位办理。"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    (request,) = as_json(client.get(BASE + f"requests/{appeal.number}.json"))
    assert request["service_notice"] == "Received; it will be dispatched to the responsible unit."
