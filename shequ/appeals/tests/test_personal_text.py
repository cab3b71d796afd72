"""What people type leaves masked (issue 19): the appeal's text, address, reply and contact name on the console and
portal pages, in the API, in Open311 (JSON and XML) and in exports, for every role; the original only through the
audited reveal, which a role without the reveal cannot use."""

from __future__ import annotations

import json

import pytest
from defusedxml.ElementTree import fromstring

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.appeals import services
from shequ.appeals.models import Appeal
from shequ.audit.models import AuditEntry
from shequ.core.masking import find_unmasked

from . import fixtures

clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db

ID_NUMBER = "440304199001012471"  # valid check digit
SPLIT_ID = "440304 19900101 2471"
DASHED = "139-87654321"
DOTTED = "139.1111.2222"
INVISIBLE = "１３９\u200b8765\u200c4321"  # full-width digits split by zero-width characters
ADDRESS_PHONE = "139-1234-5678"
TEXT = (
    f"楼道灯坏了一个月。我的身份证{ID_NUMBER}（也写作{SPLIT_ID}），电话{DASHED}，备用{DOTTED}，"
    f"微信{INVISIBLE}，邮箱zhangwei.home@example.com。"
)
ADDRESS = f"莲花一村5栋1201室 联系{ADDRESS_PHONE}"
RAW = [ID_NUMBER, SPLIT_ID, DASHED, DOTTED, INVISIBLE, ADDRESS_PHONE, "zhangwei.home@example.com", "张伟"]
MASKED = ["440304********2471", "139****4321", "139****2222", "139****5678", "z***@example.com"]


def assert_nothing_typed_leaks(text: str, *, shown: tuple[str, ...] = ()) -> None:
    assert find_unmasked(text) == []
    leaked = [raw for raw in RAW if raw in text and raw not in shown]
    assert not leaked, leaked
    missing = [m for m in MASKED if m not in text]
    assert not missing, missing


@pytest.fixture
def appeal(world) -> Appeal:
    """zhangwei's appeal with his ID number, phones and e-mail typed into it, dispatched to liuyang's department."""
    appeal = services.appeal_submit(
        actor=world["zhangwei"],
        requester=world["zhangwei"],
        data=services.IntakeData(
            text=TEXT,
            channel="portal",
            category="sanitation",
            area=world.huafu_community.code,
            address=ADDRESS,
            contact_phone="13800000001",
            contact_name="张伟",
        ),
    )
    return services.appeal_dispatch(actor=world["sunli"], appeal=appeal, unit=world.cg)


# --- pages --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("username", ["sunli", "liuyang", "lina"])
def test_the_console_appeal_page_shows_no_full_id_number_or_phone_for_the_dispatcher_handler_or_worker(
    client, world, appeal, username
):
    sign_in(client, world[username])
    page = client.get(f"/console/appeals/{appeal.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert_nothing_typed_leaks(body)
    assert "张*" in body  # the contact name


def test_the_console_list_masks_the_text_before_cutting_it_short(client, world):
    services.appeal_submit(
        actor=world["sunli"],
        data=services.IntakeData(
            text=f"电话{DASHED}，楼道灯坏了",
            channel="hotline",
            category="sanitation",
            area=world.huafu_community.code,
        ),
    )
    sign_in(client, world["sunli"])
    body = client.get("/console/appeals/", {"queue": "to_dispatch"}).content.decode()
    assert "139****4321" in body and DASHED not in body and find_unmasked(body) == []


def test_the_resident_sees_his_own_appeal_masked_too(client, world, appeal):
    sign_in(client, world["zhangwei"])
    body = client.get(f"/me/appeals/{appeal.pk}/").content.decode()
    assert_nothing_typed_leaks(body, shown=("张伟",))  # his own name greets him in the page's header
    listing = client.get("/me/appeals/").content.decode()
    assert find_unmasked(listing) == [] and ID_NUMBER[:12] not in listing


# --- API, Open311, export -----------------------------------------------------------------------------------------
def test_the_api_masks_text_address_and_contact_name_in_the_detail_and_the_list(client, world, appeal):
    sign_in(client, world["liuyang"])
    detail = client.get(f"/api/v1/appeals/{appeal.pk}").json()
    assert detail["contact_name"] == "张*"
    assert_nothing_typed_leaks(json.dumps(detail, ensure_ascii=False))
    listed = client.get("/api/v1/appeals", {"queue": "to_sign"}).json()["items"]
    assert [row["id"] for row in listed] == [appeal.pk]
    assert_nothing_typed_leaks(json.dumps(listed, ensure_ascii=False))


def test_open311_publishes_the_description_and_the_address_masked_in_json_and_xml(client, appeal):
    (request,) = client.get(f"/open311/v2/requests/{appeal.number}.json").json()
    assert request["address"] == "莲花一村5栋1201室 联系139****5678"
    assert_nothing_typed_leaks(request["description"] + " " + request["address"])
    xml = client.get(f"/open311/v2/requests/{appeal.number}.xml").content.decode()
    root = fromstring(xml.encode())
    assert root.findtext("request/address") == request["address"]
    assert root.findtext("request/description") == request["description"]
    assert find_unmasked(xml) == [] and ADDRESS_PHONE not in xml and DASHED not in xml


def test_the_console_export_masks_what_was_typed(client, world, appeal):
    sign_in(client, world["sunli"])
    export = client.get("/console/appeals/export/", {"queue": "", "format": "csv"})
    assert export.status_code == 200
    body = export.content.decode("utf-8-sig")
    assert find_unmasked(body) == []
    assert "440304********2471" in body and "139****4321" in body
    assert not any(raw in body for raw in (ID_NUMBER, SPLIT_ID, DASHED, DOTTED, INVISIBLE))


def test_an_export_cell_with_free_text_is_masked_whoever_forgot_it():
    from shequ.core.exports import safe_cell, to_csv

    assert safe_cell(f"回访 {DASHED}") == "回访 139****4321"
    assert find_unmasked(to_csv(["note"], [[f"电话{DOTTED}"], [SPLIT_ID]]).decode("utf-8-sig")) == []


# --- the audited reveal -------------------------------------------------------------------------------------------
def reveal(client, appeal: Appeal, purpose: str = "回电核实情况", fields=None):
    body = {"purpose": purpose, **({"fields": fields} if fields is not None else {})}
    return client.post(f"/api/v1/appeals/{appeal.pk}/reveal", body, content_type="application/json")


def test_the_handler_reveals_what_the_resident_typed_with_a_purpose_and_the_reveal_is_audited(
    client, world, appeal
):
    sign_in(client, world["liuyang"])
    r = reveal(client, appeal)
    assert r.status_code == 200 and r["X-Shequ-Reveal"] == "audited" and r["Cache-Control"] == "no-store"
    values = r.json()["values"]
    assert values == {
        "text": TEXT,
        "address": ADDRESS,
        "contact_name": "张伟",
        "contact_phone": "13800000001",
    }
    entry = AuditEntry.objects.get(action="appeal.reveal", object_id=str(appeal.pk))
    assert (entry.actor_username, entry.purpose) == ("liuyang", "回电核实情况")
    assert set(entry.changes) == {"text", "address", "contact_name", "contact_phone"}


def test_a_reveal_needs_a_purpose_and_known_fields(client, world, appeal):
    sign_in(client, world["sunli"])
    assert reveal(client, appeal, purpose=" ").status_code == 400
    assert reveal(client, appeal, fields=["id_number"]).status_code == 400
    assert reveal(client, appeal, fields=["text"]).json()["values"] == {"text": TEXT}


def test_a_number_typed_into_the_purpose_is_not_kept_in_the_audit_trail(client, world, appeal):
    sign_in(client, world["lina"])
    assert reveal(client, appeal, purpose=f"回拨 {DASHED}").status_code == 200
    assert AuditEntry.objects.get(action="appeal.reveal").purpose == "回拨 139****4321"


def test_a_city_administrator_sees_the_appeal_masked_but_may_not_reveal_it(client, world, appeal):
    chenjing = world["chenjing"]
    sign_in(client, chenjing)
    page = client.get(f"/console/appeals/{appeal.pk}/").content.decode()
    assert_nothing_typed_leaks(page)
    assert "/reveal/" not in page  # no button for a power the role does not have
    assert reveal(client, appeal).status_code == 403
    assert (
        client.post(f"/console/appeals/{appeal.pk}/reveal/", {"purpose": "回电核实情况"}).status_code == 403
    )
    assert not AuditEntry.objects.filter(action="appeal.reveal").exists()
    assert AuditEntry.objects.filter(action="appeal.reveal_refused", actor_username="chenjing").exists()


def test_the_resident_cannot_reveal_even_his_own_appeal(client, world, appeal):
    sign_in(client, world["zhangwei"])
    assert reveal(client, appeal).status_code == 403


def test_the_console_reveal_shows_the_original_in_a_fragment(client, world, appeal):
    sign_in(client, world["lina"])
    page = client.get(f"/console/appeals/{appeal.pk}/").content.decode()
    assert f"/console/appeals/{appeal.pk}/reveal/" in page
    r = client.post(
        f"/console/appeals/{appeal.pk}/reveal/",
        {"purpose": "电话回访居民", "fields": ["text", "contact_phone"]},
    )
    assert r.status_code == 200 and r["X-Shequ-Reveal"] == "audited"
    body = r.content.decode()
    assert DASHED in body and "13800000001" in body and "<html" not in body
    missing = client.post(f"/console/appeals/{appeal.pk}/reveal/", {"purpose": ""})
    assert missing.status_code == 400


class TestRevealEndpoints(PermissionMatrixMixin):
    def test_api_reveal_permission_matrix(self, client, world, appeal, make_user):
        self.assert_permission_matrix(
            client,
            method="post",
            url=f"/api/v1/appeals/{appeal.pk}/reveal",
            data={"fields": ["text"], "purpose": "回电核实情况"},
            in_scope=world["lina"],
            out_of_scope=world["wangqiang"],
            no_role=make_user("nobody"),
            missing_url="/api/v1/appeals/999999/reveal",
        )
        reveals = AuditEntry.objects.filter(action="appeal.reveal", object_id=str(appeal.pk))
        assert list(reveals.values_list("actor_username", flat=True)) == ["lina"]  # only the call in scope

    def test_console_reveal_permission_matrix(self, client, world, appeal, make_user):
        self.assert_permission_matrix(
            client,
            method="post",
            multipart=True,
            url=f"/console/appeals/{appeal.pk}/reveal/",
            data={"fields": ["text"], "purpose": "回电核实情况"},
            in_scope=world["lina"],
            out_of_scope=world["wangqiang"],
            no_role=make_user("nobody"),
            missing_url="/console/appeals/999999/reveal/",
            page=True,
        )
        for refused in ("chenjing", "zhangwei", "zhouyu", "wujun", "zhaomin"):  # no reveal power: 403
            sign_in(client, world[refused])
            r = client.post(f"/console/appeals/{appeal.pk}/reveal/", {"purpose": "回电核实情况"})
            assert r.status_code == 403, refused
        reveals = AuditEntry.objects.filter(action="appeal.reveal", object_id=str(appeal.pk))
        assert list(reveals.values_list("actor_username", flat=True)) == ["lina"]
