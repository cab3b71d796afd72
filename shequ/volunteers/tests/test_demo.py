"""The demo's volunteer service: 200 synthetic residents, a team, a station and a season in each of the 11 districts,
hours confirmed through the services; a second run makes nothing."""

from __future__ import annotations

import pytest

from shequ.accounts.models import User
from shequ.volunteers.choices import HoursStatus
from shequ.volunteers.demo import seed_volunteers
from shequ.volunteers.models import Activity, HoursRecord, Station, Team, TeamManager, Volunteer

pytestmark = pytest.mark.django_db


def test_the_demo_season_covers_every_district_and_is_synthetic(cast):
    counts = seed_volunteers(seed=1, weeks_back=2, weeks_ahead=1)
    assert counts["residents"] == 200
    assert User.objects.filter(username__regex=r"^resident\d{3}$").count() == 200
    assert Team.objects.filter(synthetic=True).count() == 11
    assert Station.objects.filter(synthetic=True).count() == 11
    districts = {t.area.path.split("/")[2] for t in Team.objects.select_related("area")}
    assert len(districts) == 11
    assert TeamManager.objects.filter(user__username="songyu", team__area__parent__name="华富街道").exists()
    assert Activity.objects.filter(synthetic=True).count() == 33
    assert not Volunteer.objects.filter(synthetic=False).exists()
    confirmed = list(
        HoursRecord.objects.filter(status=HoursStatus.CONFIRMED).values_list("minutes", flat=True)
    )
    assert confirmed and counts["hours"] == sum(m // 60 for m in confirmed)
    # A few recorded hours are left for the organisers to confirm in the demo.
    assert HoursRecord.objects.filter(status=HoursStatus.PENDING).exists()
    again = seed_volunteers(seed=1, weeks_back=2, weeks_ahead=1)
    assert again == {"residents": 0}
