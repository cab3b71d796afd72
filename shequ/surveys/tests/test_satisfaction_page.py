"""满意度 per community in the console: surveys' satisfaction beside appeals' 好差评, scoped to one's areas."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.utils import timezone

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.models import User
from shequ.surveys import services

from .factories import GOOD, communities, household_with_resident, make_survey, street

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(cast):
    from shequ.appeals.models import KpiAreaDaily

    household_with_resident(communities()[0], cast["zhangwei"])
    survey = make_survey(cast["lina"])
    services.response_submit(user=cast["zhangwei"], survey=survey, answers=GOOD)  # 5 of 5 → 100
    first = communities()[0]
    KpiAreaDaily.objects.create(
        day=timezone.localdate(), area=first, area_path=first.path, rated=3, satisfied=0
    )
    return first


class TestSatisfactionPage(PermissionMatrixMixin):
    def test_permission_matrix(self, client, cast, answered):
        self.assert_permission_matrix(
            client,
            url=f"/console/surveys/satisfaction/?area={street().code}",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=User.objects.create(username="nobody"),
            page=True,
        )


def test_the_page_shows_both_sources_and_their_weighted_combination(client, cast, answered):
    sign_in(client, cast["lina"])
    html = client.get("/console/surveys/satisfaction/").content.decode()
    row = html[html.index(f">{answered.name}</th>") :].split("</tr>")[0]
    # survey 100 (1 answer), appeals 0 % satisfied (3 rated), combined (100 × 1 + 0 × 3) / 4 = 25
    cells = [re.sub(r"<[^>]+>", "", c.split("</td>")[0]) for c in re.split(r"<td[^>]*>", row)[1:]]
    assert cells == ["100.0", "1", "0.0", "3", "25.0"]


def test_the_export_holds_the_same_rows(client, cast, answered):
    sign_in(client, cast["lina"])
    response = client.get("/console/surveys/satisfaction/", {"export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    mine = next(r for r in rows if r[0] == answered.name)
    assert mine[1:] == ["100.0", "1", "0.0", "3", "25.0"]


def test_bad_periods_and_areas_are_404(client, cast, answered):
    sign_in(client, cast["lina"])
    url = "/console/surveys/satisfaction/"
    assert client.get(url, {"since": "2026-13-01"}).status_code == 404
    assert client.get(url, {"since": "2026-06-01", "until": "2026-01-01"}).status_code == 404
    assert client.get(url, {"area": "440305"}).status_code == 404  # 南山区: outside 李娜's scope
    assert client.get(url, {"area": "nowhere"}).status_code == 404
