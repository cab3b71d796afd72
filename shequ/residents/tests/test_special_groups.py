"""Special-group membership (低保, 残疾, 独居老人 …) is PIPL sensitive personal information: on the residents'
pages, API and exports only those who serve these people in the area (care.groups_view) see it, and each showing
is audited. A street officer (王强, residents.view without care.groups_view) sees the residents, not the groups."""

import csv
import io

import pytest

from shequ.access.testing import sign_in
from shequ.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def yuehai_dibao(make_resident):
    return make_resident("440305", "粤海街道", tags=["dibao", "party_member"], name="粤海居民")


@pytest.fixture
def huafu_dibao(make_resident):
    return make_resident("440304", "华富街道", tags=["dibao", "party_member"], name="华富居民")


def _tags(client, pk):
    return [t["code"] for t in client.get(f"/api/v1/residents/{pk}").json()["tags"]]


def test_a_street_officer_sees_the_resident_but_not_the_special_group(client, cast, yuehai_dibao):
    sign_in(client, cast["wangqiang"])
    assert _tags(client, yuehai_dibao.pk) == ["party_member"]
    items = client.get("/api/v1/residents").json()["items"]
    assert [t["code"] for t in items[0]["tags"]] == ["party_member"]
    assert not AuditEntry.objects.filter(action="residents.groups_viewed").exists()


def test_filtering_by_a_special_group_finds_nobody_where_the_groups_are_not_visible(
    client, cast, yuehai_dibao
):
    sign_in(client, cast["wangqiang"])
    assert client.get("/api/v1/residents", {"tag": "party_member"}).json()["count"] == 1
    # Otherwise the filter itself would tell who is on 低保.
    assert client.get("/api/v1/residents", {"tag": "dibao"}).json()["count"] == 0


def test_the_community_worker_sees_the_group_and_the_showing_is_audited(client, cast, huafu_dibao):
    sign_in(client, cast["lina"])
    assert _tags(client, huafu_dibao.pk) == ["dibao", "party_member"]
    entry = AuditEntry.objects.get(action="residents.groups_viewed")
    assert entry.actor_username == "lina" and entry.changes == {"residents": [huafu_dibao.pk], "via": "api"}
    assert client.get("/api/v1/residents", {"tag": "dibao"}).json()["count"] == 1


def test_the_console_list_hides_the_groups_and_their_filter(client, cast, yuehai_dibao):
    sign_in(client, cast["wangqiang"])
    html = client.get("/console/residents/").content.decode()
    assert "粤海居民" in html and "党员" in html
    assert "低保" not in html  # neither the badge nor the filter's option


def test_the_console_list_shows_the_groups_to_those_who_serve_them_and_audits_it(client, cast, huafu_dibao):
    sign_in(client, cast["lina"])
    html = client.get("/console/residents/").content.decode()
    assert "华富居民" in html and "低保" in html
    entry = AuditEntry.objects.get(action="residents.groups_viewed")
    assert entry.changes == {"residents": [huafu_dibao.pk], "via": "console"}


def test_the_export_leaves_the_groups_out_for_a_street_officer(client, cast, yuehai_dibao):
    sign_in(client, cast["wangqiang"])
    response = client.get("/api/v1/residents/export", {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0].startswith("粤") and rows[1][-1] == "党员"
