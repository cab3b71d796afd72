"""Matching tells the matched volunteers (issue 24's open end): a new help request reaches the volunteers matched by
skill, service area and availability through the message centre, after the request is committed; a refused
request tells nobody."""

from __future__ import annotations

import pytest

from shequ.messages.models import Message
from shequ.timebank import services
from shequ.timebank.ledger import InsufficientCredits
from shequ.volunteers.tests.helpers import make_volunteer

from .helpers import hours_record

pytestmark = pytest.mark.django_db


def test_a_visit_request_tells_the_volunteer_who_cares_for_elders_and_not_the_requester(
    person, django_capture_on_commit_callbacks
):
    carer = make_volunteer(skills=["elder_care"])
    make_volunteer(skills=[])  # without the skill a visit asks for: not matched, not told
    mother = person("mother", display_name="王秀兰")
    services.timebank_earn_for_hours(hours_record(mother, 60))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request = services.help_request_create(
            actor=mother, kind="visit", description="陪我聊聊天", minutes=60
        )
    assert not Message.objects.filter(kind="timebank.help_matched").exists()  # nobody told before the commit
    for callback in callbacks:
        callback()
    told = list(Message.objects.filter(kind="timebank.help_matched"))
    assert [m.person_id for m in told] == [carer.user.pk]
    area = request.area.name
    assert told[0].title == f"{area}有居民需要帮助：上门探访聊天"
    assert (
        told[0].body == "陪我聊聊天" and "王秀兰" not in told[0].title and told[0].link == "/timebank/help/"
    )


def test_a_refused_request_tells_nobody(person, django_capture_on_commit_callbacks):
    make_volunteer(skills=["elder_care"])
    mother = person("mother")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InsufficientCredits):
        services.help_request_create(actor=mother, kind="visit", description="陪我聊聊天", minutes=60)
    assert not Message.objects.filter(kind="timebank.help_matched").exists()
