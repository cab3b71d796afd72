"""The nightly expiry runs through Celery beat (issue 24: expiry is a switch, off by default, but when on it runs)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from shequ.audit.models import AuditEntry
from shequ.timebank import ledger
from shequ.timebank.models import TimebankRule
from shequ.timebank.tasks import expire

from . import test_services as ts
from .helpers import hours_record

pytestmark = pytest.mark.django_db


def test_the_nightly_expiry_is_on_the_beat_schedule_under_its_registered_task():
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["timebank.expire"]
    assert entry["task"] == "timebank.expire" and entry["task"] in app.tasks
    assert isinstance(entry["schedule"], crontab) and entry["schedule"].hour == {3}


def test_the_task_expires_nothing_while_the_switch_is_off_and_old_credits_once_it_is_on(person):
    zhang = person("zhang")
    ts.services.timebank_earn_for_hours(hours_record(zhang, 100, at=timezone.now() - timedelta(days=800)))
    ts.services.timebank_earn_for_hours(hours_record(zhang, 30))
    assert expire.delay().get() == {"accounts": 0}
    assert ts.balance(zhang) == 130
    TimebankRule.objects.filter(area__isnull=True).update(expiry_enabled=True, expiry_days=730)
    assert expire.delay().get() == {"accounts": 1}
    assert ts.balance(zhang) == 30 and ledger.verify().ok
    assert AuditEntry.objects.filter(action="timebank.expire", channel="task").count() == 1
