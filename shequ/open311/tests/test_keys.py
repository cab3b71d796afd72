"""Partner keys: stored as a hash, shown once, listed, revoked (and a revoked key stops working), audited."""

from __future__ import annotations

import hashlib
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.management import CommandError, call_command

from shequ.audit.models import AuditEntry
from shequ.open311.keys import apikey_authenticate, apikey_revoke
from shequ.open311.models import ApiKey

from .conftest import BASE

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("open311_key", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def create_request(client, api_key: str):
    fields = {
        "api_key": api_key,
        "service_code": "sanitation",
        "address_id": "440304",
        "description": "路边垃圾桶满溢",
    }
    return client.post(
        BASE + "requests.json", data=urlencode(fields), content_type="application/x-www-form-urlencoded"
    )


def test_only_the_hash_of_a_key_is_stored(partner):
    key, raw = partner
    assert raw.startswith(key.prefix + ".")
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = ApiKey.objects.filter(pk=key.pk).values()[0]
    assert raw not in [str(v) for v in stored.values()]


def test_a_revoked_key_can_no_longer_create_requests(client, partner):
    key, raw = partner
    assert create_request(client, raw).status_code == 200
    apikey_revoke(prefix=key.prefix, actor_username="os:test")
    assert apikey_authenticate(raw) is None
    assert create_request(client, raw).status_code == 403


def test_a_key_for_another_jurisdiction_is_not_accepted_here(partner, settings):
    _, raw = partner
    settings.SHEQU_OPEN311_JURISDICTION = "futian.gov.cn"
    assert apikey_authenticate(raw) is None


def test_the_command_prints_a_new_key_once_and_audits_it(client):
    out = run("create", "FixMyStreet Futian")
    raw = out.strip().splitlines()[-1]
    key = ApiKey.objects.get()
    assert key.name == "FixMyStreet Futian" and key.jurisdiction == "shenzhen.gov.cn"
    assert raw.startswith(key.prefix + ".") and apikey_authenticate(raw) == key
    entry = AuditEntry.objects.get(action="open311.key_create")
    assert entry.channel == "command" and entry.actor_username.startswith(("os:", "system"))
    assert raw not in str(entry.changes)
    assert create_request(client, raw).status_code == 200
    assert raw not in run("list")


def test_the_command_lists_keys_with_their_state_and_never_the_key(partner):
    key, raw = partner
    listing = run("list")
    assert key.prefix in listing and "FixMyStreet Futian" in listing and "active" in listing
    assert raw not in listing


def test_the_command_revokes_by_prefix_and_audits_it(partner):
    key, _ = partner
    assert "revoked" in run("revoke", key.prefix)
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert "revoked" in run("list")
    assert AuditEntry.objects.filter(action="open311.key_revoke", object_id=str(key.pk)).exists()
    with pytest.raises(CommandError, match="already revoked"):
        run("revoke", key.prefix)
    with pytest.raises(CommandError, match="No Open311 key"):
        run("revoke", "ffffffff")


def test_an_empty_name_is_refused(db):
    with pytest.raises(CommandError, match="名称"):
        run("create", "  ")
