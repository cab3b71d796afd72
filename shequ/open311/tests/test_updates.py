"""servicerequestupdates (the FixMyStreet extension): public events as updates, and partners' comments."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from shequ.appeals.models import Event
from shequ.appeals.services import appeal_dispatch, appeal_reject, appeal_supervise
from shequ.audit.models import AuditEntry

from .conftest import BASE, as_json, as_xml

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded; charset=utf-8"


def post_update(client, fmt="json", headers=None, **fields):
    return client.post(
        BASE + f"servicerequestupdates.{fmt}",
        data=urlencode(fields),
        content_type=FORM,
        headers=headers or {},
    )


def test_public_events_are_listed_as_updates_oldest_first(client, cast, submit):
    appeal = submit()
    appeal_dispatch(actor=cast["sunli"], appeal=appeal, unit="440304-CG", note="派至城管局")
    appeal_supervise(actor=cast["sunli"], appeal=appeal, comment="内部督办，请加快")  # not public
    updates = as_json(client.get(BASE + "servicerequestupdates.json"))
    assert [u["status"] for u in updates] == ["open", "action_scheduled"]
    _, dispatched = updates
    event = Event.objects.get(appeal=appeal, action="dispatch")
    assert dispatched == {
        "update_id": str(event.pk),
        "service_request_id": appeal.number,
        "status": "action_scheduled",
        "description": "派至城管局",
        "updated_datetime": timezone.localtime(event.at).isoformat(timespec="seconds"),
        "media_url": None,
        "external_status_code": None,
    }
    assert "内部督办" not in client.get(BASE + "servicerequestupdates.xml").content.decode()


def test_updates_in_xml_are_request_update_elements(client, cast, submit):
    appeal = submit()
    appeal_reject(actor=cast["sunli"], appeal=appeal, reason="不属于本平台受理范围")
    root = as_xml(client.get(BASE + "servicerequestupdates.xml"))
    assert root.tag == "service_requests_updates"
    last = root.findall("request_update")[-1]
    assert last.findtext("service_request_id") == appeal.number
    assert last.findtext("status") == "not_councils_responsibility"
    assert last.findtext("description") == "不属于本平台受理范围"


def test_updates_are_selected_by_start_and_end_date(client, submit, back_in_time):
    with back_in_time(days=30):
        old = submit()
    new = submit()
    now = timezone.now()
    window = {"start_date": (now - timedelta(days=1)).isoformat(), "end_date": now.isoformat()}
    listed = {
        u["service_request_id"] for u in as_json(client.get(BASE + "servicerequestupdates.json", window))
    }
    assert listed == {new.number}
    window = {
        "start_date": (now - timedelta(days=31)).isoformat(),
        "end_date": (now - timedelta(days=29)).isoformat(),
    }
    listed = {
        u["service_request_id"] for u in as_json(client.get(BASE + "servicerequestupdates.json", window))
    }
    assert listed == {old.number}


def test_a_partner_update_is_a_public_comment_that_leaves_the_workflow_alone(
    client, partner, api_key, partner_submit
):
    key, _ = partner
    appeal = partner_submit()
    response = post_update(
        client,
        api_key=api_key,
        service_request_id=appeal.number,
        update_id="fms-update-9",
        updated_datetime="2026-11-28T10:00:00+08:00",
        status="FIXED",
        description="居民反馈垃圾已清运",
        external_status_code="C1",
    )
    assert response.status_code == 200
    (answer,) = as_json(response)
    event = Event.objects.get(pk=int(answer["update_id"]))
    assert (event.action, event.public, event.note) == ("partner_update", True, "居民反馈垃圾已清运")
    assert event.data["status"] == "fixed" and event.data["update_id"] == "fms-update-9"
    appeal.refresh_from_db()
    assert appeal.status == "submitted"
    assert event.from_status == event.to_status == "submitted"
    entry = AuditEntry.objects.get(action="appeal.partner_update")
    assert entry.actor_username == f"open311:{key.prefix}" and entry.object_repr == appeal.number
    listed = as_json(client.get(BASE + "servicerequestupdates.json"))[-1]
    assert listed["description"] == "居民反馈垃圾已清运"
    assert listed["status"] == "open"  # the request's own status: the partner's is not applied
    assert listed["external_status_code"] == "C1"
    (request,) = as_json(client.get(BASE + f"requests/{appeal.number}.json"))
    assert request["status_notes"] == "居民反馈垃圾已清运"


def test_a_partner_update_answers_in_xml_as_fixmystreet_reads_it(client, api_key, partner_submit):
    appeal = partner_submit()
    response = post_update(
        client, "xml", api_key=api_key, service_request_id=appeal.number, status="open", description="已转交"
    )
    root = as_xml(response)
    assert root.tag == "service_request_updates"
    assert root.find("request_update").findtext("update_id").isdigit()


def test_the_same_update_id_is_recorded_once(client, api_key, partner_submit):
    appeal = partner_submit()
    body = {
        "api_key": api_key,
        "service_request_id": appeal.number,
        "update_id": "u-1",
        "status": "in_progress",
        "description": "已派人处理",
    }
    first, again = post_update(client, **body), post_update(client, **body)
    assert as_json(first) == as_json(again)
    assert Event.objects.filter(action="partner_update").count() == 1


def test_the_same_idempotency_key_does_not_record_an_update_twice(client, api_key, partner_submit):
    appeal = partner_submit()
    body = {
        "api_key": api_key,
        "service_request_id": appeal.number,
        "status": "open",
        "description": "已受理",
    }
    headers = {"Idempotency-Key": "upd-5"}
    post_update(client, headers=headers, **body)
    again = post_update(client, headers=headers, **body)
    assert again["Idempotent-Replayed"] == "true"
    assert Event.objects.filter(action="partner_update").count() == 1


def test_a_partner_update_needs_a_key_a_known_request_a_status_and_a_description(
    client, api_key, partner_submit
):
    appeal = partner_submit()
    good = {
        "api_key": api_key,
        "service_request_id": appeal.number,
        "status": "open",
        "description": "已受理",
    }
    assert post_update(client, **{**good, "api_key": "wrong"}).status_code == 403
    assert post_update(client, **{**good, "service_request_id": "SQ19990101000001"}).status_code == 404
    response = post_update(client, **{**good, "status": "teleported", "description": ""})
    assert response.status_code == 400
    descriptions = " ".join(e["description"] for e in as_json(response))
    assert "teleported" in descriptions and "description is required" in descriptions
    response = post_update(client, **{**good, "media_url": "javascript:alert(1)"})
    assert response.status_code == 400
    assert not Event.objects.filter(action="partner_update").exists()


def test_the_update_feed_costs_the_same_queries_for_one_update_or_many(
    client, cast, submit, django_assert_max_num_queries
):
    submit()
    with django_assert_max_num_queries(5) as few:
        client.get(BASE + "servicerequestupdates.json")
    for _ in range(4):
        appeal_dispatch(actor=cast["sunli"], appeal=submit(), unit="440304-CG", note="派至城管局")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(as_json(client.get(BASE + "servicerequestupdates.json"))) == 9


# --- whose requests a key may comment on (issue 19) -------------------------------------------------------------
def test_a_partner_may_not_post_an_update_on_a_request_filed_elsewhere(client, api_key, submit):
    """A request filed on the portal (or by another partner) answers exactly as a missing one, and nothing is
    recorded."""
    portal = submit()
    missing = post_update(
        client, api_key=api_key, service_request_id="SQ19990101000001", status="open", description="已受理"
    )
    foreign = post_update(
        client, api_key=api_key, service_request_id=portal.number, status="open", description="已受理"
    )
    assert foreign.status_code == missing.status_code == 404
    (error,) = as_json(foreign)
    assert error == {"code": 404, "description": f"service_request_id {portal.number!r} not found"}
    assert not Event.objects.filter(action="partner_update").exists()
    assert not AuditEntry.objects.filter(action="appeal.partner_update").exists()


def test_a_partner_may_not_post_an_update_on_another_partners_request(client, api_key, partner_submit):
    from shequ.open311.keys import apikey_create

    other_key, other_raw = apikey_create(name="区政务 App", actor_username="os:test")
    theirs = partner_submit(key=other_key)
    refused = post_update(
        client, api_key=api_key, service_request_id=theirs.number, status="open", description="已受理"
    )
    assert refused.status_code == 404
    allowed = post_update(
        client, api_key=other_raw, service_request_id=theirs.number, status="open", description="已受理"
    )
    assert allowed.status_code == 200
    assert Event.objects.filter(action="partner_update").count() == 1


def test_the_service_itself_refuses_an_update_on_a_request_the_key_did_not_file(partner, submit):
    from shequ.core.errors import NotFound
    from shequ.open311.services import appeal_partner_update

    with pytest.raises(NotFound):
        appeal_partner_update(key=partner[0], appeal=submit(), status="open", description="已受理")
    assert not Event.objects.filter(action="partner_update").exists()


def test_requests_filed_before_the_ownership_table_are_recovered_from_the_audit_trail(
    partner, partner_submit
):
    import importlib

    from django.apps import apps

    from shequ.open311.models import PartnerRequest

    migration = importlib.import_module("shequ.open311.migrations.0002_partner_request")
    appeal = partner_submit()
    PartnerRequest.objects.all().delete()  # as before the migration
    migration.from_the_audit_trail(apps, None)
    (row,) = PartnerRequest.objects.all()
    assert (row.appeal_id, row.key_id) == (appeal.pk, partner[0].pk)
