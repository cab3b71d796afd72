"""The demo's participation: lists in several districts, a meeting with minutes whose decision became a project, a
topic with comments, all synthetic; a second run creates nothing."""

from __future__ import annotations

import pytest

from shequ.participation.demo import seed_participation
from shequ.participation.models import Meeting, Need, Project, Resource, Topic

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_lists_of_several_districts_once(cast, client):
    counts = seed_participation(seed=1)
    assert counts["needs"] >= 15 and counts["meetings"] >= 3
    districts = {n.area.path.split("/")[2] for n in Need.objects.select_related("area")}
    assert len(districts) >= 3
    assert all(n.synthetic for n in Need.objects.all()) and all(r.synthetic for r in Resource.objects.all())
    held = Meeting.objects.filter(status="held").first()
    assert held is not None and "到会居民代表" in held.minutes
    assert held.decisions.filter(outcome="project").exists()
    assert Topic.objects.first().comments.count() == 4
    assert Need.objects.filter(posted_by=cast["zhangwei"], status="matched").exists()
    before = (Need.objects.count(), Project.objects.count(), Meeting.objects.count())
    assert seed_participation(seed=1) == {k: 0 for k in counts}
    assert (Need.objects.count(), Project.objects.count(), Meeting.objects.count()) == before
    page = client.get("/participation/", {"area": held.area.code}).content.decode()
    assert "楼道需要加装扶手" in page and "居民议事会" in page
