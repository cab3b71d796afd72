"""The permission matrix (DESIGN.md §8) on the appeal endpoints and pages the other test files did not walk: the
KPIs, the responsibility list and its import, the console's export, bulk dispatch and one-click actions, the
resident's own appeals (/me/appeals/ and the API seen by another resident) and the portal's intake steps.

Anonymous is refused, a signed-in user without the role gets 403 or 404, the user in scope succeeds, and the one out
of scope gets the answer a missing object gets. Every write is checked afterwards: only the call in scope acted.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from shequ.access.services import grant_bootstrap
from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.models import User
from shequ.accounts.roles import Role
from shequ.appeals.choices import Status
from shequ.appeals.models import Appeal, ResponsibilityRule
from shequ.appeals.rules import rules_import
from shequ.geo.models import Area

from . import fixtures
from .fixtures import bring_to, submit

clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db

MISSING_AREA = "999999999999"


@pytest.fixture
def nobody(make_user):
    """Signed in, with no grant at all."""
    return make_user("nobody")


@pytest.fixture
def neighbour(world) -> User:
    """Another resident of 华富街道: zhangwei's appeals are none of his business."""
    user = User.objects.create(username="neighbour", display_name="邻居")
    grant_bootstrap(user=user, role=Role.RESIDENT, area=world.huafu_community.parent, reason="matrix tests")
    return user


@pytest.fixture
def nanshan_dispatcher(world) -> User:
    """A 12345 dispatcher whose grant covers 南山区 only (a district sub-centre)."""
    user = User.objects.create(username="nanshan_dispatcher", display_name="南山调度")
    grant_bootstrap(
        user=user, role=Role.DISPATCHER, area=Area.objects.get(code="440305"), reason="matrix tests"
    )
    return user


def same_but_for(outside, missing, code: str) -> bool:
    """The two answers are byte-for-byte equal once the code each request named (and the answer repeats back to
    its caller) is taken out: nothing in the answer tells an area out of scope from one that does not exist."""
    return outside.content.replace(code.encode(), b"<code>") == missing.content.replace(
        MISSING_AREA.encode(), b"<code>"
    )


# --- KPIs ---------------------------------------------------------------------------------------------------------
class TestKpiEndpoint(PermissionMatrixMixin):
    URL = "/api/v1/appeals/kpis"

    def test_kpis_permission_matrix(self, client, world, nobody):
        submit(world)
        huafu = world.huafu_community.parent.code
        self.assert_permission_matrix(
            client, url=f"{self.URL}?area={huafu}", in_scope=world["lina"], no_role=nobody
        )
        for refused in ("zhangwei", "zhouyu", "wujun", "zhaomin"):  # no KPI role: 403
            sign_in(client, world[refused])
            assert client.get(self.URL).status_code == 403, refused

    def test_an_area_out_of_scope_answers_like_an_unknown_one(self, client, world):
        submit(world)
        sign_in(client, world["wangqiang"])
        huafu = world.huafu_community.parent.code
        outside = client.get(self.URL, {"area": huafu})
        missing = client.get(self.URL, {"area": MISSING_AREA})
        assert outside.status_code == missing.status_code == 404
        assert same_but_for(outside, missing, huafu)
        assert client.get(self.URL).json()["rows"][0]["received"] == 0  # his own scope: nothing of 华富


# --- the responsibility list --------------------------------------------------------------------------------------
RULE_HEADER = ["类别代码", "区域代码", "主办单位代码", "协办单位代码", "生效日期", "失效日期", "版本"]


def rules_sheet(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(RULE_HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rules_upload(rows) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "rules.xlsx",
        rules_sheet(rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


class TestRulesEndpoints(PermissionMatrixMixin):
    LIST = "/api/v1/appeals/rules"
    IMPORT = "/api/v1/appeals/rules/import"

    def test_rules_list_permission_matrix(self, client, world, nobody):
        rules_import(actor=None, fileobj=io.BytesIO(rules_sheet([futian_rule()])))
        self.assert_permission_matrix(client, url=self.LIST, in_scope=world["sunli"], no_role=nobody)
        for refused in ("zhangwei", "lina", "liuyang", "chenjing", "zhouyu", "wujun", "zhaomin"):
            sign_in(client, world[refused])
            assert client.get(self.LIST).status_code == 403, refused

    def test_rules_import_permission_matrix(self, client, world, nobody):
        self.assert_permission_matrix(
            client,
            url=self.IMPORT,
            method="post",
            multipart=True,
            data=lambda: {"file": rules_upload([futian_rule()])},
            in_scope=world["sunli"],
            no_role=nobody,
        )
        for refused in ("lina", "chenjing", "zhouyu", "wujun", "zhaomin"):
            sign_in(client, world[refused])
            assert client.post(self.IMPORT, {"file": rules_upload([futian_rule()])}).status_code == 403
        assert ResponsibilityRule.objects.count() == 1  # only the dispatcher's import wrote

    def test_a_district_dispatcher_lists_only_the_rules_that_apply_in_his_district(
        self, client, world, nanshan_dispatcher
    ):
        rules_import(
            actor=None,
            fileobj=io.BytesIO(rules_sheet([futian_rule(), nanshan_rule(world), city_rule()])),
        )
        sign_in(client, nanshan_dispatcher)
        listed = {r["area"] for r in client.get(self.LIST).json()["items"]}
        assert listed == {world.yuehai_office.area.code, "440300"}  # his street's rule and the city's
        sign_in(client, world["sunli"])
        assert client.get(self.LIST).json()["count"] == 3

    def test_a_district_dispatcher_cannot_import_rules_for_another_district(
        self, client, world, nanshan_dispatcher
    ):
        sign_in(client, nanshan_dispatcher)
        outside = client.post(self.IMPORT, {"file": rules_upload([futian_rule()])})
        missing = client.post(self.IMPORT, {"file": rules_upload([futian_rule(area=MISSING_AREA)])})
        assert outside.status_code == missing.status_code == 400
        assert same_but_for(outside, missing, "440304")
        assert not ResponsibilityRule.objects.exists()
        ok = client.post(self.IMPORT, {"file": rules_upload([nanshan_rule(world)])})
        assert ok.status_code == 200 and ResponsibilityRule.objects.count() == 1


def futian_rule(area: str = "440304") -> list:
    return ["city_management", area, "440304-CG", None, "2024-01-01", None, "v1"]


def nanshan_rule(world) -> list:
    return [
        "sanitation",
        world.yuehai_office.area.code,
        world.yuehai_office.code,
        None,
        "2024-01-01",
        None,
        "v1",
    ]


def city_rule() -> list:
    return ["noise", "440300", "440304-CG", None, "2024-01-01", None, "v1"]


# --- the staff console: export, bulk dispatch, one-click actions ---------------------------------------------------
class TestConsoleWrites(PermissionMatrixMixin):
    def test_console_export_permission_matrix(self, client, world, nobody):
        huafu = submit(world)
        self.assert_permission_matrix(
            client,
            url="/console/appeals/export/?queue=&format=csv",
            in_scope=world["lina"],
            no_role=nobody,
            page=True,
        )
        for refused in ("zhangwei", "zhouyu", "wujun", "zhaomin"):
            sign_in(client, world[refused])
            assert client.get("/console/appeals/export/?format=csv").status_code == 403, refused
        sign_in(client, world["lina"])
        assert huafu.number in client.get("/console/appeals/export/?queue=&format=csv").content.decode()
        sign_in(client, world["wangqiang"])  # out of scope: his export does not hold 华富's appeal
        assert huafu.number not in client.get("/console/appeals/export/?queue=&format=csv").content.decode()

    def test_bulk_dispatch_permission_matrix(self, client, world, nobody, nanshan_dispatcher):
        appeal = submit(world)
        form = {"ids": [appeal.pk], "unit": world.cg.code}
        # Out of scope first, while the appeal still waits: the ids he may not see are skipped, nothing moves.
        sign_in(client, nanshan_dispatcher)
        assert client.post("/console/appeals/bulk-dispatch/", form).status_code == 302
        for refused in ("lina", "chenjing", "zhangwei", "zhouyu", "wujun", "zhaomin"):
            sign_in(client, world[refused])
            assert client.post("/console/appeals/bulk-dispatch/", form).status_code == 403, refused
        appeal.refresh_from_db()
        assert appeal.status == Status.SUBMITTED and not appeal.events.filter(action="dispatch").exists()
        self.assert_permission_matrix(
            client,
            url="/console/appeals/bulk-dispatch/",
            method="post",
            multipart=True,
            data=form,
            in_scope=world["sunli"],
            no_role=nobody,
            ok=(302,),
            page=True,
        )
        appeal.refresh_from_db()
        assert appeal.status == Status.DISPATCHED and appeal.lead_unit == world.cg
        assert appeal.events.filter(action="dispatch").count() == 1

    def test_bulk_dispatch_goes_back_only_to_a_page_of_this_site(self, client, world):
        appeal = submit(world)
        sign_in(client, world["sunli"])
        r = client.post(
            "/console/appeals/bulk-dispatch/",
            {"ids": [appeal.pk], "unit": world.cg.code, "next": "https://evil.example/console/"},
        )
        assert r.status_code == 302 and r["Location"] == "/console/appeals/"
        r = client.post(
            "/console/appeals/bulk-dispatch/", {"ids": [], "next": "/console/appeals/?queue=to_sign"}
        )
        assert r["Location"] == "/console/appeals/?queue=to_sign"

    def test_console_action_permission_matrix(self, client, world, nobody):
        appeal = bring_to(world, submit(world), Status.DISPATCHED)
        self.assert_permission_matrix(
            client,
            url=f"/console/appeals/{appeal.pk}/supervise/",
            method="post",
            multipart=True,
            data={"note": "请尽快办理并答复"},
            in_scope=world["chenjing"],
            out_of_scope=world["wangqiang"],
            no_role=nobody,
            missing_url="/console/appeals/999999/supervise/",
            ok=(302,),
            page=True,
        )
        for refused in ("zhangwei", "zhouyu", "wujun", "zhaomin"):  # the requester acts on the portal only
            sign_in(client, world[refused])
            assert client.post(f"/console/appeals/{appeal.pk}/supervise/", {"note": "x"}).status_code == 403
        assert appeal.events.filter(action="supervise").count() == 1  # only the call in scope acted

    def test_console_dispatch_permission_matrix(self, client, world, nobody, nanshan_dispatcher):
        appeal = submit(world)
        self.assert_permission_matrix(
            client,
            url=f"/console/appeals/{appeal.pk}/dispatch/",
            method="post",
            multipart=True,
            data={"unit": world.cg.code},
            in_scope=world["sunli"],
            out_of_scope=nanshan_dispatcher,
            no_role=nobody,
            missing_url="/console/appeals/999999/dispatch/",
            ok=(302,),
            page=True,
        )
        appeal.refresh_from_db()
        assert appeal.status == Status.DISPATCHED and appeal.events.filter(action="dispatch").count() == 1


# --- the resident's own appeals -----------------------------------------------------------------------------------
class TestTheResidentsOwnAppeals(PermissionMatrixMixin):
    def test_my_list_permission_matrix(self, client, world, neighbour):
        mine = submit(world)
        self.assert_permission_matrix(
            client,
            url="/me/appeals/",
            in_scope=world["zhangwei"],
            page=True,
            sign_in_url="/accounts/resident/",
        )
        sign_in(client, world["zhangwei"])
        assert mine.number in client.get("/me/appeals/").content.decode()
        for other in (neighbour, world["lina"]):  # lina sees it in the console, but it is not hers
            sign_in(client, other)
            assert mine.number not in client.get("/me/appeals/").content.decode()

    def test_my_detail_permission_matrix(self, client, world, nobody, neighbour):
        mine = submit(world)
        self.assert_permission_matrix(
            client,
            url=f"/me/appeals/{mine.pk}/",
            in_scope=world["zhangwei"],
            out_of_scope=neighbour,
            no_role=nobody,
            missing_url="/me/appeals/999999/",
            page=True,
            sign_in_url="/accounts/resident/",
        )
        sign_in(client, world["lina"])  # staff who see the appeal read it in the console, not on his pages
        assert client.get(f"/me/appeals/{mine.pk}/").content == client.get("/me/appeals/999999/").content

    def test_my_rate_permission_matrix(self, client, world, nobody, neighbour):
        mine = bring_to(world, submit(world), Status.REPLIED)
        self.assert_permission_matrix(
            client,
            url=f"/me/appeals/{mine.pk}/rate/",
            method="post",
            multipart=True,
            data={"rating": "5", "comment": "很满意"},
            in_scope=world["zhangwei"],
            out_of_scope=neighbour,
            no_role=nobody,
            missing_url="/me/appeals/999999/rate/",
            ok=(302,),
            page=True,
            sign_in_url="/accounts/resident/",
        )
        mine.refresh_from_db()
        assert mine.status == Status.CLOSED and mine.rating == 5
        assert mine.events.filter(action="evaluate").count() == 1

    def test_another_resident_cannot_rate_before_the_requester(self, client, world, neighbour):
        mine = bring_to(world, submit(world), Status.REPLIED)
        sign_in(client, neighbour)
        assert client.post(f"/me/appeals/{mine.pk}/rate/", {"rating": "1"}).status_code == 404
        mine.refresh_from_db()
        assert mine.status == Status.REPLIED and mine.rating is None

    def test_the_api_detail_of_another_residents_appeal_is_404_like_a_missing_one(
        self, client, world, nobody, neighbour
    ):
        mine = submit(world)
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/appeals/{mine.pk}",
            in_scope=world["zhangwei"],
            out_of_scope=neighbour,
            no_role=nobody,
            missing_url="/api/v1/appeals/999999",
        )
        sign_in(client, neighbour)
        assert client.get("/api/v1/appeals", {"mine": "true"}).json()["count"] == 0
        assert client.get("/api/v1/appeals").json()["count"] == 0

    def test_the_api_rating_by_another_resident_is_404_like_a_missing_one(
        self, client, world, nobody, neighbour
    ):
        mine = bring_to(world, submit(world), Status.REPLIED)
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/appeals/{mine.pk}/actions/evaluate",
            method="post",
            data={"rating": 4},
            in_scope=world["zhangwei"],
            out_of_scope=neighbour,
            no_role=nobody,
            missing_url="/api/v1/appeals/999999/actions/evaluate",
        )
        mine.refresh_from_db()
        assert mine.rating == 4 and mine.events.filter(action="evaluate").count() == 1


# --- the portal's three intake steps ------------------------------------------------------------------------------
class TestPortalIntakePages(PermissionMatrixMixin):
    """Any signed-in person may report a problem (no role needed); anonymous visitors are sent to sign in."""

    @pytest.mark.parametrize(
        "url",
        [
            "/appeals/new/",
            "/appeals/new/suggest/?text=垃圾桶满了",
            "/appeals/new/areas/?district=440304",
        ],
    )
    def test_intake_pages_permission_matrix(self, client, world, url):
        self.assert_permission_matrix(
            client, url=url, in_scope=world["zhangwei"], page=True, sign_in_url="/accounts/resident/"
        )

    @pytest.mark.parametrize("step", ["/appeals/new/location/", "/appeals/new/confirm/"])
    def test_later_steps_permission_matrix(self, client, world, step):
        # Without a draft the later steps send the signed-in person back to the first: in scope, the view ran.
        self.assert_permission_matrix(
            client,
            url=step,
            in_scope=world["zhangwei"],
            ok=(302,),
            page=True,
            sign_in_url="/accounts/resident/",
        )
        sign_in(client, world["zhangwei"])
        assert client.get(step)["Location"] == "/appeals/new/"
        client.post("/appeals/new/", {"text": "楼下垃圾桶满了溢出来，苍蝇很多", "category": "sanitation"})
        assert client.get("/appeals/new/location/").status_code == 200

    def test_anonymous_posts_to_the_steps_create_nothing(self, client, world):
        for step in ("/appeals/new/", "/appeals/new/location/", "/appeals/new/confirm/"):
            r = client.post(step, {"text": "楼下垃圾桶满了溢出来，苍蝇很多", "go": "next"})
            assert r.status_code == 302 and r["Location"].startswith("/accounts/resident/")
        assert not Appeal.objects.exists()
