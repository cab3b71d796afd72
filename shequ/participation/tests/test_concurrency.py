"""Eight community workers' clicks match one need to one resource at the same moment, each in its own thread and
connection: exactly one match, seven clear conflicts, one response time and one message to the resident
(PostgreSQL: the need's row lock and the unique (need, resource) decide)."""

from __future__ import annotations

import pytest
from django.db import connection

from shequ.core.testing import all_at_once
from shequ.messages.models import Message
from shequ.participation import services
from shequ.participation.models import Need, NeedMatch

from .helpers import cat, need

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the race is proven on PostgreSQL"),
]

N = 8


@pytest.fixture
def world(transactional_db):
    from shequ.accounts.models import User
    from shequ.demo.cast import ensure_cast
    from shequ.geo.citypack import load_city_pack
    from shequ.geo.models import Area

    if not Area.objects.exists():  # an earlier transactional test's flush emptied every table
        load_city_pack("shenzhen")
    cast = ensure_cast()
    street = Area.objects.get(parent__code="440304", name="华富街道")
    community = Area.objects.filter(parent=street, level="community").order_by("code").first()
    resident = User.objects.create(username="xiaoming", display_name="陈小明")
    posted = need(resident, community)
    resource = services.resource_add(
        actor=cast["lina"], area=community, category=cat(), kind="social_org", name="康宁社工"
    )
    yield cast["lina"], posted, resource, resident
    from shequ.audit.tests.tampering import wipe

    wipe()


def test_simultaneous_matches_of_one_need_to_one_resource_make_exactly_one(world):
    worker, posted, resource, resident = world
    outcomes = all_at_once(
        lambda: services.need_match(actor=worker, need=posted, resource=resource, reply="已对接康宁社工"),
        [()] * N,
        ok="matched",
    )
    assert outcomes.count("matched") == 1 and outcomes.count("conflict") == N - 1, outcomes
    assert NeedMatch.objects.filter(need=posted).count() == 1
    fresh = Need.objects.get(pk=posted.pk)
    assert fresh.responded_at is not None
    assert Message.objects.filter(person=resident, kind="participation.need").count() == 1
