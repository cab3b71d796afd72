"""The console's new-venue and edit-venue pages (issue 25: staff could only create venues through code): the
services refuse what the database would (and what would leave a venue unbookable) with a sentence for the person,
writing nothing; photos are checked like every upload; the pages keep what was typed when refused; who may open
them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.audit.models import AuditEntry
from shequ.core.errors import NotFound, ShequError
from shequ.core.tests import images
from shequ.facilities.tests.helpers import community, make_facility
from shequ.venues import services
from shequ.venues.models import Venue

from .helpers import ALL_DAY, make_venue

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
NEW = "/console/venues/new/"
MISSING = 999999991


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def png(name: str = "room.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, images.png((64, 48)), content_type="image/png")


def page_as_photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("room.jpg", images.HTML, content_type="image/jpeg")


@pytest.fixture
def facility(db):
    return make_facility(
        "华富党群服务中心", (22.55, 114.07), type="party_service", area=community(), hours=ALL_DAY
    )


@pytest.fixture
def yuehai_facility(db):
    return make_facility(
        "粤海党群服务中心",
        (22.54, 113.94),
        type="party_service",
        area=community("粤海街道", "440305"),
        hours=ALL_DAY,
    )


def fields(facility, **kw) -> dict:
    return {"facility": facility, "name": "华富社区舞蹈室", "capacity": 25, "slot_minutes": 60, **kw}


def form_post(facility, **kw) -> dict:
    data = {
        "facility": str(facility.pk),
        "name": "华富社区舞蹈室",
        "kind": "room",
        "capacity": "25",
        "price_yuan": "12.50",
        "price_unit": "hour",
        "description": "木地板，带镜子和音响。",
        "slot_mode": "slots",
        "slot_minutes": "60",
        "max_length_minutes": "120",
        "who_may_book": "street",
        "min_notice_minutes": "30",
        "max_notice_days": "14",
        "cancel_deadline_minutes": "120",
        "checkin_opens_minutes": "15",
        "release_after_minutes": "15",
        "hold_minutes": "30",
        "teams_may_book": "on",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def audits(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


# --- services -------------------------------------------------------------------------------------------------
class TestVenueCreate:
    def test_a_worker_creates_a_venue_with_a_photo_and_it_is_audited(self, cast, facility, media):
        venue = services.venue_create(actor=cast["lina"], photos=[png()], **fields(facility))
        assert venue.area == facility.area and venue.name == "华富社区舞蹈室"
        assert len(venue.photos) == 1 and venue.photos[0].startswith("venues/")
        assert [p.name for p in stored_files(media)] == [venue.photos[0].rsplit("/", 1)[1]]
        (entry,) = audits("venue.create")
        assert entry.actor == cast["lina"] and entry.object_id == str(venue.pk)

    @pytest.mark.parametrize(
        "change, field",
        [
            ({"name": "  "}, "name"),
            ({"kind": "castle"}, "kind"),
            ({"capacity": 0}, "capacity"),
            ({"slot_minutes": 10, "max_length_minutes": 60}, "slot_minutes"),
            ({"slot_minutes": 60, "max_length_minutes": 45}, "max_length_minutes"),
            ({"price_cents": -100}, "price_cents"),
            ({"max_notice_days": 0}, "max_notice_days"),
            ({"max_notice_days": 1, "min_notice_minutes": 1440}, "min_notice_minutes"),
            ({"release_after_minutes": 90}, "release_after_minutes"),
            ({"hold_minutes": 0}, "hold_minutes"),
        ],
    )
    def test_each_refusal_names_its_field_and_writes_nothing(self, cast, facility, media, change, field):
        with pytest.raises(ShequError) as refused:
            services.venue_create(actor=cast["lina"], photos=[png()], **fields(facility, **change))
        assert refused.value.fields == {field: refused.value.fields[field]} and refused.value.message
        assert refused.value.status == 400
        assert not Venue.objects.exists() and not audits("venue.create") and not stored_files(media)

    def test_the_refusal_is_said_in_chinese(self, cast, facility, media):
        from django.utils import translation

        with translation.override("zh-hans"), pytest.raises(ShequError) as refused:
            services.venue_create(actor=cast["lina"], **fields(facility, max_length_minutes=30))
        assert refused.value.message == "最长预约时长至少要容纳一个时段（60分钟）。"

    def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(self, cast, facility, media):
        with pytest.raises(ShequError) as refused:
            services.venue_create(actor=cast["lina"], photos=[png(), page_as_photo()], **fields(facility))
        assert refused.value.fields == {"photos": "type"}
        assert not Venue.objects.exists() and not stored_files(media)

    def test_seven_photos_are_too_many(self, cast, facility, media):
        with pytest.raises(ShequError) as refused:
            services.venue_create(actor=cast["lina"], photos=[png() for _ in range(7)], **fields(facility))
        assert refused.value.fields == {"photos": "too_many"}
        assert not Venue.objects.exists() and not stored_files(media)

    def test_a_facility_of_another_street_is_not_found(self, cast, yuehai_facility, media):
        with pytest.raises(NotFound):
            services.venue_create(actor=cast["lina"], **fields(yuehai_facility))
        assert not Venue.objects.exists()


class TestVenueUpdate:
    def test_the_audit_keeps_each_changed_field_before_and_after(self, cast, media):
        venue = make_venue()
        services.venue_update(
            actor=cast["lina"], venue=venue, name="华富社区大活动室", capacity=30, price_cents=1500
        )
        venue.refresh_from_db()
        assert (venue.name, venue.price_cents) == ("华富社区大活动室", 1500)
        (entry,) = audits("venue.update")
        assert entry.actor == cast["lina"]
        assert entry.changes == {
            "name": {"before": "华富党群服务中心多功能室", "after": "华富社区大活动室"},
            "price_cents": {"before": 0, "after": 1500},
        }  # the capacity was 30 already

    def test_photos_are_added_and_removed_and_a_removed_file_goes(
        self, cast, media, django_capture_on_commit_callbacks
    ):
        venue = make_venue()
        with django_capture_on_commit_callbacks(execute=True):
            venue = services.venue_update(actor=cast["lina"], venue=venue, photos_add=[png(), png()])
        first, second = venue.photos
        with django_capture_on_commit_callbacks(execute=True):
            venue = services.venue_update(actor=cast["lina"], venue=venue, photos_remove=[first])
        assert Venue.objects.get().photos == [second]
        assert [p.name for p in stored_files(media)] == [second.rsplit("/", 1)[1]]
        assert audits("venue.update")[-1].changes["photos"] == {"before": [first, second], "after": [second]}

    def test_a_refused_update_writes_nothing(self, cast, media):
        venue = make_venue()
        with pytest.raises(ShequError) as refused:
            services.venue_update(
                actor=cast["lina"], venue=venue, name="新名字", slot_minutes=150, photos_add=[png()]
            )
        assert refused.value.fields == {"max_length_minutes": "below_slot"}
        fresh = Venue.objects.get()
        assert (fresh.name, fresh.slot_minutes, fresh.photos) == (venue.name, 60, [])
        assert not audits("venue.update") and not stored_files(media)

    def test_an_officer_of_another_street_gets_not_found(self, cast, media):
        venue = make_venue()
        with pytest.raises(NotFound):
            services.venue_update(actor=cast["wangqiang"], venue=venue, name="别人的场地")
        assert Venue.objects.get().name == venue.name

    def test_moving_a_venue_to_a_facility_out_of_scope_is_not_found(self, cast, yuehai_facility, media):
        venue = make_venue()
        with pytest.raises(NotFound):
            services.venue_update(actor=cast["lina"], venue=venue, facility=yuehai_facility)
        assert Venue.objects.get().facility_id == venue.facility_id


# --- pages ----------------------------------------------------------------------------------------------------
class TestPages:
    def test_the_list_and_the_day_page_link_to_the_forms(self, client, cast):
        venue = make_venue()
        sign_in(client, cast["lina"])
        listing = client.get("/console/venues/", **ZH).content.decode()
        assert "新建场地" in listing and NEW in listing
        day = client.get(f"/console/venues/{venue.pk}/", **ZH).content.decode()
        assert "编辑场地" in day and f"/console/venues/{venue.pk}/edit/" in day

    def test_the_facility_choice_holds_only_facilities_in_scope(
        self, client, cast, facility, yuehai_facility
    ):
        sign_in(client, cast["lina"])
        page = client.get(NEW, **ZH).content.decode()
        assert "新建场地" in page and "华富党群服务中心" in page and "粤海党群服务中心" not in page

    def test_a_worker_creates_a_venue_priced_in_yuan(self, client, cast, facility, media):
        sign_in(client, cast["lina"])
        r = client.post(NEW, {**form_post(facility), "photos": [png()]}, **ZH)
        venue = Venue.objects.get()
        assert r.status_code == 302 and r["Location"] == f"/console/venues/{venue.pk}/"
        assert venue.price_cents == 1250 and venue.teams_may_book and not venue.needs_approval
        assert len(venue.photos) == 1 and venue.is_active
        shown = client.get(r["Location"], **ZH).content.decode()
        assert "场地“华富社区舞蹈室”已保存" in shown

    def test_a_refused_form_answers_400_keeps_what_was_typed_and_says_why(
        self, client, cast, facility, media
    ):
        sign_in(client, cast["lina"])
        r = client.post(NEW, {**form_post(facility, max_length_minutes="45"), "photos": [png()]}, **ZH)
        assert r.status_code == 400 and not Venue.objects.exists() and not stored_files(media)
        page = r.content.decode()
        assert "未保存：请修改标出的项目。" in page
        assert "最长预约时长至少要容纳一个时段（60分钟）。" in page
        assert 'id="id_max_length_minutes_error"' in page
        assert (
            'value="华富社区舞蹈室"' in page and "木地板，带镜子和音响。" in page and 'value="12.50"' in page
        )
        assert "请重新选择照片" in page

    def test_a_page_as_a_photo_is_refused_next_to_the_photos(self, client, cast, facility, media):
        sign_in(client, cast["lina"])
        r = client.post(NEW, {**form_post(facility), "photos": [page_as_photo()]}, **ZH)
        assert r.status_code == 400 and not Venue.objects.exists()
        page = r.content.decode()
        assert 'id="id_photos_error"' in page and "文件必须是 JPEG、PNG 或 WebP 格式的图片。" in page

    def test_the_edit_page_shows_the_photos_and_removes_one(self, client, cast, media):
        venue = services.venue_update(actor=None, venue=make_venue(), photos_add=[png(), png()])
        first, second = venue.photos
        sign_in(client, cast["lina"])
        url = f"/console/venues/{venue.pk}/edit/"
        page = client.get(url, **ZH).content.decode()
        assert "编辑场地" in page and page.count('name="remove_photos"') == 2
        assert f"/venues/{venue.pk}/photos/{first.rsplit('/', 1)[1]}/" in page
        data = form_post(venue.facility, name=venue.name, price_yuan="0", is_active="on")
        r = client.post(url, {**data, "remove_photos": [first]}, **ZH)
        assert r.status_code == 302
        assert Venue.objects.get().photos == [second]
        assert "对“华富党群服务中心多功能室”的修改已保存" in client.get(r["Location"], **ZH).content.decode()

    def test_a_refused_edit_keeps_the_photo_marked_for_removal(self, client, cast, media):
        venue = services.venue_update(actor=None, venue=make_venue(), photos_add=[png()])
        sign_in(client, cast["lina"])
        data = form_post(venue.facility, slot_minutes="10", remove_photos=venue.photos[0])
        r = client.post(f"/console/venues/{venue.pk}/edit/", data, **ZH)
        assert r.status_code == 400 and "每个时段至少15分钟" in r.content.decode()
        assert f'value="{venue.photos[0]}" id="remove-photo-1" checked' in r.content.decode()
        assert Venue.objects.get().photos == venue.photos

    def test_closing_a_venue_keeps_it_in_the_console_list(self, client, cast, media):
        venue = make_venue()
        sign_in(client, cast["lina"])
        data = form_post(venue.facility, name=venue.name)  # no is_active: the box left unticked
        assert client.post(f"/console/venues/{venue.pk}/edit/", data).status_code == 302
        assert not Venue.objects.get().is_active
        assert "停止预约" in client.get("/console/venues/", **ZH).content.decode()


class TestPhotoFile:
    def test_a_venue_photo_is_served_as_an_image_to_anyone(self, client, media):
        venue = services.venue_update(actor=None, venue=make_venue(), photos_add=[png()])
        name = venue.photos[0].rsplit("/", 1)[1]
        r = client.get(f"/venues/{venue.pk}/photos/{name}/")
        assert r.status_code == 200 and r["Content-Type"] == "image/png"
        assert r["X-Content-Type-Options"] == "nosniff" and "sandbox" in r["Content-Security-Policy"]
        assert client.get(f"/venues/{venue.pk}/photos/{'0' * 32}.png/").status_code == 404

    def test_a_closed_venues_photo_is_only_for_its_managers(self, client, cast, media):
        venue = services.venue_update(actor=None, venue=make_venue(), photos_add=[png()], is_active=False)
        url = f"/venues/{venue.pk}/photos/{venue.photos[0].rsplit('/', 1)[1]}/"
        assert client.get(url).status_code == 404
        sign_in(client, cast["wangqiang"])
        assert client.get(url).status_code == 404
        sign_in(client, cast["lina"])
        assert client.get(url).status_code == 200

    def test_the_portal_page_and_the_api_show_the_photos(self, client, media):
        venue = services.venue_update(actor=None, venue=make_venue(), photos_add=[png()])
        url = f"/venues/{venue.pk}/photos/{venue.photos[0].rsplit('/', 1)[1]}/"
        assert url in client.get(f"/venues/{venue.pk}/", **ZH).content.decode()
        assert client.get(f"/api/v1/venues/{venue.pk}").json()["photos"] == [url]


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_the_new_venue_page_is_for_venue_managers(self, client, cast, facility, media):
        self.assert_permission_matrix(
            client, url=NEW, in_scope=cast["lina"], no_role=cast["zhouyu"], page=True
        )
        self.assert_permission_matrix(
            client,
            url=NEW,
            method="post",
            multipart=True,
            data=form_post(facility),
            ok=(302,),
            in_scope=cast["lina"],
            no_role=cast["zhouyu"],
            page=True,
        )

    def test_the_edit_page_of_a_venue_of_another_street_is_not_found(self, client, cast, media):
        venue = make_venue()
        url, missing = f"/console/venues/{venue.pk}/edit/", f"/console/venues/{MISSING}/edit/"
        self.assert_permission_matrix(
            client,
            url=url,
            in_scope=cast["lina"],
            no_role=cast["zhouyu"],
            out_of_scope=cast["wangqiang"],
            missing_url=missing,
            page=True,
        )
        self.assert_permission_matrix(
            client,
            url=url,
            method="post",
            multipart=True,
            data=form_post(venue.facility, name="改过的名字", is_active="on"),
            ok=(302,),
            in_scope=cast["lina"],
            no_role=cast["zhouyu"],
            out_of_scope=cast["wangqiang"],
            missing_url=missing,
            page=True,
        )
        assert Venue.objects.get().name == "改过的名字"
