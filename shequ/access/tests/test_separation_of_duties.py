"""三员分立 on the pages and endpoints: the system admin (zhouyu), the security admin (wujun) and the audit admin
(zhaomin) hold separate powers (shequ/accounts/roles.py) and none of them reads or acts on appeals or residents.

What exists is tested here: the audit trail and its export, the outbox, every staff list, detail and write of appeals
and residents, and Django's admin. Accounts and grants have no page or endpoint yet (services and commands only;
shequ/access/tests/test_grants.py tests those services); the grant decision is checked here at the service too.
"""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from shequ.access.scoping import can
from shequ.access.services import grant_create, grant_decide
from shequ.access.testing import sign_in
from shequ.accounts.models import Grant
from shequ.accounts.roles import Action, Role
from shequ.appeals.services import IntakeData, appeal_submit
from shequ.audit.models import AuditEntry
from shequ.geo.models import Area

pytestmark = pytest.mark.django_db

ADMINS = ("zhouyu", "wujun", "zhaomin")


@pytest.fixture
def things(cast, make_resident):
    community = (
        Area.objects.filter(parent__parent__code="440304", parent__name="华富街道").order_by("code").first()
    )
    appeal = appeal_submit(
        actor=cast["zhangwei"],
        requester=cast["zhangwei"],
        data=IntakeData(text="小区门口的垃圾桶三天没人清理了", channel="portal", area=community.code),
    )
    return {"appeal": appeal, "resident": make_resident(phone="13912345678")}


def _call(client, method: str, url: str, data=None):
    if method == "get":
        return client.get(url)
    if method == "json":
        return client.post(url, data or {}, content_type="application/json")
    return client.post(url, data or {})


# --- the audit trail: the audit admin's alone ---------------------------------------------------------------------
@pytest.mark.parametrize("username, expected", [("zhaomin", 200), ("zhouyu", 403), ("wujun", 403)])
def test_only_the_audit_admin_reads_and_exports_the_trail(client, cast, username, expected):
    sign_in(client, cast[username])
    assert client.get("/console/audit/").status_code == expected
    assert client.get("/console/audit/export/", {"format": "csv"}).status_code == expected
    assert ("/console/audit/" in client.get("/console/").content.decode()) == (expected == 200)


@pytest.mark.parametrize("username, expected", [("zhouyu", 200), ("wujun", 403), ("zhaomin", 403)])
def test_only_the_system_admin_reads_the_outbox(client, cast, username, expected):
    sign_in(client, cast[username])
    assert client.get("/console/outbox/").status_code == expected


# --- grants and accounts ------------------------------------------------------------------------------------------
def test_the_system_admin_may_request_a_grant_but_not_approve_it(cast, make_user):
    newcomer = make_user("newcomer")
    huafu = Area.objects.get(parent__code="440304", name="华富街道")
    grant = grant_create(actor=cast["zhouyu"], user=newcomer, role=Role.COMMUNITY_WORKER, area=huafu)
    assert grant.status == "pending"
    with pytest.raises(PermissionDenied):
        grant_decide(actor=cast["zhouyu"], grant=grant, approve=True)
    with pytest.raises(PermissionDenied):
        grant_decide(actor=cast["zhaomin"], grant=grant, approve=True)
    assert Grant.objects.get(pk=grant.pk).status == "pending"
    assert not AuditEntry.objects.filter(action="grant.approve").exists()
    grant_decide(actor=cast["wujun"], grant=grant, approve=True)
    assert Grant.objects.get(pk=grant.pk).status == "active"


def test_the_powers_over_accounts_grants_and_the_trail_are_split_three_ways(cast):
    powers = {
        Action.USERS_MANAGE: {"zhouyu"},
        Action.GRANTS_REQUEST: {"zhouyu"},
        Action.GRANTS_MANAGE: {"wujun"},
        Action.TOKENS_MANAGE: {"wujun"},
        Action.AUDIT_VIEW: {"zhaomin"},
        Action.AUDIT_EXPORT: {"zhaomin"},
    }
    for action, holders in powers.items():
        assert {u for u in ADMINS if can(cast[u], action)} == holders, action


# --- none of them reads or acts on appeals or residents -----------------------------------------------------------
STAFF_READS = [
    "/api/v1/appeals",
    "/api/v1/appeals/kpis",
    "/api/v1/appeals/rules",
    "/api/v1/residents",
    "/api/v1/residents/export",
    "/api/v1/warnings",
    "/api/v1/dispatch/models",
    "/console/appeals/",
    "/console/appeals/export/",
    "/console/residents/",
    "/console/residents/export/",
    "/console/residents/import/",
    "/console/warnings/",
    "/console/notices/",
    "/dashboard/",
    "/dashboard/export/",
]


@pytest.mark.parametrize("username", ADMINS)
def test_no_admin_reads_appeals_residents_kpis_or_warnings(client, cast, things, username):
    sign_in(client, cast[username])
    for url in STAFF_READS:
        assert client.get(url).status_code == 403, (username, url)
    appeal, resident = things["appeal"], things["resident"]
    assert client.get(f"/api/v1/appeals/{appeal.pk}").status_code == 404
    assert client.get(f"/api/v1/residents/{resident.pk}").status_code == 404
    assert client.get(f"/console/appeals/{appeal.pk}/").status_code == 403
    assert client.get(f"/me/appeals/{appeal.pk}/").status_code == 404
    page = client.get("/console/").content.decode()
    assert "/console/appeals/" not in page and "/console/residents/" not in page and "/dashboard/" not in page


def _writes(appeal, resident) -> list[tuple[str, str, dict, int]]:
    return [
        ("json", f"/api/v1/appeals/{appeal.pk}/actions/supervise", {"comment": "督办"}, 404),
        ("json", f"/api/v1/appeals/{appeal.pk}/actions/dispatch", {"unit": "440304-CG"}, 404),
        ("json", f"/api/v1/appeals/{appeal.pk}/actions/reject", {"reason": "无效"}, 404),
        ("form", f"/console/appeals/{appeal.pk}/supervise/", {"note": "督办"}, 403),
        ("form", f"/console/appeals/{appeal.pk}/dispatch/", {"unit": "440304-CG"}, 403),
        ("form", "/console/appeals/bulk-dispatch/", {"ids": [appeal.pk], "unit": "440304-CG"}, 403),
        ("form", f"/me/appeals/{appeal.pk}/rate/", {"rating": "1"}, 404),
        ("json", f"/api/v1/residents/{resident.pk}/reveal", {"fields": ["phone"], "purpose": "核查"}, 404),
        ("form", f"/console/residents/{resident.pk}/reveal/", {"fields": ["phone"], "purpose": "核查"}, 403),
        ("form", "/api/v1/residents/import", {}, 403),
        ("form", "/console/residents/import/", {}, 403),
        ("form", "/api/v1/appeals/rules/import", {}, 403),
        ("form", "/console/notices/", {"title": "通知", "body": "x", "area": "440304"}, 403),
    ]


@pytest.mark.parametrize("username", ADMINS)
def test_no_admin_acts_on_appeals_or_residents_and_nothing_changes(client, cast, things, username):
    appeal, resident = things["appeal"], things["resident"]
    events_before = list(appeal.events.values_list("action", flat=True))
    sign_in(client, cast[username])
    for method, url, data, expected in _writes(appeal, resident):
        if url.endswith("/import") or url.endswith("/import/"):
            data = {"file": _empty_xlsx()}
        assert _call(client, method, url, data).status_code == expected, (username, url)
    appeal.refresh_from_db()
    assert appeal.status == "submitted" and appeal.rating is None
    assert list(appeal.events.values_list("action", flat=True)) == events_before
    assert not AuditEntry.objects.filter(action="resident.reveal").exists()
    assert not AuditEntry.objects.filter(
        action__in=["residents.import", "rules.import", "notice.publish"]
    ).exists()


def _empty_xlsx():
    out = io.BytesIO()
    Workbook().save(out)
    return SimpleUploadedFile("x.xlsx", out.getvalue())


# --- Django's admin: operators only ---------------------------------------------------------------------------------
def test_nobody_of_the_cast_gets_into_the_operators_admin(client, cast):
    """The admin is for operators (is_staff accounts, Django's own check): anonymous visitors and every role of the
    platform, the three separated admins included, are sent to its login page and see nothing of the trail."""
    for url in ("/admin/", "/admin/audit/auditentry/", "/admin/auth/group/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/admin/login/"), url
    for username, user in cast.items():
        assert not user.is_staff and not user.is_superuser, username
        sign_in(client, user)
        for url in ("/admin/", "/admin/audit/auditentry/"):
            r = client.get(url)
            assert r.status_code == 302 and r["Location"].startswith("/admin/login/"), (username, url)
