"""POST requests: the api_key, the form, required attributes, errors, idempotency and what is kept private."""

from __future__ import annotations

import pytest

from shequ.appeals.models import Appeal
from shequ.audit.models import AuditEntry

from .conftest import BASE, as_json, as_xml, xml_errors

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded; charset=utf-8"


def post(client, fmt="json", headers=None, **fields):
    from urllib.parse import urlencode

    return client.post(
        BASE + f"requests.{fmt}", data=urlencode(fields, doseq=True), content_type=FORM, headers=headers or {}
    )


def fields(api_key, **extra):
    base = {
        "api_key": api_key,
        "service_code": "sanitation",
        "lat": "22.5431",
        "long": "114.0579",
        "description": "华富路人行道上垃圾堆积，已有异味",
    }
    return {**base, **extra}


def test_a_partner_submits_a_request_and_gets_its_number_back_at_once(client, api_key):
    response = post(client, **fields(api_key, account_id="fms-42"))
    assert response.status_code == 200
    (created,) = as_json(response)
    appeal = Appeal.objects.get(number=created["service_request_id"])
    assert created["account_id"] == "fms-42"
    assert "token" not in created and created["service_notice"]
    assert appeal.channel == "open311"
    assert appeal.category.code == "sanitation"
    assert appeal.text == "华富路人行道上垃圾堆积，已有异味"
    assert (appeal.lat, appeal.lng) == (22.5431, 114.0579)
    assert appeal.area.code == "440304"  # located in 福田区 by its boundary


def test_the_spec_example_form_with_a_jurisdiction_in_xml(client, api_key):
    response = post(
        client,
        "xml",
        **fields(
            api_key,
            jurisdiction_id="shenzhen.gov.cn",
            address_string="福田区华富街道 1234 号",
            email="someone@example.com",
            device_id="tt222111",
            account_id="123456",
            first_name="john",
            last_name="smith",
            media_url="http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg",
        ),
    )
    assert response.status_code == 200
    root = as_xml(response)
    assert root.tag == "service_requests"
    request = root.find("request")
    number = request.findtext("service_request_id")
    assert request.findtext("account_id") == "123456"
    appeal = Appeal.objects.get(number=number)
    assert appeal.contact_name == "john smith"
    assert appeal.address == "福田区华富街道 1234 号"
    assert appeal.attributes["media_url"].startswith("http://farm3")
    (shown,) = as_json(client.get(BASE + f"requests/{number}.json"))
    assert shown["media_url"] == "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg"


def test_an_address_id_is_an_area_code(client, api_key):
    response = post(client, **fields(api_key, lat="", long="", address_id="440305"))
    appeal = Appeal.objects.get(number=as_json(response)[0]["service_request_id"])
    assert appeal.area.code == "440305"


def test_without_an_api_key_nothing_is_created_and_the_answer_is_403(client, api_key):
    for key in ("", "nonsense", api_key + "x"):
        response = post(client, **fields(key))
        assert response.status_code == 403
        (error,) = as_json(response)
        assert error["code"] == 403 and "api_key" in error["description"]
    response = post(client, "xml", **fields(""))
    assert xml_errors(as_xml(response))[0][0] == "403"
    assert not Appeal.objects.exists()


def test_a_missing_required_attribute_is_a_400_that_names_it(client, api_key):
    response = post(client, **fields(api_key, service_code="elevator", description="3 栋电梯停在两层之间"))
    assert response.status_code == 400
    descriptions = [e["description"] for e in as_json(response)]
    assert any(d.startswith("attribute[people_trapped]") for d in descriptions)
    assert all(e["code"] == 400 for e in as_json(response))
    assert not Appeal.objects.exists()


def test_a_required_attribute_given_is_kept_with_the_appeal(client, api_key):
    response = post(
        client,
        **fields(
            api_key,
            service_code="elevator",
            description="3 栋电梯停在两层之间",
            **{"attribute[people_trapped]": "yes", "attribute[fixmystreet_id]": "99"},
        ),
    )
    assert response.status_code == 200
    appeal = Appeal.objects.get(number=as_json(response)[0]["service_request_id"])
    assert appeal.attributes == {"people_trapped": "yes"}


def test_a_value_outside_the_list_or_not_a_number_is_a_400(client, api_key):
    response = post(
        client,
        **fields(api_key, service_code="elevator", **{"attribute[people_trapped]": "maybe"}),
    )
    assert response.status_code == 400
    assert "attribute[people_trapped]: 'maybe' is not one of yes, no" in [
        e["description"] for e in as_json(response)
    ]
    response = post(client, **fields(api_key, service_code="wage_arrears", **{"attribute[workers]": "many"}))
    assert response.status_code == 400
    assert any("attribute[workers]" in e["description"] for e in as_json(response))


def test_every_problem_is_listed_at_once(client, api_key):
    response = post(
        client,
        **fields(api_key, service_code="elevator", lat="north", description="", phone="12345"),
    )
    assert response.status_code == 400
    named = {e["description"].split(":")[0].split(" ")[0] for e in as_json(response)}
    assert {"lat", "description", "attribute[people_trapped]", "phone"} <= named


def test_a_request_needs_a_location(client, api_key):
    response = post(client, **fields(api_key, lat="", long=""))
    assert response.status_code == 400
    assert "location" in as_json(response)[0]["description"]
    response = post(client, **fields(api_key, long=""))
    assert response.status_code == 400


def test_an_unknown_or_missing_service_code_is_404_or_400(client, api_key):
    response = post(client, **fields(api_key, service_code="no_such_service"))
    assert response.status_code == 404
    assert as_json(response) == [{"code": 404, "description": "service_code 'no_such_service' not found"}]
    response = post(client, **fields(api_key, service_code=""))
    assert response.status_code == 400
    assert as_json(response) == [{"code": 400, "description": "service_code is required"}]


def test_a_wrong_jurisdiction_is_a_404_before_the_key_is_looked_at(client, api_key):
    response = post(client, **fields("", jurisdiction_id="sfgov.org"))
    assert response.status_code == 404


def test_the_partner_is_recorded_in_the_audit_trail(client, partner, api_key):
    key, _ = partner
    number = as_json(post(client, **fields(api_key)))[0]["service_request_id"]
    entry = AuditEntry.objects.get(action="appeal.partner_submit")
    assert entry.actor_username == f"open311:{key.prefix}"
    assert entry.object_repr == number
    assert entry.channel == "api"
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_the_same_idempotency_key_does_not_create_twice(client, api_key):
    headers = {"Idempotency-Key": "fms-report-77"}
    first = post(client, headers=headers, **fields(api_key))
    again = post(client, headers=headers, **fields(api_key))
    assert first.status_code == again.status_code == 200
    assert as_json(again) == as_json(first)
    assert again["Idempotent-Replayed"] == "true"
    assert Appeal.objects.count() == 1
    other = post(client, headers={"Idempotency-Key": "fms-report-78"}, **fields(api_key))
    assert as_json(other) != as_json(first)
    assert Appeal.objects.count() == 2


def test_the_idempotency_key_is_scoped_to_the_api_key(client, api_key):
    from shequ.open311.keys import apikey_create

    _, other_key = apikey_create(name="District app", actor_username="os:test")
    headers = {"Idempotency-Key": "report-1"}
    post(client, headers=headers, **fields(api_key))
    post(client, headers=headers, **fields(other_key))
    assert Appeal.objects.count() == 2


def test_a_failed_request_can_be_retried_with_the_same_idempotency_key(client, api_key):
    headers = {"Idempotency-Key": "retry-me"}
    body = fields(api_key, service_code="elevator")
    assert post(client, headers=headers, **body).status_code == 400
    body["attribute[people_trapped]"] = "no"
    # A failure is not remembered (core.idempotency): the corrected retry goes through.
    assert post(client, headers=headers, **body).status_code == 200


# --- privacy ------------------------------------------------------------------------------------------------------
def test_the_name_and_phone_given_never_show_in_get_requests(client, api_key):
    response = post(
        client,
        **fields(api_key, first_name="伟", last_name="张", phone="13912345678", email="zw@example.com"),
    )
    number = as_json(response)[0]["service_request_id"]
    appeal = Appeal.objects.get(number=number)
    assert (appeal.contact_name, appeal.contact_phone) == ("张伟", "13912345678")
    pages = [
        client.get(BASE + "requests.json").content.decode(),
        client.get(BASE + "requests.xml").content.decode(),
        client.get(BASE + f"requests/{number}.json").content.decode(),
        client.get(BASE + f"requests/{number}.xml").content.decode(),
        client.get(BASE + "servicerequestupdates.json").content.decode(),
    ]
    for page in pages:
        assert number in page
        for personal in ("张伟", "13912345678", "139****5678", "5678", "zw@example.com"):
            assert personal not in page


def test_get_is_open_to_anyone_but_post_is_csrf_exempt_for_key_holders(api_key):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = post(strict, **fields(api_key))
    assert response.status_code == 200
