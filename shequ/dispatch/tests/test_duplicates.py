"""Possible duplicates (并单): found after intake, merged or dismissed by a dispatcher, listed to staff who see the
appeal. Appeals are made through the real intake service; the texts are invented (SYNTHETIC)."""

from __future__ import annotations

import logging

import pytest
from django.utils import timezone

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.appeals.choices import Status
from shequ.appeals.models import Appeal
from shequ.appeals.services import IntakeData, appeal_close, appeal_submit
from shequ.appeals.tests.fixtures import START, Clock
from shequ.audit.models import AuditEntry
from shequ.core.errors import ShequError
from shequ.dispatch import duplicates, services
from shequ.dispatch.models import DuplicateCandidate, DuplicateStatus
from shequ.geo.models import Area

pytestmark = pytest.mark.django_db

# A spot in 华富街道 (福田区); 0.001° of latitude is about 111 m.
LAT, LNG = 22.5480, 114.0720
BIN = "华富路12号小区东门口的垃圾桶已经满了三天，没人清运，味道很大，苍蝇很多"
BIN_AGAIN = "小区东门那里垃圾桶满出来好几天了，一直没人来清运，臭味很大，请处理"
OTHER_SAME_STREET = "华富路上的绿化带树枝被台风刮断了，挡住人行道"


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> Clock:
    c = Clock(START)
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


@pytest.fixture
def community(cast) -> Area:
    huafu = Area.objects.get(parent__code="440304", name="华富街道")
    return Area.objects.filter(parent=huafu, level="community").order_by("code").first()


@pytest.fixture
def intake(community, django_capture_on_commit_callbacks):
    """Submit as a resident would, and run what happens after the commit (duplicate detection among it)."""

    def make(text: str, *, category: str | None = "sanitation", lat=LAT, lng=LNG, area: Area | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return appeal_submit(
                actor=None,
                data=IntakeData(
                    text=text,
                    channel="portal",
                    category=category,
                    area=(area or community).code,
                    lat=lat,
                    lng=lng,
                ),
            )

    return make


def pairs(appeal: Appeal) -> list[tuple[int, int]]:
    return list(DuplicateCandidate.objects.filter(appeal=appeal).values_list("appeal_id", "candidate_id"))


# --- the detector --------------------------------------------------------------------------------------------------
def test_the_same_bin_reported_again_nearby_is_offered_for_merge(intake, clock):
    first = intake(BIN)
    clock.advance(hours=5)
    second = intake(BIN_AGAIN, lat=LAT + 0.0005)  # about 55 m away, five hours later
    row = DuplicateCandidate.objects.get(appeal=second)
    assert row.candidate_id == first.pk and row.status == DuplicateStatus.OPEN
    assert row.score >= duplicates.threshold() and row.text_score >= row.score
    assert 50 < row.distance_m < 60 and row.hours_apart == 5


def test_a_related_category_counts_but_another_family_does_not(intake, clock):
    first = intake(BIN, category="street_vending")  # both under 城市管理
    clock.advance(hours=1)
    second = intake(BIN_AGAIN)
    assert pairs(second) == [(second.pk, first.pk)]
    clock.advance(hours=1)
    third = intake(BIN_AGAIN, category="air_pollution")  # 生态环境: not related to the bins
    assert pairs(third) == []


def test_far_away_old_closed_and_different_appeals_are_ignored(intake, clock, cast, community):
    far = intake(BIN, lat=LAT + 0.01)  # 1.1 km north: beyond city management's 300 m
    different = intake(OTHER_SAME_STREET)
    old = intake(BIN)
    clock.advance(hours=80)  # city management's window is 72 h: `old` is out of it
    recent = intake(BIN)
    from shequ.accounts.models import Unit
    from shequ.appeals.services import appeal_dispatch, appeal_reply, appeal_sign_for, appeal_start

    unit = Unit.objects.get(code=f"{community.code}-GZZ")
    appeal_dispatch(actor=cast["sunli"], appeal=recent, unit=unit)
    appeal_sign_for(actor=cast["lina"], appeal=recent)
    appeal_start(actor=cast["lina"], appeal=recent)
    appeal_reply(actor=cast["lina"], appeal=recent, text="已安排清运，垃圾桶已清空。")
    appeal_close(actor=cast["sunli"], appeal=recent)  # closed: never merged into again
    clock.advance(hours=1)
    new = intake(BIN_AGAIN)
    assert pairs(new) == []
    assert {far.pk, different.pk, old.pk} & set(
        DuplicateCandidate.objects.values_list("candidate_id", flat=True)
    ) == set()


def test_without_points_the_same_community_counts_as_near(intake, clock, community):
    first = intake(BIN, lat=None, lng=None)
    clock.advance(hours=2)
    second = intake(BIN_AGAIN, lat=None, lng=None)
    row = DuplicateCandidate.objects.get(appeal=second)
    assert row.candidate_id == first.pk and row.distance_m is None
    neighbour = (
        Area.objects.filter(parent=community.parent, level="community").exclude(pk=community.pk).first()
    )
    third = intake(BIN_AGAIN, lat=None, lng=None, area=neighbour)
    assert pairs(third) == []


def test_an_appeal_located_only_to_its_street_is_compared_with_nothing(intake, community):
    intake(BIN, lat=None, lng=None, area=community.parent)
    second = intake(BIN_AGAIN, lat=None, lng=None, area=community.parent)
    assert pairs(second) == []


def test_finding_twice_keeps_one_row_per_pair(intake, clock):
    intake(BIN)
    clock.advance(hours=1)
    second = intake(BIN_AGAIN)
    services.duplicates_find(second.pk)
    assert DuplicateCandidate.objects.filter(appeal=second).count() == 1


def test_a_failure_in_detection_is_logged_and_never_reaches_the_intake(intake, settings, caplog):
    settings.SHEQU_DUPLICATE_WINDOWS = {"default": {"hours": "not a number", "radius_m": 500}}
    with caplog.at_level(logging.ERROR, logger="shequ.dispatch.signals"):
        appeal = intake(BIN, category=None)
    assert Appeal.objects.filter(pk=appeal.pk, status=Status.SUBMITTED).exists()
    assert "duplicate detection failed" in caplog.text


def test_the_window_of_a_category_falls_back_to_its_parent_then_the_default(settings):
    settings.SHEQU_DUPLICATE_WINDOWS = {
        "default": {"hours": 168, "radius_m": 500},
        "city_management": {"hours": 72, "radius_m": 300},
        "sanitation": {"hours": 24, "radius_m": 100},
    }
    assert duplicates.window_for("sanitation", "city_management") == duplicates.Window(24, 100)
    assert duplicates.window_for("street_vending", "city_management") == duplicates.Window(72, 300)
    assert duplicates.window_for("noise", "environment") == duplicates.Window(168, 500)
    assert duplicates.window_for(None, None) == duplicates.Window(168, 500)


def test_haversine_measures_metres():
    assert duplicates.haversine_m(LAT, LNG, LAT + 0.001, LNG) == pytest.approx(111.2, abs=0.5)
    assert duplicates.haversine_m(LAT, LNG, LAT, LNG) == 0


# --- merge and dismiss ---------------------------------------------------------------------------------------------
@pytest.fixture
def pair(intake, clock) -> DuplicateCandidate:
    intake(BIN)
    clock.advance(hours=3)
    second = intake(BIN_AGAIN)
    return DuplicateCandidate.objects.select_related("appeal", "candidate").get(appeal=second)


def test_merging_merges_the_newer_appeal_into_the_older_and_marks_the_pair(pair, cast):
    row = services.duplicate_merge(actor=cast["sunli"], candidate=pair)
    newer, older = Appeal.objects.get(pk=pair.appeal_id), Appeal.objects.get(pk=pair.candidate_id)
    assert newer.status == Status.MERGED and newer.merged_into_id == older.pk
    assert older.status == Status.SUBMITTED
    assert row.status == DuplicateStatus.MERGED and row.decided_by == cast["sunli"]
    assert newer.events.filter(action="merge").exists()
    assert AuditEntry.objects.filter(action="dispatch.duplicate_merge", object_id=str(row.pk)).exists()
    assert AuditEntry.objects.filter(action="appeal.merge", object_id=str(newer.pk)).exists()
    with pytest.raises(ShequError) as again:
        services.duplicate_merge(actor=cast["sunli"], candidate=row)
    assert again.value.status == 409


def test_dismissing_marks_the_pair_and_leaves_both_appeals_alone(pair, cast):
    row = services.duplicate_dismiss(actor=cast["sunli"], candidate=pair)
    assert row.status == DuplicateStatus.DISMISSED and row.decided_at is not None
    assert set(
        Appeal.objects.filter(pk__in=[pair.appeal_id, pair.candidate_id]).values_list("status", flat=True)
    ) == {Status.SUBMITTED}
    assert AuditEntry.objects.filter(action="dispatch.duplicate_dismiss", object_id=str(row.pk)).exists()


def test_a_community_worker_may_not_merge_and_the_refusal_is_audited(pair, cast):
    with pytest.raises(Exception) as refused:
        services.duplicate_merge(actor=cast["lina"], candidate=pair)
    assert type(refused.value).__name__ == "PermissionDenied"
    assert DuplicateCandidate.objects.get(pk=pair.pk).status == DuplicateStatus.OPEN
    assert Appeal.objects.get(pk=pair.appeal_id).status == Status.SUBMITTED
    assert AuditEntry.objects.filter(action="appeal.refused", object_id=str(pair.appeal_id)).exists()
    with pytest.raises(Exception):
        services.duplicate_dismiss(actor=cast["lina"], candidate=pair)
    assert DuplicateCandidate.objects.get(pk=pair.pk).status == DuplicateStatus.OPEN


# --- API -----------------------------------------------------------------------------------------------------------
@pytest.fixture
def nanshan_dispatcher(cast):
    from shequ.access.services import grant_bootstrap
    from shequ.accounts.models import User

    user = User.objects.create(username="nanshan_dispatcher", display_name="南山调度")
    grant_bootstrap(
        user=user, role="dispatcher", area=Area.objects.get(code="440305"), reason="duplicate tests"
    )
    return user


class TestDuplicateEndpoints(PermissionMatrixMixin):
    def test_list_permission_matrix(self, client, cast, make_user, pair):
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/dispatch/duplicates?appeal={pair.appeal_id}",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=make_user("nobody"),
            missing_url="/api/v1/dispatch/duplicates?appeal=999999",
        )

    def test_merge_permission_matrix(self, client, cast, make_user, pair, nanshan_dispatcher):
        self.assert_permission_matrix(
            client,
            method="post",
            url=f"/api/v1/dispatch/duplicates/{pair.pk}/merge",
            in_scope=cast["sunli"],
            out_of_scope=nanshan_dispatcher,
            no_role=make_user("nobody"),
            missing_url="/api/v1/dispatch/duplicates/999999/merge",
        )
        assert DuplicateCandidate.objects.get(pk=pair.pk).status == DuplicateStatus.MERGED

    def test_dismiss_permission_matrix(self, client, cast, make_user, pair, nanshan_dispatcher):
        self.assert_permission_matrix(
            client,
            method="post",
            url=f"/api/v1/dispatch/duplicates/{pair.pk}/dismiss",
            in_scope=cast["sunli"],
            out_of_scope=nanshan_dispatcher,
            no_role=make_user("nobody"),
            missing_url="/api/v1/dispatch/duplicates/999999/dismiss",
        )
        assert DuplicateCandidate.objects.get(pk=pair.pk).status == DuplicateStatus.DISMISSED


def test_staff_who_see_the_appeal_but_may_not_merge_get_403_and_residents_may_not_list(client, cast, pair):
    sign_in(client, cast["lina"])
    assert client.post(f"/api/v1/dispatch/duplicates/{pair.pk}/merge").status_code == 403
    assert client.post(f"/api/v1/dispatch/duplicates/{pair.pk}/dismiss").status_code == 403
    sign_in(client, cast["zhangwei"])
    assert client.get(f"/api/v1/dispatch/duplicates?appeal={pair.appeal_id}").status_code == 403


def test_the_list_shows_both_appeals_masked_and_the_scores(client, cast, pair, intake, clock):
    clock.advance(hours=1)
    intake(BIN_AGAIN + "，联系电话13912345678")
    sign_in(client, cast["sunli"])
    body = client.get(f"/api/v1/dispatch/duplicates?appeal={pair.candidate_id}").json()
    assert len(body) == 2 and all(d["candidate"]["id"] == pair.candidate_id for d in body)
    assert body[0]["score"] >= body[1]["score"] and all(d["actionable"] for d in body)
    assert any("139****5678" in d["appeal"]["text"] for d in body)
    merged = client.post(f"/api/v1/dispatch/duplicates/{pair.pk}/merge")
    assert (
        merged.status_code == 200 and merged.json()["status"] == "merged" and not merged.json()["actionable"]
    )
    assert client.post(f"/api/v1/dispatch/duplicates/{pair.pk}/dismiss").json()["code"] == "invalid_state"


def test_the_list_reads_in_constant_queries(client, cast, pair, intake, clock, django_assert_max_num_queries):
    for _ in range(3):
        clock.advance(hours=1)
        intake(BIN_AGAIN)
    sign_in(client, cast["sunli"])
    with django_assert_max_num_queries(12):
        body = client.get(f"/api/v1/dispatch/duplicates?appeal={pair.candidate_id}").json()
    assert len(body) == 4


# --- console -------------------------------------------------------------------------------------------------------
def test_the_console_page_offers_the_duplicate_and_merges_it_without_javascript(client, cast, pair):
    sign_in(client, cast["sunli"])
    page = client.get(f"/console/appeals/{pair.appeal_id}/").content.decode()
    assert pair.candidate.number in page and f"/console/dispatch/duplicates/{pair.pk}/merge/" in page
    assert f"/console/dispatch/duplicates/{pair.pk}/dismiss/" in page
    r = client.post(
        f"/console/dispatch/duplicates/{pair.pk}/merge/", {"next": f"/console/appeals/{pair.appeal_id}/"}
    )
    assert r.status_code == 302 and r["Location"] == f"/console/appeals/{pair.appeal_id}/"
    assert Appeal.objects.get(pk=pair.appeal_id).status == Status.MERGED
    page = client.get(f"/console/appeals/{pair.appeal_id}/").content.decode()
    assert f"/console/dispatch/duplicates/{pair.pk}/merge/" not in page  # decided: no longer offered


def test_the_console_shows_the_candidate_without_buttons_to_who_may_not_merge(client, cast, pair):
    sign_in(client, cast["lina"])
    page = client.get(f"/console/appeals/{pair.appeal_id}/").content.decode()
    assert pair.candidate.number in page and "/merge/" not in page
    r = client.post(f"/console/dispatch/duplicates/{pair.pk}/dismiss/")
    assert r.status_code == 403  # the page's guard: community workers do not dispatch anywhere
    assert DuplicateCandidate.objects.get(pk=pair.pk).status == DuplicateStatus.OPEN


def test_console_decisions_permission_matrix(client, cast, make_user, pair, nanshan_dispatcher):
    PermissionMatrixMixin().assert_permission_matrix(
        client,
        method="post",
        url=f"/console/dispatch/duplicates/{pair.pk}/dismiss/",
        in_scope=cast["sunli"],
        out_of_scope=nanshan_dispatcher,
        no_role=make_user("nobody"),
        ok=(302,),
        page=True,
        multipart=True,
    )
    assert DuplicateCandidate.objects.get(pk=pair.pk).status == DuplicateStatus.DISMISSED


# --- scope of the pairs read by index (issue 22) ----------------------------------------------------------------
@pytest.fixture
def across_streets(intake, clock, cast):
    """An appeal in 华富街道 with three pairs: an in-scope newer one, an out-of-scope candidate in 南山区 粤海街道 and
    an out-of-scope newer one there. The detector compares within a community, so it never makes a pair across
    streets; such rows are written here as an older detector (or a boundary move) could have left them."""
    yuehai = Area.objects.filter(parent__code="440305007", level="community").order_by("code").first()
    older = intake(BIN)
    clock.advance(hours=2)
    newer_in_scope = intake(BIN_AGAIN)
    far_old = intake("粤海街道某小区门口垃圾桶满了", area=yuehai, lat=None, lng=None)
    far_new = intake("粤海街道另一小区门口垃圾桶满了", area=yuehai, lat=None, lng=None)
    kept = DuplicateCandidate.objects.get(appeal=newer_in_scope, candidate=older)
    out_cand = DuplicateCandidate.objects.create(
        appeal=older, candidate=far_old, score=0.9, text_score=0.9, hours_apart=2
    )
    out_new = DuplicateCandidate.objects.create(
        appeal=far_new, candidate=older, score=0.8, text_score=0.8, hours_apart=0
    )
    return {"older": older, "kept": kept, "out": [out_cand, out_new], "far": [far_old, far_new]}


def test_out_of_scope_pairs_are_never_shown_on_the_panel_the_list_or_the_flags(client, cast, across_streets):
    from shequ.core.errors import NotFound
    from shequ.dispatch.selectors import duplicate_get_for, duplicate_panel_for, open_duplicate_ids

    older, kept = across_streets["older"], across_streets["kept"]
    far_numbers = [a.number for a in across_streets["far"]]
    lina, sunli = cast["lina"], cast["sunli"]
    panel = duplicate_panel_for(user=lina, appeal=older)
    assert [r["row"].pk for r in panel["rows"]] == [kept.pk]
    sign_in(client, lina)
    body = client.get(f"/api/v1/dispatch/duplicates?appeal={older.pk}").json()
    assert [d["id"] for d in body] == [kept.pk]
    page = client.get(f"/console/appeals/{older.pk}/").content.decode()
    assert kept.appeal.number in page and not any(n in page for n in far_numbers)
    for out in across_streets["out"]:
        with pytest.raises(NotFound):
            duplicate_get_for(user=lina, pk=out.pk)
        assert duplicate_get_for(user=sunli, pk=out.pk).pk == out.pk
    assert open_duplicate_ids(user=lina, ids=[older.pk]) == {older.pk}  # the in-scope pair flags it
    # Without the in-scope pair, nothing lina sees flags the older appeal; the city dispatcher sees all three.
    kept.status = DuplicateStatus.DISMISSED
    kept.save(update_fields=["status"])
    assert open_duplicate_ids(user=lina, ids=[older.pk]) == set()
    assert open_duplicate_ids(user=sunli, ids=[older.pk, *[a.pk for a in across_streets["far"]]]) == {
        older.pk,
        *[a.pk for a in across_streets["far"]],
    }
    everything = duplicate_panel_for(user=sunli, appeal=older)
    assert {r["row"].pk for r in everything["rows"]} == {o.pk for o in across_streets["out"]}


def test_the_pairs_are_read_by_the_index_on_each_side(cast, across_streets):
    """The panel's reads name the appeal on one side of the pair (an index each) and check the others by primary
    key: no query lists every appeal the user sees."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shequ.dispatch.selectors import duplicate_panel_for, open_duplicate_ids

    with CaptureQueriesContext(connection) as read:
        duplicate_panel_for(user=cast["sunli"], appeal=across_streets["older"])
        open_duplicate_ids(user=cast["sunli"], ids=[across_streets["older"].pk])
    pair_reads = [q["sql"] for q in read.captured_queries if 'FROM "dispatch_duplicatecandidate"' in q["sql"]]
    assert pair_reads
    for sql in pair_reads:
        assert 'FROM "appeals_appeal" U0' not in sql and "SELECT U0" not in sql, sql
