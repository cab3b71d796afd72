"""Credit: the yearly lists from evaluations (shequ/surveys), appeals and inspections, each entry with evidence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from shequ.audit.models import AuditEntry
from shequ.core.errors import ShequError
from shequ.credit.models import Inspection, ListEntry
from shequ.credit.services import credit_lists_compute, inspection_record, subject_create
from shequ.surveys.models import Participation, Response
from shequ.surveys.services import response_submit, survey_create, survey_publish
from shequ.surveys.tests.factories import household_with_resident

from .factories import huafu_officer, property_company, yuehai

pytestmark = pytest.mark.django_db

EVALUATION = [
    {"kind": "scale", "text": "您对物业服务企业的评价", "measure": "company"},
    {"kind": "scale", "text": "您对业主委员会的评价", "measure": "committee"},
]


def evaluate(actor, estate, year, scores, make_user):
    now = timezone.now()
    survey = survey_create(
        actor=actor,
        title=f"{year}年度物业服务评价",
        area=estate,
        kind="property_evaluation",
        year=year,
        questions=EVALUATION,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
    )
    users = []
    for i, _ in enumerate(scores):
        user = make_user(f"owner{i}")
        household_with_resident(estate, user)
        users.append(user)
    survey = survey_publish(actor=actor, survey=survey, seed=1, notify=False)
    for user, (company, committee) in zip(users, scores, strict=True):
        response_submit(user=user, survey=survey, answers={"1": company, "2": committee})
    return survey


def test_a_well_rated_company_is_on_the_incentive_list_with_its_evidence(cast, make_user):
    year = timezone.localdate().year
    officer = cast["wangqiang"]
    estate, company, manager = property_company(officer, year)
    evaluate(officer, estate, year, [(5, 4)] * 5, make_user)
    inspection_record(
        actor=officer, subject=company, inspected_on=timezone.localdate(), score=96, estate=estate
    )
    assert credit_lists_compute(actor=officer, year=year) == 2
    entry = ListEntry.objects.get(subject=company, year=year)
    assert (entry.standing, entry.level, float(entry.score)) == (
        "incentive",
        "A",
        round((100 * 50 + 96 * 20) / 70, 1),
    )
    ev = entry.evidence
    assert ev["evaluation"]["answers"] == 5 and ev["evaluation"]["estates"][0]["committee_score"] == 75.0
    assert ev["inspections"][0]["score"] == 96 and ev["appeals"]["received"] == 0
    assert ev["reasons"] == ["at_incentive"]
    assert ListEntry.objects.get(subject=manager).evidence["evaluation"]["answers"] == 5
    assert AuditEntry.objects.filter(action="credit.lists_compute").exists()


def test_a_serious_finding_puts_the_company_on_the_risk_list(cast):
    year = timezone.localdate().year
    officer = cast["wangqiang"]
    _estate, company, _ = property_company(officer, year)
    inspection_record(
        actor=officer,
        subject=company,
        inspected_on=timezone.localdate(),
        score=85,
        serious=True,
        finding="消防通道堵塞",
    )
    credit_lists_compute(actor=officer, year=year)
    entry = ListEntry.objects.get(subject=company, year=year)
    assert (entry.standing, entry.level, entry.evidence["reasons"]) == ("risk", "C", ["serious_finding"])
    assert entry.evidence["inspections"][0]["finding"] == "消防通道堵塞"


def test_a_domestic_company_is_rated_by_the_evaluations_that_name_it(cast, make_user):
    year = timezone.localdate().year
    officer = cast["wangqiang"]
    domestic = subject_create(actor=officer, kind="domestic_company", name="好帮手家政", area=yuehai())
    community = yuehai().children.filter(level="community").order_by("code").first()
    now = timezone.now()
    survey = survey_create(
        actor=officer,
        title="家政服务评价",
        area=community,
        kind="service_evaluation",
        subject=domestic.survey_subject,
        year=year,
        questions=[EVALUATION[0]],
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=3),
    )
    user = make_user("client")
    household_with_resident(community, user)
    survey = survey_publish(actor=officer, survey=survey, seed=1, notify=False)
    response_submit(user=user, survey=survey, answers={"1": 2})
    credit_lists_compute(actor=officer, year=year)
    entry = ListEntry.objects.get(subject=domestic)
    assert entry.evidence["evaluation"]["score"] == 25.0 and entry.standing == "risk"


def test_bad_inspections_are_refused_and_nothing_is_written(cast):
    year = timezone.localdate().year
    _, company, _ = property_company(cast["wangqiang"], year)
    for kwargs, field in (
        ({"score": 101}, "score"),
        ({"score": 50, "serious": True}, "finding"),
        ({"score": 50, "inspected_on": timezone.localdate() + timedelta(days=1)}, "inspected_on"),
    ):
        with pytest.raises(ShequError) as e:
            inspection_record(
                actor=cast["wangqiang"],
                subject=company,
                **{"inspected_on": timezone.localdate(), **kwargs},
            )
        assert field in e.value.fields
    assert not Inspection.objects.exists()


def test_an_officer_elsewhere_computes_nothing_of_another_street(cast):
    year = timezone.localdate().year
    _, company, _ = property_company(cast["wangqiang"], year)
    inspection_record(actor=cast["wangqiang"], subject=company, inspected_on=date(year, 1, 1), score=70)
    assert credit_lists_compute(actor=huafu_officer(), year=year) == 0
    assert not ListEntry.objects.exists()
    with pytest.raises(ShequError):
        credit_lists_compute(actor=cast["zhangwei"], year=year)
    assert Response.objects.count() == Participation.objects.count() == 0
