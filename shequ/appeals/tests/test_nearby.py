"""附近已有相同问题？ (issue 21): before submitting, a resident sees the open appeals of the same category near her
place, public-safe, and may say 我也遇到了 (support and follow one) instead of filing a duplicate."""

import pytest

from shequ.access.services import grant_bootstrap
from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.models import User
from shequ.accounts.roles import Role
from shequ.appeals import services
from shequ.appeals.models import Appeal, Category, Event, Supporter
from shequ.appeals.nearby import appeal_nearby_for, appeal_support
from shequ.audit.models import AuditEntry
from shequ.core.errors import ShequError
from shequ.geo.models import Area

from . import fixtures
from .fixtures import bring_to

clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db

# 华富街道's first community's pack point is not needed: the tests place their own points.
POINT = (22.5580, 114.0750)
TEXT = "华富村3栋门口的垃圾桶满了三天没人清运，联系电话13912345678，我叫王大妈"


@pytest.fixture
def neighbour(world) -> User:
    user = User.objects.create(username="neighbour", display_name="邻居王大妈", phone="13912345678")
    grant_bootstrap(user=user, role=Role.RESIDENT, area=world.huafu_community.parent, reason="test")
    return user


def report(
    user, world, *, text=TEXT, area=None, point=None, category="sanitation", anonymous=False
) -> Appeal:
    return services.appeal_submit(
        actor=user,
        requester=user,
        data=services.IntakeData(
            text=text,
            channel="portal",
            category=category,
            area=(area or world.huafu_community).code,
            lat=point[0] if point else None,
            lng=point[1] if point else None,
            contact_name="王大妈",
            contact_phone="13912345678",
            anonymous=anonymous,
        ),
    )


def other_community(world) -> Area:
    return Area.objects.filter(parent=world.huafu_community.parent, level="community").order_by("code")[1]


def test_the_same_problem_in_the_same_community_is_shown_public_safe(world, neighbour):
    theirs = report(neighbour, world)
    found = appeal_nearby_for(user=world["zhangwei"], category=world.sanitation, area=world.huafu_community)
    assert [f["id"] for f in found] == [theirs.pk]
    shown = found[0]
    assert shown["category"] == "环境卫生" and shown["place"] == world.huafu_community.name
    assert shown["status"] and shown["supporters"] == 0 and not shown["mine"]
    # Public-safe: no name, no phone, no address, no point.
    flat = repr(shown)
    assert "13912345678" not in flat and "139****5678" in flat
    assert "王大妈" not in repr({k: v for k, v in shown.items() if k != "excerpt"})
    assert set(shown) == {
        "id",
        "category",
        "place",
        "reported_at",
        "days_ago",
        "status",
        "excerpt",
        "supporters",
        "mine",
        "supported",
        "distance_m",
    }


def test_other_categories_places_closed_and_old_appeals_are_not_shown(world, neighbour, clock):
    report(neighbour, world, category="air_pollution", text="工地扬尘很大，家里窗台全是灰")
    report(neighbour, world, area=other_community(world))
    closed = bring_to(world, report(neighbour, world), "replied")
    assert closed.status == "replied"
    found = appeal_nearby_for(user=world["zhangwei"], category=world.sanitation, area=world.huafu_community)
    assert found == []
    fresh = report(neighbour, world)
    clock.advance(days=31)
    assert (
        appeal_nearby_for(user=world["zhangwei"], category=world.sanitation, area=world.huafu_community) == []
    )
    clock.advance(days=-2)
    assert [
        f["id"]
        for f in appeal_nearby_for(
            user=world["zhangwei"], category=world.sanitation, area=world.huafu_community
        )
    ] == [fresh.pk]


def test_a_point_finds_the_same_problem_across_a_community_line_within_500_metres(world, neighbour):
    near = report(neighbour, world, area=other_community(world), point=(POINT[0] + 0.002, POINT[1]))  # ~220 m
    report(neighbour, world, area=other_community(world), point=(POINT[0] + 0.01, POINT[1]))  # ~1.1 km
    found = appeal_nearby_for(
        user=world["zhangwei"],
        category=world.sanitation,
        area=world.huafu_community,
        lat=POINT[0],
        lng=POINT[1],
    )
    assert [f["id"] for f in found] == [near.pk]
    assert 200 <= found[0]["distance_m"] <= 240


def test_an_anonymous_appeal_shows_its_street_and_no_distance(world, neighbour):
    report(neighbour, world, point=POINT, anonymous=True)
    [shown] = appeal_nearby_for(
        user=world["zhangwei"],
        category=world.sanitation,
        area=world.huafu_community,
        lat=POINT[0],
        lng=POINT[1],
    )
    assert shown["place"] == "华富街道" and shown["distance_m"] is None


def test_a_district_alone_or_no_category_finds_nothing(world, neighbour):
    report(neighbour, world)
    district = Area.objects.get(code="440304")
    assert appeal_nearby_for(user=world["zhangwei"], category=world.sanitation, area=district) == []
    assert appeal_nearby_for(user=world["zhangwei"], category=None, area=world.huafu_community) == []


def test_supporting_counts_once_is_staff_visible_and_audited(world, neighbour):
    theirs = report(neighbour, world)
    _row, created = appeal_support(actor=world["zhangwei"], appeal=theirs)
    _row, again = appeal_support(actor=world["zhangwei"], appeal=theirs)
    assert created and not again and Supporter.objects.filter(appeal=theirs).count() == 1
    event = Event.objects.get(appeal=theirs, action="support")
    assert not event.public and event.data == {"supporters": 1}
    entry = AuditEntry.objects.get(action="appeal.support")
    assert entry.actor_username == "zhangwei" and entry.changes == {"supporters": {"before": 0, "after": 1}}
    [shown] = appeal_nearby_for(user=world["zhangwei"], category=world.sanitation, area=world.huafu_community)
    assert shown["supporters"] == 1 and shown["supported"]


def test_one_cannot_support_ones_own_or_a_finished_appeal(world, neighbour):
    mine = report(world["zhangwei"], world)
    with pytest.raises(ShequError) as own:
        appeal_support(actor=world["zhangwei"], appeal=mine)
    assert own.value.code == "own_appeal"
    answered = bring_to(world, report(neighbour, world), "replied")
    with pytest.raises(ShequError) as finished:
        appeal_support(actor=world["zhangwei"], appeal=answered)
    assert finished.value.code == "not_open"
    assert not Supporter.objects.exists() and not AuditEntry.objects.filter(action="appeal.support").exists()


def _draft_to_confirm(client, world):
    client.post(
        "/appeals/new/", {"text": "小区门口的垃圾桶满了，好几天没人清运", "category_list": "sanitation"}
    )
    client.post(
        "/appeals/new/location/",
        {
            "district": "440304",
            "street": world.huafu_community.parent.code,
            "community": world.huafu_community.code,
            "go": "next",
        },
    )


def test_the_report_form_asks_and_i_met_this_too_follows_instead_of_filing(client, world, neighbour):
    theirs = report(neighbour, world)
    sign_in(client, world["zhangwei"])
    _draft_to_confirm(client, world)
    page = client.get("/appeals/new/confirm/").content.decode()
    assert "附近已有相同问题？" in page and "我也遇到了" in page and "今天反映" in page
    assert f"/appeals/new/support/{theirs.pk}/" in page
    assert "13912345678" not in page and "邻居王大妈" not in page
    appeals_before = Appeal.objects.count()

    r = client.post(f"/appeals/new/support/{theirs.pk}/")
    assert r.status_code == 302 and r.url == "/me/appeals/#supported"
    assert Appeal.objects.count() == appeals_before  # nothing new filed
    mine = client.get("/me/appeals/").content.decode()
    assert (
        "已记下：您也遇到了这个问题" in mine and "我也遇到的问题" in mine and "已有 1 位居民也遇到了" in mine
    )
    # The draft is done with.
    assert client.get("/appeals/new/confirm/")["Location"] == "/appeals/new/"
    # The staff see it on the appeal's timeline, marked as theirs.
    sign_in(client, world["sunli"])
    console = client.get(f"/console/appeals/{theirs.pk}/").content.decode()
    assert "又一位居民遇到了同一问题" in console


def test_no_nearby_section_when_nothing_is_near(client, world):
    sign_in(client, world["zhangwei"])
    _draft_to_confirm(client, world)
    assert "附近已有相同问题？" not in client.get("/appeals/new/confirm/").content.decode()


def test_supporting_a_finished_appeal_from_the_form_says_why(client, world, neighbour):
    answered = bring_to(world, report(neighbour, world), "replied")
    sign_in(client, world["zhangwei"])
    _draft_to_confirm(client, world)
    r = client.post(f"/appeals/new/support/{answered.pk}/", follow=True)
    assert "这个问题已不在办理中" in r.content.decode()
    assert not Supporter.objects.exists()


def test_the_api_gives_the_same_public_safe_list_and_supports(client, world, neighbour):
    theirs = report(neighbour, world)
    sign_in(client, world["zhangwei"])
    r = client.get(f"/api/v1/appeals/nearby?category=sanitation&area={world.huafu_community.code}")
    assert r.status_code == 200
    [shown] = r.json()
    assert shown["id"] == theirs.pk and "13912345678" not in r.content.decode()
    r = client.post(f"/api/v1/appeals/{theirs.pk}/support", content_type="application/json")
    assert r.status_code == 200 and r.json() == {
        "id": theirs.pk,
        "supported": True,
        "new": True,
        "supporters": 1,
    }
    r = client.post(f"/api/v1/appeals/{theirs.pk}/support", content_type="application/json")
    assert r.json()["new"] is False
    bad = client.get("/api/v1/appeals/nearby?category=nonsense")
    assert bad.status_code == 400 and bad.json()["code"]


def test_the_api_refuses_a_finished_appeal_with_409(client, world, neighbour):
    answered = bring_to(world, report(neighbour, world), "replied")
    sign_in(client, world["zhangwei"])
    r = client.post(f"/api/v1/appeals/{answered.pk}/support", content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "not_open"


class TestPermissionMatrix(PermissionMatrixMixin):
    """Any signed-in person may look and support (the fields are public-safe); anonymous visitors may not."""

    def test_the_nearby_list_needs_a_sign_in(self, client, world):
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/appeals/nearby?category=sanitation&area={world.huafu_community.code}",
            in_scope=world["zhangwei"],
        )

    def test_supporting_needs_a_sign_in_and_an_existing_appeal(self, client, world, neighbour):
        theirs = report(neighbour, world)
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/appeals/{theirs.pk}/support",
            method="post",
            in_scope=world["zhangwei"],
            missing_url="/api/v1/appeals/999999/support",
        )
        assert Supporter.objects.count() == 1

    def test_the_form_action_needs_a_sign_in_and_an_existing_appeal(self, client, world, neighbour):
        theirs = report(neighbour, world)
        self.assert_permission_matrix(
            client,
            url=f"/appeals/new/support/{theirs.pk}/",
            method="post",
            multipart=True,
            ok=(302,),
            in_scope=world["zhangwei"],
            missing_url="/appeals/new/support/999999/",
            page=True,
            sign_in_url="/accounts/resident/",
        )
        assert Supporter.objects.count() == 1


def test_an_inactive_category_is_not_a_category(client, world):
    Category.objects.filter(code="noise").update(is_active=False)
    sign_in(client, world["zhangwei"])
    assert client.get("/api/v1/appeals/nearby?category=noise").status_code == 400


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="SQLite serialises every writer with BEGIN IMMEDIATE: the race exists on PostgreSQL",
)
def test_residents_pressing_at_once_are_each_counted_once_and_in_order(transactional_db):
    """Eight neighbours press 我也遇到了 at the same moment, one of them twice: eight rows, and the staff's timeline
    counts 1 … 8 without a repeat (the appeal's row lock orders the counts)."""
    import threading

    from django.db import connections

    from shequ.audit.tests.tampering import wipe
    from shequ.demo.cast import ensure_cast
    from shequ.geo.citypack import load_city_pack

    if not Area.objects.exists():  # an earlier transactional test's flush emptied every table
        load_city_pack("shenzhen")
    from tests.browser.restore import restore_migrated_data

    restore_migrated_data()
    try:
        cast = ensure_cast()
        community = Area.objects.filter(parent__name="华富街道", level="community").order_by("code").first()
        appeal = services.appeal_submit(
            actor=cast["zhangwei"],
            requester=cast["zhangwei"],
            data=services.IntakeData(
                text="小区门口的垃圾桶满了", channel="portal", category="sanitation", area=community.code
            ),
        )
        people = [User.objects.create(username=f"neighbour{i}") for i in range(8)]
        presses = [*people, people[0]]
        start = threading.Barrier(len(presses))
        errors: list[BaseException] = []

        def press(user) -> None:
            try:
                start.wait(timeout=10)
                appeal_support(actor=user, appeal=appeal)
            except BaseException as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=press, args=(u,)) for u in presses]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert not errors, errors
        assert Supporter.objects.filter(appeal=appeal).count() == 8
        counts = sorted(e.data["supporters"] for e in Event.objects.filter(appeal=appeal, action="support"))
        assert counts == list(range(1, 9))
        assert AuditEntry.objects.filter(action="appeal.support").count() == 8
    finally:
        wipe()  # the audit trail refuses DELETE; the flush after a transactional test needs it empty


def test_who_met_the_same_problem_hears_when_it_is_answered_and_finished(world, neighbour):
    from shequ.messages.models import Message

    theirs = report(neighbour, world)
    appeal_support(actor=world["zhangwei"], appeal=theirs)
    n = theirs.number
    # Dispatch, signing for and starting are the unit's steps: the supporter hears nothing of them.
    answered = bring_to(world, theirs, "replied")
    supporter_titles = list(
        Message.objects.filter(person=world["zhangwei"], kind__startswith="appeal.supported.")
        .order_by("id")
        .values_list("title", "body", "link", "sms")
    )
    assert supporter_titles == [
        (f"您也遇到的问题（诉求 {n}）已由办理单位答复", "", "/me/appeals/#supported", False)
    ]
    services.appeal_evaluate(actor=neighbour, appeal=answered, rating=5)
    titles = list(
        Message.objects.filter(person=world["zhangwei"], kind__startswith="appeal.supported.")
        .order_by("id")
        .values_list("title", flat=True)
    )
    assert titles[-1] == f"您也遇到的问题（诉求 {n}）已办结"
    # The requester's own messages are unchanged: he is told as before, and once.
    assert Message.objects.filter(person=neighbour, kind="appeal.replied").count() == 1


def test_a_district_with_a_point_keeps_only_the_radius_not_the_corners_of_its_box(world, neighbour):
    """A district is too wide to mean "near": with a point, only appeals within 500 m count, not one of the district
    that the point's bounding box (a square around the circle) caught in its corner, some 640 m away."""
    corner = report(
        neighbour, world, area=other_community(world), point=(POINT[0] + 0.0040, POINT[1] + 0.0045)
    )
    near = report(neighbour, world, area=other_community(world), point=(POINT[0] + 0.002, POINT[1]))
    district = Area.objects.get(code="440304")
    assert corner.area.path.startswith(district.path)
    found = appeal_nearby_for(
        user=world["zhangwei"], category=world.sanitation, area=district, lat=POINT[0], lng=POINT[1]
    )
    assert [f["id"] for f in found] == [near.pk]
