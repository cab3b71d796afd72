"""The console's companies and managers: add one, record an inspection, link an estate; refusals keep what was
typed and write nothing; everything scoped to one's areas."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.audit.models import AuditEntry
from shequ.credit.models import Inspection, Subject
from shequ.geo.models import Area

from .factories import huafu_officer, property_company, yuehai

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(cast):
    _, company, _ = property_company(cast["wangqiang"], timezone.localdate().year)
    return company


class TestSubjectPages(PermissionMatrixMixin):
    def test_list_permission_matrix(self, client, cast, company):
        self.assert_permission_matrix(
            client,
            url="/console/credit/subjects/",
            in_scope=cast["wangqiang"],
            no_role=cast["lina"],
            page=True,
        )

    def test_detail_permission_matrix(self, client, cast, company):
        self.assert_permission_matrix(
            client,
            url=f"/console/credit/subjects/{company.pk}/",
            in_scope=cast["wangqiang"],
            out_of_scope=huafu_officer(),
            no_role=cast["lina"],
            page=True,
            missing_url="/console/credit/subjects/999999/",
        )


def test_an_officer_adds_a_domestic_service_company(client, cast, company):
    sign_in(client, cast["wangqiang"])
    page = client.get("/console/credit/subjects/").content.decode()
    assert "深圳市安居物业服务有限公司" in page and "刘经理" in page
    response = client.post(
        "/console/credit/subjects/",
        {
            "kind": "domestic_company",
            "name": "粤海家政服务有限公司",
            "credit_code": "",
            "area": yuehai().code,
        },
    )
    added = Subject.objects.get(name="粤海家政服务有限公司")
    assert response.status_code == 302 and response["Location"] == f"/console/credit/subjects/{added.pk}/"
    assert added.area == yuehai() and AuditEntry.objects.filter(action="credit.subject_create").count() == 3


def test_a_manager_without_a_company_is_refused_and_keeps_what_was_typed(client, cast, company):
    sign_in(client, cast["wangqiang"])
    response = client.post(
        "/console/credit/subjects/",
        {
            "kind": "project_manager",
            "name": "张经理",
            "credit_code": "",
            "area": yuehai().code,
            "company": "",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "项目经理须隶属于一家物业服务企业" in html
    assert 'value="张经理"' in html and not Subject.objects.filter(name="张经理").exists()


def test_an_area_outside_ones_scope_is_not_offered(client, cast, company):
    sign_in(client, cast["wangqiang"])
    response = client.post(
        "/console/credit/subjects/", {"kind": "domestic_company", "name": "福田家政", "area": "440304"}
    )
    assert response.status_code == 400 and not Subject.objects.filter(name="福田家政").exists()


def test_an_inspection_is_recorded_and_a_serious_one_needs_its_finding(client, cast, company):
    sign_in(client, cast["wangqiang"])
    url = f"/console/credit/subjects/{company.pk}/"
    today = timezone.localdate().isoformat()
    refused = client.post(
        url, {"do": "inspect", "inspected_on": today, "score": "45", "serious": "on", "finding": ""}
    )
    assert refused.status_code == 400 and not Inspection.objects.exists()
    assert 'value="45"' in refused.content.decode()
    done = client.post(
        url,
        {"do": "inspect", "inspected_on": today, "score": "45", "serious": "on", "finding": "消防通道堵塞"},
    )
    assert done.status_code == 302
    inspection = Inspection.objects.get()
    assert (inspection.score, inspection.serious, inspection.recorded_by) == (45, True, cast["wangqiang"])
    assert "消防通道堵塞" in client.get(url).content.decode()
    assert client.post(url, {"do": "inspect", "inspected_on": today, "score": "101"}).status_code == 400
    assert Inspection.objects.count() == 1


def test_an_estate_is_linked_from_its_own_form_with_an_iso_date_and_ids_unique_on_the_page(
    client, cast, company
):
    from shequ.credit.models import EstateService

    sign_in(client, cast["wangqiang"])
    url = f"/console/credit/subjects/{company.pk}/"
    page = client.get(url).content.decode()
    # The date inputs carry ISO dates (a browser's date input reads nothing else) and the two forms' fields have
    # their own ids (both forms have an estate).
    assert f'value="{timezone.localdate().isoformat()}"' in page
    assert page.count('id="id_estate"') == 1 and page.count('id="id_serve-estate"') == 1
    estate = EstateService.objects.filter(subject=company).first().estate
    before = EstateService.objects.filter(subject=company).count()
    r = client.post(url, {"do": "estate", "serve-estate": estate.code, "serve-since": "2026-13-01"})
    assert r.status_code == 400 and 'id="id_serve-since_error"' in r.content.decode()
    assert EstateService.objects.filter(subject=company).count() == before
    r = client.post(url, {"do": "estate", "serve-estate": estate.code, "serve-since": "2026-01-01"})
    assert r.status_code == 302
    assert EstateService.objects.filter(subject=company, since="2026-01-01").count() == 1
    assert AuditEntry.objects.filter(action="credit.estate_service_add").exists()


class TestSubjectEdit(PermissionMatrixMixin):
    def test_edit_permission_matrix(self, client, cast, company):
        url = f"/console/credit/subjects/{company.pk}/edit/"
        outsider = huafu_officer()
        self.assert_permission_matrix(
            client,
            url=url,
            in_scope=cast["wangqiang"],
            out_of_scope=outsider,
            no_role=cast["lina"],
            missing_url="/console/credit/subjects/999999/edit/",
            page=True,
        )
        self.assert_permission_matrix(
            client,
            url=url,
            method="post",
            multipart=True,
            data={"name": company.name, "credit_code": "", "area": yuehai().code},
            in_scope=cast["wangqiang"],
            out_of_scope=outsider,
            no_role=cast["lina"],
            ok=(302,),
            page=True,
        )


def test_a_company_is_renamed_with_its_code_and_a_bad_code_changes_nothing(client, cast, company):
    sign_in(client, cast["wangqiang"])
    url = f"/console/credit/subjects/{company.pk}/edit/"
    page = client.get(url).content.decode()
    assert 'value="深圳市安居物业服务有限公司"' in page and 'name="company"' not in page  # a company has none
    assert f'href="{url}"' in client.get(f"/console/credit/subjects/{company.pk}/").content.decode()
    bad = {"name": "深圳市安居物业服务集团有限公司", "credit_code": "91440300MA5F", "area": yuehai().code}
    r = client.post(url, bad)
    assert r.status_code == 400 and 'id="id_credit_code_error"' in r.content.decode()
    assert 'value="深圳市安居物业服务集团有限公司"' in r.content.decode()
    company.refresh_from_db()
    assert company.name == "深圳市安居物业服务有限公司"
    r = client.post(url, {**bad, "credit_code": "91440300ma5f12345x"})
    assert r.status_code == 302
    company.refresh_from_db()
    assert (company.name, company.credit_code) == ("深圳市安居物业服务集团有限公司", "91440300MA5F12345X")
    entry = AuditEntry.objects.get(action="credit.subject_update", object_id=str(company.pk))
    assert set(entry.changes) == {"name", "credit_code"}


def test_a_manager_moves_to_another_company_of_ones_areas_only(client, cast, company):
    from shequ.credit.services import subject_create

    officer = cast["wangqiang"]
    manager = Subject.objects.get(kind="project_manager", company=company)
    other = subject_create(actor=officer, kind="property_company", name="粤海物业", area=yuehai())
    elsewhere = subject_create(
        actor=huafu_officer(),
        kind="property_company",
        name="华富物业",
        area=Area.objects.get(name="华富街道"),
    )
    sign_in(client, officer)
    url = f"/console/credit/subjects/{manager.pk}/edit/"
    page = client.get(url).content.decode()
    assert "粤海物业" in page and "华富物业" not in page
    data = {"name": "刘经理", "credit_code": "", "area": yuehai().code, "company": str(elsewhere.pk)}
    r = client.post(url, data)
    assert r.status_code == 400  # not among his choices
    r = client.post(url, {**data, "company": str(other.pk)})
    assert r.status_code == 302
    manager.refresh_from_db()
    assert manager.company == other
