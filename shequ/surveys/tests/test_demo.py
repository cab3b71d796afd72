"""The demo's surveys and credit lists: a satisfaction survey answered in every district with residents, an open
one of 华富街道 left for 张伟 to answer, last year's credit lists with an incentive and a risk entry."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shequ.credit.demo import seed_credit
from shequ.credit.models import ListEntry
from shequ.owners.demo import seed_owners
from shequ.owners.tests.factories import make_estate
from shequ.surveys.demo import seed_surveys
from shequ.surveys.models import Invitation, Response, Survey

from .factories import household_with_resident

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_surveys_with_answers_in_every_district_and_credit_lists(cast):
    huafu = make_estate("华富街道", "9901")
    yuehai = make_estate("粤海街道", "9902")
    household_with_resident(huafu, cast["zhangwei"])
    for estate in (huafu, yuehai):
        for _ in range(6):
            household_with_resident(estate)
    seed_owners(seed=1)

    assert seed_surveys(seed=1, users=cast) > 0
    city = Survey.objects.get(title__endswith="年度社区服务满意度调查")
    districts = {
        r.community.path.split("/")[2]
        for r in Response.objects.filter(survey=city).select_related("community")
    }
    assert districts == {"440304", "440305"} and city.synthetic and city.sampling == "stratified"
    elder = Survey.objects.get(title="华富街道长者助餐服务意见征集")
    zhang = Invitation.objects.get(survey=elder, household__members__user=cast["zhangwei"])
    assert not zhang.responded and elder.status == "open"

    assert seed_credit(seed=1, users=cast) >= 4
    year = timezone.localdate().year - 1
    standings = set(ListEntry.objects.filter(year=year).values_list("standing", flat=True))
    assert {"incentive", "risk"} <= standings
    risk = ListEntry.objects.filter(year=year, standing="risk", subject__kind="property_company").first()
    assert risk.evidence["inspections"] and risk.evidence["reasons"]
    assert seed_surveys(seed=1, users=cast) == 0 and seed_credit(seed=1, users=cast) == 0
