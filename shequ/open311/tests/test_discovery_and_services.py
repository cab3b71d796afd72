"""Service discovery, the service list and service definitions, in JSON and XML (GeoReport v2 §1.2, #1, #2)."""

from __future__ import annotations

import pytest

from .conftest import BASE, as_json, as_xml, xml_errors

pytestmark = pytest.mark.django_db


def test_discovery_lists_this_endpoint_with_both_formats_in_json(client):
    doc = as_json(client.get(BASE + "discovery.json"))
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(doc)
    (endpoint,) = doc["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["type"] in ("production", "test")
    assert endpoint["formats"] == ["text/xml", "application/json"]


def test_discovery_in_xml_has_the_same_fields_with_format_elements(client):
    root = as_xml(client.get(BASE + "discovery.xml"))
    assert root.tag == "discovery"
    assert root.findtext("changeset") and root.findtext("key_service")
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def test_services_are_the_active_second_level_categories_with_their_group(client):
    services = as_json(client.get(BASE + "services.json"))
    by_code = {s["service_code"]: s for s in services}
    assert "city_management" not in by_code  # a group, not a service
    sanitation = by_code["sanitation"]
    assert sanitation == {
        "service_code": "sanitation",
        "service_name": "环境卫生",
        "description": sanitation["description"],
        "metadata": False,
        "type": "realtime",
        "keywords": "垃圾,清扫,保洁,垃圾桶",
        "group": "城市管理",
    }
    assert by_code["elevator"]["metadata"] is True
    assert all(isinstance(s["service_code"], str) for s in services)


def test_an_inactive_category_is_not_a_service(client):
    from shequ.appeals.models import Category

    Category.objects.filter(code="greening").update(is_active=False)
    codes = [s["service_code"] for s in as_json(client.get(BASE + "services.json"))]
    assert "greening" not in codes and "sanitation" in codes


def test_services_in_xml_are_service_elements_with_metadata_as_true_or_false(client):
    root = as_xml(client.get(BASE + "services.xml"))
    assert root.tag == "services"
    elevator = next(s for s in root.findall("service") if s.findtext("service_code") == "elevator")
    assert elevator.findtext("metadata") == "true"
    assert elevator.findtext("type") == "realtime"
    assert elevator.findtext("group") == "住房和物业"


def test_a_service_definition_lists_its_attributes_with_order_variable_datatype_and_values(client):
    doc = as_json(client.get(BASE + "services/elevator.json"))
    assert doc["service_code"] == "elevator"
    (attribute,) = doc["attributes"]
    assert attribute == {
        "variable": True,
        "code": "people_trapped",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": "",
        "order": 1,
        "description": "是否有人被困",
        "values": [{"key": "yes", "name": "有人被困"}, {"key": "no", "name": "无人被困"}],
    }


def test_a_service_definition_in_xml_nests_attribute_and_value_elements(client):
    root = as_xml(client.get(BASE + "services/wage_arrears.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "wage_arrears"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["workers", "employer"]
    assert [a.findtext("order") for a in attributes] == ["1", "2"]
    assert [a.findtext("required") for a in attributes] == ["true", "false"]
    elevator = as_xml(client.get(BASE + "services/elevator.xml"))
    values = elevator.findall("attributes/attribute/values/value")
    assert [(v.findtext("key"), v.findtext("name")) for v in values] == [
        ("yes", "有人被困"),
        ("no", "无人被困"),
    ]


def test_a_service_without_attributes_has_an_empty_definition(client):
    assert as_json(client.get(BASE + "services/sanitation.json")) == {
        "service_code": "sanitation",
        "attributes": [],
    }


@pytest.mark.parametrize("code", ["no_such_service", "city_management"])
def test_an_unknown_service_definition_is_a_404_in_the_spec_error_format(client, code):
    response = client.get(BASE + f"services/{code}.json")
    assert response.status_code == 404
    assert as_json(response) == [{"code": 404, "description": f"service_code '{code}' not found"}]
    response = client.get(BASE + f"services/{code}.xml")
    assert response.status_code == 404
    assert xml_errors(as_xml(response)) == [("404", f"service_code '{code}' not found")]


def test_an_unknown_format_is_a_404_answered_in_xml(client):
    response = client.get(BASE + "services.csv")
    assert response.status_code == 404
    assert xml_errors(as_xml(response))[0][0] == "404"


def test_a_matching_jurisdiction_id_is_accepted_and_another_is_a_404(client):
    assert client.get(BASE + "services.json", {"jurisdiction_id": "shenzhen.gov.cn"}).status_code == 200
    assert client.get(BASE + "services.json", {"jurisdiction_id": ""}).status_code == 200
    response = client.get(BASE + "services.json", {"jurisdiction_id": "sfgov.org"})
    assert response.status_code == 404
    assert "jurisdiction_id" in as_json(response)[0]["description"]


def test_the_configured_jurisdiction_is_the_one_accepted(client, settings):
    settings.SHEQU_OPEN311_JURISDICTION = "futian.gov.cn"
    assert client.get(BASE + "services.json", {"jurisdiction_id": "futian.gov.cn"}).status_code == 200
    assert client.get(BASE + "services.json", {"jurisdiction_id": "shenzhen.gov.cn"}).status_code == 404


def test_a_delete_is_not_allowed_and_says_so_in_the_error_format(client):
    response = client.delete(BASE + "services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert as_json(response)[0]["code"] == 405


def test_the_service_list_is_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(as_json(client.get(BASE + "services.json"))) > 40
