"""Open311 fixtures: a partner key, appeals made through the real intake, a clock to submit in the past."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from defusedxml.ElementTree import fromstring
from django.utils import timezone

BASE = "/open311/v2/"


@pytest.fixture
def partner(db):
    """A partner system's key: (row, the key itself)."""
    from shequ.open311.keys import apikey_create

    return apikey_create(name="FixMyStreet Futian", actor_username="os:test")


@pytest.fixture
def api_key(partner) -> str:
    return partner[1]


@pytest.fixture
def submit(db) -> Callable:
    """An appeal through appeals.services.appeal_submit, as the portal or the hotline would make it."""
    from shequ.appeals.services import IntakeData, appeal_submit

    def make(text: str = "小区门口垃圾堆积三天没人清理", *, photos=None, **kw):
        kw.setdefault("channel", "portal")
        kw.setdefault("category", "sanitation")
        kw.setdefault("area", "440304")
        return appeal_submit(actor=None, data=IntakeData(text=text, **kw), photos=photos)

    return make


@pytest.fixture
def partner_submit(db, partner) -> Callable:
    """A service request filed by the `partner` key (the only requests that key may post updates on)."""
    from shequ.appeals.services import IntakeData
    from shequ.open311.services import appeal_submit_from_partner

    def make(text: str = "小区门口垃圾堆积三天没人清理", *, key=None, **kw):
        kw.setdefault("category", "sanitation")
        kw.setdefault("area", "440304")
        data = IntakeData(text=text, channel="open311", **kw)
        return appeal_submit_from_partner(key=key or partner[0], data=data)

    return make


@pytest.fixture
def photo(settings, tmp_path) -> Callable:
    """A tiny PNG upload; files go to a temporary MEDIA_ROOT."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shequ.core.tests.images import png

    settings.MEDIA_ROOT = tmp_path

    def make(name: str = "photo.png"):
        return SimpleUploadedFile(name, png(), content_type="image/png")

    return make


@pytest.fixture
def back_in_time(monkeypatch) -> Callable:
    """`with back_in_time(days=100): submit()` files the appeal (and its events) that many days ago."""
    from contextlib import contextmanager

    real_now = timezone.now

    @contextmanager
    def go(*, days: int):
        then = real_now() - timedelta(days=days)
        monkeypatch.setattr(timezone, "now", lambda: then)
        try:
            yield then
        finally:
            monkeypatch.setattr(timezone, "now", real_now)

    return go


def as_json(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def as_xml(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return fromstring(response.content)


def xml_errors(root) -> list[tuple[str, str]]:
    assert root.tag == "errors"
    return [(e.findtext("code"), e.findtext("description")) for e in root.findall("error")]
