"""信用公示: the year's incentive and risk lists, public. A project manager is a person: masked on the public page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shequ.credit.services import credit_lists_compute, inspection_record

from .factories import property_company

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(cast):
    year = timezone.localdate().year
    _, company, manager = property_company(cast["wangqiang"], year)
    for subject in (company, manager):
        inspection_record(
            actor=cast["wangqiang"],
            subject=subject,
            inspected_on=timezone.localdate(),
            score=40,
            serious=True,
            finding="消防通道长期堵塞",
        )
    credit_lists_compute(actor=cast["wangqiang"], year=year)
    return year


def test_anyone_reads_the_risk_list_with_the_managers_name_masked(client, year):
    response = client.get("/credit/", {"year": year})
    assert response.status_code == 200
    html = response.content.decode()
    assert "风险名单" in html
    risk = html[html.index('id="list-risk"') :]
    assert "深圳市安居物业服务有限公司" in risk and "粤海街道" in risk
    assert "刘经理" not in html and "刘" in risk  # the manager is listed, masked
    assert "消防通道长期堵塞" not in html  # the evidence stays in the console


def test_the_district_filter_narrows_the_lists(client, year):
    assert (
        "深圳市安居物业服务有限公司"
        in client.get("/credit/", {"year": year, "district": "440305"}).content.decode()
    )
    assert (
        "深圳市安居物业服务有限公司"
        not in client.get("/credit/", {"year": year, "district": "440304"}).content.decode()
    )
    assert client.get("/credit/", {"district": "999999"}).status_code == 404
    assert client.get("/credit/", {"year": "soon"}).status_code == 404


def test_the_page_is_read_only(client, year):
    assert client.post("/credit/").status_code == 405
