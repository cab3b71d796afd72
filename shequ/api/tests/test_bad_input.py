"""Bad input on /api/v1 (issue 19): a client's mistake is a 4xx in the error shape, never a 500, never a 503 (which
is kept for real outages), never an HTML page; and a refused request writes nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from shequ.access.testing import sign_in
from shequ.appeals.models import Appeal, Event
from shequ.core.api.pagination import DEFAULT_LIMIT, MAX_LIMIT

pytestmark = pytest.mark.django_db

BIG = "99999999999999999999"  # past int64


@pytest.fixture
def client():
    # Errors must come back as answers, never as exceptions raised into the test.
    return Client(raise_request_exception=False)


@pytest.fixture
def staff(client, cast):
    return sign_in(client, cast["sunli"])


def shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["message"], body
    if code is not None:
        assert body["code"] == code, body
    return body


def intake(**change) -> dict:
    return {"text": "小区门口的垃圾桶三天没人清理了", "channel": "portal", "area": "440304", **change}


def post_json(client, url: str, raw: str):
    return client.post(url, raw, content_type="application/json")


# --- strings a database cannot store -----------------------------------------------------------------------------
@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\u0000", "abc\\ud83d"])
def test_a_lone_surrogate_or_a_nul_in_json_is_a_400_naming_the_field_and_nothing_is_stored(
    client, cast, escape
):
    raw = json.dumps(intake(), ensure_ascii=False).replace("小区", "小区" + escape, 1)
    body = shape(post_json(client, "/api/v1/appeals", raw), 400, "invalid")
    assert "text" in body["fields"]
    assert not Appeal.objects.exists() and not Event.objects.exists()


def test_a_surrogate_pair_is_an_ordinary_character(client, cast):
    raw = json.dumps(intake(text="小区门口的垃圾桶三天没人清理了 😡"))  # ensure_ascii: "\ud83d\ude21"
    assert "\\ud83d\\ude21" in raw
    r = post_json(client, "/api/v1/appeals", raw)
    assert r.status_code == 201, r.content
    assert Appeal.objects.get().text.endswith("😡")


def test_a_nul_in_a_nested_value_or_a_key_is_refused_too(client, cast):
    raw = json.dumps(intake(attributes={"note": "a\x00b", "k\x00": "v"}))
    body = shape(post_json(client, "/api/v1/appeals", raw), 400, "invalid")
    assert "attributes.note" in body["fields"] and len(body["fields"]) == 2


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [('{"text": ', "application/json"), (b"\xff\xfe{}", "application/json"), ("[1, 2]", "application/json")],
)
def test_a_body_that_is_not_json_is_a_400_in_the_shape(client, cast, raw, content_type):
    shape(client.post("/api/v1/appeals", raw, content_type=content_type), 400)
    assert not Appeal.objects.exists()


def test_a_nul_in_a_query_or_a_path_is_a_400_before_the_database(client, cast):
    body = shape(client.get("/api/v1/areas", {"q": "福田\x00"}), 400, "invalid")
    assert body["fields"] == {"q": "不能包含空字符（NUL）"}  # zh-hans first (issue 21)
    shape(client.get("/api/v1/areas/440304%00"), 400, "invalid")
    shape(client.get("/api/v1/notices", {"area": "\x00"}), 400)


def test_a_nul_in_a_form_field_of_an_upload_is_a_400_and_nothing_is_stored(client, cast):
    r = client.post("/api/v1/appeals/with-photos", {**intake(text="小区门口\x00的垃圾桶三天没人清理了")})
    body = shape(r, 400, "invalid")
    assert "text" in body["fields"]
    assert not Appeal.objects.exists()


# --- numbers out of range ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/appeals/{BIG}",
        f"/api/v1/residents/{BIG}",
        f"/api/v1/warnings/{BIG}",
        f"/api/v1/dispatch/appeals/{BIG}/suggestion",
        f"/api/v1/dispatch/duplicates?appeal={BIG}",
        "/api/v1/appeals/0",
        "/api/v1/appeals/-1",
    ],
)
def test_an_id_outside_64_bits_is_a_400_not_a_server_error(staff, url):
    shape(staff.get(url), 400, "invalid")


@pytest.mark.parametrize("url", [f"/api/v1/facilities/{BIG}", f"/api/v1/notices/{BIG}"])
def test_an_id_outside_64_bits_on_a_public_endpoint_is_a_400(client, cast, url):
    shape(client.get(url), 400, "invalid")


def test_an_id_outside_64_bits_in_a_body_is_a_400_and_nothing_changes(staff, cast):
    from shequ.appeals.services import IntakeData, appeal_submit

    appeal = appeal_submit(actor=None, data=IntakeData(**intake()))
    r = staff.post(
        f"/api/v1/appeals/{appeal.pk}/actions/merge", {"into": int(BIG)}, content_type="application/json"
    )
    body = shape(r, 400, "invalid")
    assert "into" in body["fields"]
    assert list(appeal.events.values_list("action", flat=True)) == ["submit"]


# --- page sizes ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("limit", [str(MAX_LIMIT + 1), "1000000000", BIG, "0", "-1"])
def test_a_page_size_outside_1_to_100_is_a_clear_400(client, cast, limit):
    body = shape(client.get("/api/v1/areas", {"limit": limit}), 400, "invalid")
    assert "limit" in body["fields"]


@pytest.mark.parametrize("offset", ["1000000001", BIG, "-1"])
def test_an_absurd_offset_is_a_400_not_a_database_error(client, cast, offset):
    body = shape(client.get("/api/v1/areas", {"offset": offset}), 400, "invalid")
    assert "offset" in body["fields"]


def test_a_page_is_20_rows_by_default_and_100_at_most(client, cast):
    default = client.get("/api/v1/areas", {"level": "community"}).json()
    assert default["count"] > MAX_LIMIT and len(default["items"]) == DEFAULT_LIMIT
    most = client.get("/api/v1/areas", {"level": "community", "limit": MAX_LIMIT}).json()
    assert len(most["items"]) == MAX_LIMIT


@pytest.mark.parametrize(
    "url",
    ["/api/v1/appeals", "/api/v1/residents", "/api/v1/warnings", "/api/v1/appeals/rules"],
)
def test_every_staff_list_is_capped_too(staff, url):
    shape(staff.get(url, {"limit": MAX_LIMIT + 1}), 400, "invalid")


@pytest.mark.parametrize("url", ["/api/v1/facilities", "/api/v1/notices"])
def test_every_public_list_is_capped_too(client, cast, url):
    shape(client.get(url, {"limit": MAX_LIMIT + 1}), 400, "invalid")


def test_the_monthly_top_list_is_capped(staff):
    shape(staff.get("/api/v1/warnings/monthly-top", {"limit": 51}), 400, "invalid")


# --- answers Django used to give as HTML ---------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/api/v1/nothing", "/api/v1/appeals/1/nothing", "/api/v2/appeals", "/api/"])
def test_an_unknown_api_path_is_a_404_in_the_shape(client, url):
    shape(client.get(url), 404, "not_found")


def test_a_method_the_path_does_not_take_is_a_405_in_the_shape_with_allow(client):
    r = client.delete("/api/v1/areas")
    shape(r, 405, "method_not_allowed")
    assert "GET" in r["Allow"]


def test_a_host_we_do_not_serve_is_a_400_in_the_shape(client, cast):
    shape(client.get("/api/v1/areas", headers={"Host": "evil.example"}), 400, "bad_host")
    r = client.post(
        "/api/v1/appeals", intake(), content_type="application/json", headers={"Host": "evil.example"}
    )
    shape(r, 400, "bad_host")
    assert not Appeal.objects.exists()


def test_a_json_body_over_the_cap_is_a_413_before_it_is_read(client, cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    raw = json.dumps(intake(text="长" * 20_000))
    body = shape(post_json(client, "/api/v1/appeals", raw), 413, "too_large")
    assert body["fields"] == {"body": "10000"}
    assert not Appeal.objects.exists()


def test_an_upload_may_be_larger_than_a_json_body_but_not_without_bound(client, cast, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    settings.SHEQU_MAX_UPLOAD_BYTES = 50_000

    def upload(size: int) -> dict:
        return {
            **intake(),
            "photos": SimpleUploadedFile("a.jpg", b"\xff\xd8\xff" + b"\0" * size, "image/jpeg"),
        }

    small = client.post("/api/v1/appeals/with-photos", upload(20_000))
    assert small.status_code != 413  # read, and refused for what it is (not an image), not for its size
    shape(client.post("/api/v1/appeals/with-photos", upload(60_000)), 413, "too_large")
    assert not Appeal.objects.exists()


def test_the_upload_cap_fits_the_appeal_photos(settings):
    from shequ.appeals import photos

    per_photo = getattr(photos, "MAX_PHOTO_BYTES", None)
    if per_photo is None:
        from shequ.core.uploads import MAX_IMAGE_BYTES as per_photo
    assert settings.SHEQU_MAX_UPLOAD_BYTES >= photos.MAX_PHOTOS * per_photo


def test_a_server_error_on_an_api_path_is_a_500_in_the_shape(client, cast, monkeypatch):
    from shequ.geo import selectors

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "area_list", broken)
    shape(client.get("/api/v1/areas"), 500, "server_error")


def test_pages_keep_their_html_errors(client, cast):
    r = client.get("/no/such/page/")
    assert r.status_code == 404 and r["Content-Type"].startswith("text/html")
    r = client.get("/", headers={"Host": "evil.example"})
    assert r.status_code == 400 and r["Content-Type"].startswith("text/html")


# --- the database's errors -----------------------------------------------------------------------------------------
def test_a_value_the_database_refuses_is_a_400_and_an_outage_stays_a_503(client, cast, monkeypatch):
    from django.db import DataError, OperationalError

    from shequ.geo import selectors

    def refuses(**kwargs):
        raise DataError("integer out of range")

    monkeypatch.setattr(selectors, "area_list", refuses)
    shape(client.get("/api/v1/areas"), 400, "invalid")

    def down(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(selectors, "area_list", down)
    shape(client.get("/api/v1/areas"), 503, "service_unavailable")


# --- dates at the ends of the calendar (found by the fuzz run) -----------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/appeals/kpis?to=0001-01-01",
        "/api/v1/appeals/kpis?from=9999-12-31",
        "/api/v1/appeals?created_from=0001-01-01",
        "/api/v1/appeals?created_to=9999-12-31",
        "/api/v1/warnings?from=0001-01-01",
        "/api/v1/warnings/monthly-top?month=0001-01",
        "/api/v1/warnings/monthly-top?month=9999-12",
    ],
)
def test_a_day_outside_the_platforms_years_is_a_400_not_an_overflow(staff, url):
    shape(staff.get(url), 400, "invalid")
