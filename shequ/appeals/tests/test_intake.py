"""Intake through the JSON API (`POST /api/v1/appeals`) and with photos (`POST /api/v1/appeals/with-photos`):
validation, idempotency, location, safety words, channels, photos, failure without half-written rows, masking."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shequ.access.testing import sign_in
from shequ.accounts.models import OutboxMessage
from shequ.appeals import kpis, location, services
from shequ.appeals.models import Appeal, Event, KpiDaily, Photo
from shequ.core.models import IdempotencyKey
from shequ.core.tests import images
from shequ.dispatch.models import IntakeQueue

from . import fixtures

# The shared fixtures, bound by assignment rather than imported by name: test parameters of the same name would
# otherwise read as redefinitions of an unused import (ruff F811). `clock` is autouse: time is fixed and moved.
clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db

URL = "/api/v1/appeals"
PHOTOS_URL = "/api/v1/appeals/with-photos"
PHONE = "13912345678"
# Real images: uploads are decoded and re-encoded (shequ.core.uploads), so a signature and zeros no longer pass.
PNG = images.png()
JPEG = images.jpeg()


@pytest.fixture
def payload(world) -> dict:
    return {
        "text": "小区门口的垃圾桶三天没人清理了，味道很大",
        "category": "sanitation",
        "area": world.huafu_community.code,
        "address": "华富路1号",
        "contact_phone": PHONE,
        "channel": "portal",
    }


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def post(client, body: dict, **headers):
    return client.post(URL, body, content_type="application/json", headers=headers)


# --- the basic answer ----------------------------------------------------------------------------------------------
def test_a_resident_submits_an_appeal_and_gets_its_id(
    client, world, payload, django_capture_on_commit_callbacks
):
    sign_in(client, world["zhangwei"])
    with django_capture_on_commit_callbacks(execute=True):
        r = post(client, payload)
    assert r.status_code == 201, r.content
    body = r.json()
    appeal = Appeal.objects.get(pk=body["id"])
    assert body["number"] == appeal.number and body["status"] == "submitted"
    assert appeal.requester == world["zhangwei"] and appeal.created_by == world["zhangwei"]
    assert appeal.area == world.huafu_community and appeal.location_precision == "area"
    assert appeal.contact_phone == PHONE  # stored whole (encrypted), shown masked
    assert list(appeal.events.values_list("action", flat=True)) == ["submit"]
    sms = OutboxMessage.objects.get(purpose="appeal.received")
    assert sms.recipient_masked == "139****5678" and appeal.number in sms.body


def test_an_anonymous_resident_may_submit_on_the_portal(client, payload):
    r = post(client, {**payload, "anonymous": True})
    assert r.status_code == 201, r.content
    appeal = Appeal.objects.get(pk=r.json()["id"])
    assert appeal.requester is None and appeal.created_by is None and appeal.anonymous is True


# --- idempotency ---------------------------------------------------------------------------------------------------
def test_the_same_idempotency_key_returns_the_first_result_and_creates_nothing_twice(client, world, payload):
    sign_in(client, world["zhangwei"])
    first = post(client, payload, **{"Idempotency-Key": "k-1"})
    again = post(client, payload, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Appeal.objects.count() == 1 and Event.objects.count() == 1
    other = post(client, payload, **{"Idempotency-Key": "k-2"})
    assert other.json()["id"] != first.json()["id"] and Appeal.objects.count() == 2


def test_a_different_body_with_the_same_idempotency_key_is_422(client, world, payload):
    sign_in(client, world["zhangwei"])
    assert post(client, payload, **{"Idempotency-Key": "k-1"}).status_code == 201
    r = post(client, {**payload, "text": "另一件事：路灯坏了好几天了"}, **{"Idempotency-Key": "k-1"})
    assert r.status_code == 422 and r.json()["code"] == "idempotency_mismatch"
    assert Appeal.objects.count() == 1


# --- validation ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": "垃圾"}, "text"),
        ({"text": "长" * (services.MAX_TEXT + 1)}, "text"),
        ({"category": "no_such_category"}, "category"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"lat": 22.54}, "lat"),
        ({"lat": 122.5, "lng": 114.05}, "lat"),
        ({"area": "999999"}, "area"),
        ({"address": "路" * 201}, "address"),
        ({"channel": "fax"}, "channel"),
        ({"urgency": "whenever"}, "urgency"),
        ({"category": "noise"}, "attribute[time_of_day]"),
        ({"lat": "north"}, "lat"),
        ({"anonymous": "perhaps"}, "anonymous"),
    ],
)
def test_every_field_is_validated_with_a_clear_message(client, world, payload, change, field):
    sign_in(client, world["zhangwei"])
    r = post(client, {**payload, **change})
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["code"] == "invalid" and body["message"]
    assert field in body["fields"] and body["fields"][field]
    assert not Appeal.objects.exists()


def test_a_missing_text_is_a_field_error(client, world, payload):
    sign_in(client, world["zhangwei"])
    r = post(client, {k: v for k, v in payload.items() if k != "text"})
    assert r.status_code == 400 and "text" in r.json()["fields"]


def test_all_problems_are_reported_at_once(client, world, payload):
    sign_in(client, world["zhangwei"])
    r = post(client, {**payload, "text": "", "area": "999999", "urgency": "soon"})
    assert r.status_code == 400 and {"text", "area", "urgency"} <= set(r.json()["fields"])


# --- urgency and location --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("楼道里煤气泄漏了，味道很浓", "煤气泄漏"),
        ("有人被困在电梯里出不来了", "被困"),
        ("小区隔壁工地脚手架坍塌了", "坍塌"),
    ],
)
def test_safety_words_raise_the_urgency_to_emergency_with_the_matched_phrase(
    client, world, payload, text, phrase
):
    sign_in(client, world["zhangwei"])
    r = post(client, {**payload, "text": text})
    assert r.status_code == 201
    body = r.json()
    assert body["urgency"] == "emergency" and body["urgency_reason"] == f"关键词：{phrase}"
    appeal = Appeal.objects.get(pk=body["id"])
    assert appeal.dispatch_due is not None


def test_an_emergency_chosen_by_the_dispatcher_still_shows_the_matched_phrase(client, world, payload):
    sign_in(client, world["sunli"])
    hotline = {**payload, "channel": "hotline", "text": "楼道里煤气泄漏了，味道很浓", "urgency": "emergency"}
    body = post(client, hotline).json()
    assert body["urgency"] == "emergency" and body["urgency_reason"] == "关键词：煤气泄漏"


def test_safety_words_raise_the_urgency_the_dispatcher_chose(client, world, payload):
    sign_in(client, world["sunli"])
    hotline = {**payload, "channel": "hotline", "text": "楼道里煤气泄漏了，味道很浓", "urgency": "normal"}
    assert post(client, hotline).json()["urgency"] == "emergency"


def test_plain_text_keeps_the_urgency_the_dispatcher_chose(client, world, payload):
    sign_in(client, world["sunli"])
    body = post(client, {**payload, "channel": "hotline", "urgency": "complex"}).json()
    assert body["urgency"] == "complex" and body["urgency_reason"] == ""


@pytest.mark.parametrize("urgency", ["emergency", "utilities", "normal", "complex"])
def test_a_resident_may_not_set_the_urgency(client, world, payload, urgency):
    """Issue 19: `urgency: emergency` put a resident's appeal at the head of the dispatch queue with a 20-minute
    deadline. Only staff on a staff channel choose it; a resident is told so, and nothing is stored."""
    sign_in(client, world["zhangwei"])
    r = post(client, {**payload, "urgency": urgency})
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["code"] == "invalid" and "urgency" in body["fields"]
    assert not Appeal.objects.exists() and not Event.objects.exists()


@pytest.mark.parametrize("channel", ["portal", "api"])
def test_an_anonymous_caller_may_not_set_the_urgency(client, payload, channel):
    r = post(client, {**payload, "channel": channel, "urgency": "emergency"})
    assert r.status_code == 400 and "urgency" in r.json()["fields"]
    assert not Appeal.objects.exists()


def test_staff_submitting_for_themselves_may_not_set_the_urgency_either(client, world, payload):
    """On the portal or api channel the staff member is the requester, like any resident."""
    sign_in(client, world["sunli"])
    r = post(client, {**payload, "channel": "api", "urgency": "emergency"})
    assert r.status_code == 400 and "urgency" in r.json()["fields"]


def test_a_resident_without_an_urgency_gets_the_categorys_default(client, world, payload):
    sign_in(client, world["zhangwei"])
    r = post(client, payload)
    assert r.status_code == 201 and r.json()["urgency"] == world.sanitation.default_urgency


def test_a_point_inside_futian_resolves_to_the_district(client, world, payload):
    location.forget_shapes()
    sign_in(client, world["zhangwei"])
    r = post(client, {**payload, "area": None, "lat": 22.541, "lng": 114.05})
    assert r.status_code == 201 and r.json()["area"] == "440304"
    appeal = Appeal.objects.get(pk=r.json()["id"])
    assert appeal.location_precision == "district" and (appeal.lat, appeal.lng) == (22.541, 114.05)


def test_an_area_code_resolves_to_that_area(client, world, payload):
    sign_in(client, world["zhangwei"])
    code = world.yuehai_community.code
    r = post(client, {**payload, "area": code, "lat": 22.541, "lng": 114.05})
    assert r.status_code == 201 and r.json()["area"] == code  # the explicit area wins over the point
    assert Appeal.objects.get(pk=r.json()["id"]).location_precision == "area"


def test_an_appeal_without_a_place_belongs_to_the_city(client, world, payload):
    location.forget_shapes()
    sign_in(client, world["zhangwei"])
    r = post(client, {**payload, "area": None, "lat": 39.9, "lng": 116.4})  # Beijing: no district here
    assert r.status_code == 201 and r.json()["area"] == "440300"
    assert Appeal.objects.get(pk=r.json()["id"]).location_precision == "city"


# --- channels ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("channel", ["hotline", "grid", "proactive"])
def test_staff_channels_are_refused_to_a_resident(client, world, payload, channel):
    sign_in(client, world["zhangwei"])
    r = post(client, {**payload, "channel": channel})
    assert r.status_code == 403
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("channel", ["hotline", "grid"])
def test_staff_channels_are_refused_to_an_anonymous_caller(client, payload, channel):
    r = post(client, {**payload, "channel": channel})
    assert r.status_code == 400 and "channel" in r.json()["fields"]
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(("username", "channel"), [("sunli", "hotline"), ("lina", "grid")])
def test_staff_record_appeals_on_behalf_of_a_caller(client, world, payload, username, channel):
    sign_in(client, world[username])
    r = post(client, {**payload, "channel": channel, "contact_name": "王先生"})
    assert r.status_code == 201, r.content
    appeal = Appeal.objects.get(pk=r.json()["id"])
    assert appeal.channel == channel and appeal.requester is None and appeal.created_by == world[username]


# --- photos --------------------------------------------------------------------------------------------------------
def photo(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_png_and_jpeg_photos_are_accepted(client, world, payload, media):
    sign_in(client, world["zhangwei"])
    form = {**payload, "photos": [photo("a.png", PNG), photo("b.jpg", JPEG, "image/jpeg")]}
    r = client.post(PHOTOS_URL, form)
    assert r.status_code == 201, r.content
    photos = Photo.objects.filter(appeal_id=r.json()["id"]).order_by("id")
    assert [p.content_type for p in photos] == ["image/png", "image/jpeg"]
    assert len(stored_files(media)) == 2


@pytest.mark.parametrize(
    "upload",
    [
        lambda: photo("notes.png", b"just some text pretending to be a picture", "image/png"),
        lambda: photo("huge.png", PNG + b"\x00" * (8 * 1024 * 1024), "image/png"),
    ],
    ids=["text_file", "over_8_mb"],
)
def test_a_refused_photo_leaves_nothing_written(client, world, payload, media, upload):
    sign_in(client, world["zhangwei"])
    r = client.post(PHOTOS_URL, {**payload, "photos": [upload()]})
    assert r.status_code == 400 and r.json()["code"] == "invalid_photo"
    assert not Appeal.objects.exists() and not Photo.objects.exists() and not Event.objects.exists()
    assert stored_files(media) == []


def test_a_bad_second_photo_leaves_no_file_of_the_first(client, world, payload, media):
    sign_in(client, world["zhangwei"])
    form = {**payload, "photos": [photo("ok.png", PNG), photo("bad.png", b"plain text", "image/png")]}
    r = client.post(PHOTOS_URL, form)
    assert r.status_code == 400
    assert not Appeal.objects.exists() and not Photo.objects.exists()
    assert stored_files(media) == []


# --- failure -------------------------------------------------------------------------------------------------------
def test_a_database_failure_during_intake_is_503_and_nothing_is_half_written(
    client, world, payload, monkeypatch
):
    real_save_events = services._save_events

    def broken(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(services, "_save_events", broken)
    sign_in(client, world["zhangwei"])
    r = post(client, payload, **{"Idempotency-Key": "retry-me"})
    assert r.status_code == 503 and r.json()["code"] == "service_unavailable"
    assert not Appeal.objects.exists() and not Event.objects.exists()
    assert not IdempotencyKey.objects.exists()

    # The failure was not remembered: the client's retry with the same key goes through once.
    monkeypatch.setattr(services, "_save_events", real_save_events)
    r = post(client, payload, **{"Idempotency-Key": "retry-me"})
    assert r.status_code == 201 and Appeal.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the batch of writes is PostgreSQL's")
def test_the_appeal_and_the_rows_after_it_go_in_one_statement_and_fail_together(
    client, world, payload, monkeypatch
):
    """The appeal, its events, the after-intake queue row, the outbox message and the rollups are one statement
    (shequ.core.db.batch; the appeal's id and number drawn beforehand, services._APPEAL_IDS); when a part of it
    fails, nothing of the intake is left."""
    sign_in(client, world["zhangwei"])
    with CaptureQueriesContext(connection) as captured:
        r = post(client, payload)
    assert r.status_code == 201, r.content
    tables = [
        "appeals_appeal",
        "appeals_event",
        "dispatch_intakequeue",
        "accounts_outboxmessage",
        "appeals_kpidaily",
    ]
    holding = [
        q["sql"]
        for q in captured.captured_queries
        if any(f"INSERT INTO {t}" in q["sql"] or f'INSERT INTO "{t}"' in q["sql"] for t in tables)
    ]
    assert len(holding) == 1 and holding[0].startswith("WITH w0 AS (")
    assert all(t in holding[0] for t in tables)
    appeal = Appeal.objects.get(pk=r.json()["id"])
    assert IntakeQueue.objects.filter(appeal=appeal).exists()
    assert list(appeal.events.values_list("action", flat=True)) == ["submit"]
    assert OutboxMessage.objects.filter(body__contains=appeal.number).count() == 1

    # The last statement of the batch fails (here the rollups'): 503, and nothing of the intake is left.
    before = (
        Appeal.objects.count(),
        Event.objects.count(),
        OutboxMessage.objects.count(),
        KpiDaily.objects.count(),
    )
    monkeypatch.setattr(kpis.live, "_upsert_sql", lambda model, rows: ("SELECT 1 / %s", [0]))
    r = post(client, {**payload, "text": "楼道的灯坏了一个星期没人修"})
    assert r.status_code == 503 and r.json()["code"] == "service_unavailable"
    after = (
        Appeal.objects.count(),
        Event.objects.count(),
        OutboxMessage.objects.count(),
        KpiDaily.objects.count(),
    )
    assert after == before and IntakeQueue.objects.count() == 1


def test_a_database_failure_after_a_photo_was_stored_removes_the_photo_too(
    client, world, payload, media, monkeypatch
):
    def broken(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(services, "_save_events", broken)
    sign_in(client, world["zhangwei"])
    r = client.post(PHOTOS_URL, {**payload, "photos": [photo("a.png", PNG)]})
    assert r.status_code == 503
    assert not Appeal.objects.exists() and not Photo.objects.exists()
    assert stored_files(media) == []


# --- masking -------------------------------------------------------------------------------------------------------
def test_the_requesters_phone_is_masked_in_every_answer(client, world, payload):
    sign_in(client, world["zhangwei"])
    created = post(client, payload)
    pk = created.json()["id"]
    answers = [
        created,
        client.get(URL),
        client.get(f"{URL}/{pk}"),
    ]
    sign_in(client, world["sunli"])
    answers += [
        client.get(URL),
        client.get(f"{URL}/{pk}"),
        client.post(
            f"{URL}/{pk}/actions/dispatch",
            {"unit": world.lina_unit.code},
            content_type="application/json",
        ),
    ]
    for r in answers:
        assert r.status_code in (200, 201)
        assert PHONE not in r.content.decode()
    assert client.get(f"{URL}/{pk}").json()["contact_phone"] == "139****5678"


def test_a_phone_written_in_the_description_is_masked_in_the_answers(client, world, payload):
    sign_in(client, world["zhangwei"])
    text = f"垃圾桶满了没人管，物业电话 {PHONE} 打不通，请联系我"
    pk = post(client, {**payload, "text": text}).json()["id"]
    detail = client.get(f"{URL}/{pk}").json()
    assert PHONE not in detail["text"] and "139****5678" in detail["text"]
    listed = client.get(URL).json()["items"][0]
    assert PHONE not in listed["text"]


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="SQLite serialises every writer with BEGIN IMMEDIATE; PostgreSQL takes numbers from a sequence",
)
def test_an_open_intake_does_not_hold_up_the_next_number(transactional_db):
    """The number comes from a sequence: a transaction still open after taking one blocks nobody."""
    import threading

    from django.db import connections, transaction
    from django.utils import timezone

    def take() -> str:
        # What an intake draws before its INSERT, from a block of its own (one value) for each caller.
        _pk, counter = services._APPEAL_IDS.with_size(1).take()
        return services._number(timezone.localdate(), counter)

    got: list[str] = []

    def other() -> None:
        try:
            got.append(take())
        finally:
            connections.close_all()

    with transaction.atomic():
        mine = take()
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(timeout=10)  # with a row lock held to COMMIT this would wait for us: forever
        assert not thread.is_alive()
    assert len(got) == 1 and got[0] != mine
    assert got[0][:10] == mine[:10] and int(got[0][10:]) > int(mine[10:])


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="PostgreSQL numbers come from a sequence",
)
@pytest.mark.parametrize(
    ("last", "suffix"), [(122, "000123"), (999_999, "1000000"), (12_345_677, "12345678")]
)
def test_the_number_comes_from_the_sequence_padded_to_six_digits_at_least(
    world, payload, client, last, suffix
):
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(%s, %s)", [services.NUMBER_SEQUENCE, last])
    services._APPEAL_IDS.clear()  # numbers this process drew before the setval
    sign_in(client, world["zhangwei"])
    r = post(client, payload)
    assert r.status_code == 201
    appeal = Appeal.objects.get(pk=r.json()["id"])
    day = timezone.localtime(appeal.created_at).date()
    assert appeal.number == f"SQ{day:%Y%m%d}{suffix}"
    assert r.json()["number"] == appeal.number  # the instance held it at once


def test_the_contact_phone_is_stored_encrypted_with_its_blind_index(client, world, payload):
    """The appeal goes in with the batch on PostgreSQL (no Model.save): its phone is still encrypted and findable."""
    sign_in(client, world["zhangwei"])
    r = post(client, {**payload, "contact_phone": PHONE})
    assert r.status_code == 201, r.content
    appeal = Appeal.objects.get(pk=r.json()["id"])
    assert appeal.contact_phone == PHONE
    field = Appeal._meta.get_field("contact_phone")
    assert appeal.contact_phone_hash == field.index_of(PHONE) != ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM appeals_appeal WHERE id = %s", [appeal.pk])
        assert PHONE not in cursor.fetchone()[0]
    assert Appeal.objects.filter(contact_phone_hash=appeal.contact_phone_hash).count() == 1


# --- CSRF: a program without a session needs none; a signed-in browser does ------------------------------------
def test_a_program_posts_an_anonymous_appeal_without_a_csrf_cookie(world, payload):
    from django.test import Client

    program = Client(enforce_csrf_checks=True)
    r = program.post(URL, {**payload, "anonymous": True}, content_type="application/json")
    assert r.status_code == 201, r.content
    assert Appeal.objects.get(pk=r.json()["id"]).requester is None


def test_a_signed_in_browser_without_the_csrf_token_is_refused_and_nothing_is_stored(world, payload):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, world["zhangwei"])
    r = browser.post(URL, payload, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "http_403"
    assert not Appeal.objects.exists()
    browser.get("/")  # the portal page sets the CSRF cookie, as a browser would get it
    token = browser.cookies["csrftoken"].value
    r = browser.post(URL, payload, content_type="application/json", headers={"X-CSRFToken": token})
    assert r.status_code == 201 and Appeal.objects.get().requester == world["zhangwei"]


# --- one intake path on both databases (issue 20) -----------------------------------------------------------------
def test_an_intake_hook_is_called_once_with_the_new_appeal_inside_the_intake_transaction(
    client, world, payload, monkeypatch
):
    """The same on SQLite and PostgreSQL: what reacts to an intake registers a hook; no model signal is relied on."""
    from django.db.models.signals import post_save

    from shequ.appeals import hooks

    seen: list[tuple[int, str, bool]] = []
    saved: list[str] = []

    def hook(appeal: Appeal) -> None:
        seen.append((appeal.pk, appeal.number, connection.in_atomic_block))

    def receiver(sender, instance, created, **kwargs):
        saved.append(type(instance).__name__)

    monkeypatch.setattr(hooks, "_INTAKE_HOOKS", [*hooks._INTAKE_HOOKS, hook])
    post_save.connect(receiver, sender=Appeal, dispatch_uid="test-appeal-post-save")
    try:
        sign_in(client, world["zhangwei"])
        r = post(client, payload)
    finally:
        post_save.disconnect(dispatch_uid="test-appeal-post-save", sender=Appeal)
    assert r.status_code == 201, r.content
    appeal = Appeal.objects.get(pk=r.json()["id"])
    assert seen == [(appeal.pk, appeal.number, True)]
    # Written with insert_rows on both databases: Appeal's post_save is not sent on either.
    assert saved == []
    # Dispatch's own hook queued the after-intake work (drained at once where tasks run eagerly).
    assert (
        IntakeQueue.objects.filter(appeal_id=appeal.pk).exists()
        or Event.objects.filter(appeal=appeal).exists()
    )


def test_the_intake_has_no_branch_on_the_database():
    """What differs between SQLite and PostgreSQL lives in shequ.core.db, not in the intake's code."""
    import inspect

    for function in (services.appeal_submit, services._submit):
        assert "vendor" not in inspect.getsource(function)


def test_numbers_are_city_wide_and_follow_one_another(client, world, payload):
    sign_in(client, world["zhangwei"])
    numbers = [post(client, payload).json()["number"] for _ in range(3)]
    counters = [int(n[10:]) for n in numbers]
    assert len(set(numbers)) == 3 and counters == sorted(counters)
    assert all(n.startswith(f"SQ{timezone.localdate():%Y%m%d}") for n in numbers)
