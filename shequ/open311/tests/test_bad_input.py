"""Bad input on /open311/ (issue 19): every answer, errors included, is a GeoReport error list in the format the URL
asks for (JSON for .json, XML otherwise), with a 4xx for the client's mistakes; and nothing is half-written."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from shequ.appeals.models import Appeal, Event
from shequ.open311 import conf

from .conftest import BASE, as_json, as_xml, xml_errors

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded; charset=utf-8"


@pytest.fixture
def client():
    # Errors must come back as answers, never as exceptions raised into the test.
    return Client(raise_request_exception=False)


def test_more_service_request_ids_than_the_cap_is_a_clear_400(client, submit):
    appeal = submit()
    within = ",".join([appeal.number] + [f"SQ19990101{i:06d}" for i in range(conf.MAX_LIST_ITEMS - 1)])
    assert [
        r["service_request_id"]
        for r in as_json(client.get(BASE + "requests.json", {"service_request_id": within}))
    ] == [appeal.number]
    beyond = ",".join(str(i) for i in range(5000))
    response = client.get(BASE + "requests.json", {"service_request_id": beyond})
    assert response.status_code == 400
    (error,) = as_json(response)
    assert error["code"] == 400 and f"at most {conf.MAX_LIST_ITEMS}" in error["description"]
    response = client.get(BASE + "requests.xml", {"service_request_id": beyond})
    assert response.status_code == 400 and xml_errors(as_xml(response))[0][0] == "400"


def test_more_service_codes_than_the_cap_is_a_clear_400(client):
    codes = ",".join(f"code{i}" for i in range(conf.MAX_LIST_ITEMS + 1))
    response = client.get(BASE + "requests.json", {"service_code": codes})
    assert response.status_code == 400 and "service_code" in as_json(response)[0]["description"]


def test_a_nul_character_in_a_query_is_a_400_in_the_format_asked_for(client):
    response = client.get(BASE + "requests.json", {"status": "open\x00"})
    assert response.status_code == 400
    assert as_json(response) == [{"code": 400, "description": "status: 不能包含空字符（NUL）"}]
    response = client.get(BASE + "services/sanitation\x00.xml")
    assert response.status_code == 400 and xml_errors(as_xml(response))[0][0] == "400"


def test_a_nul_character_in_a_posted_description_is_a_400_and_nothing_is_stored(client, api_key):
    body = {
        "api_key": api_key,
        "service_code": "sanitation",
        "address_id": "440304",
        "description": "小区门口垃圾\x00堆积三天没人清理",
    }
    response = client.post(BASE + "requests.json", data=urlencode(body), content_type=FORM)
    assert response.status_code == 400
    assert "description" in as_json(response)[0]["description"]
    assert not Appeal.objects.exists() and not Event.objects.exists()


def test_an_unknown_resource_is_a_404_error_list_in_json_or_xml(client):
    response = client.get(BASE + "nothing.json")
    assert response.status_code == 404 and as_json(response)[0]["code"] == 404
    response = client.get(BASE + "nothing/at/all.xml")
    assert response.status_code == 404 and xml_errors(as_xml(response))[0][0] == "404"
    response = client.get("/open311/")
    assert response.status_code == 404 and xml_errors(as_xml(response))[0][0] == "404"


def test_a_host_we_do_not_serve_is_a_400_error_list(client):
    response = client.get(BASE + "services.json", headers={"Host": "evil.example"})
    assert response.status_code == 400 and as_json(response)[0]["code"] == 400


def test_an_oversize_body_is_a_413_error_list_before_it_is_read(client, api_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = urlencode({"api_key": api_key, "service_code": "sanitation", "description": "长" * 1000})
    response = client.post(BASE + "requests.xml", data=body, content_type=FORM)
    assert response.status_code == 413 and xml_errors(as_xml(response))[0][0] == "413"
    assert not Appeal.objects.exists()
