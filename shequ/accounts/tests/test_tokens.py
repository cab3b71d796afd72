from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shequ.accounts.models import ApiToken
from shequ.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _issue(username="lina", *args):
    out, err = StringIO(), StringIO()
    call_command("issue_token", username, *args, stdout=out, stderr=err)
    return out.getvalue().strip()


def test_issue_token_prints_a_token_that_the_api_accepts(client, cast):
    raw = _issue("lina", "--name", "etl")
    assert raw.startswith("shq_")
    r = client.get("/api/v1/residents", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200
    assert AuditEntry.objects.filter(action="token.issue", channel="command").exists()
    assert raw not in str(list(AuditEntry.objects.values_list("changes", "object_repr")))


def test_only_a_hash_of_the_token_is_stored(cast):
    raw = _issue()
    token = ApiToken.objects.get()
    assert raw not in (token.token_hash, token.prefix) and len(token.token_hash) == 64


def test_a_revoked_token_is_refused(client, cast):
    raw = _issue()
    prefix = ApiToken.objects.get().prefix
    call_command("tokens", "revoke", prefix, stdout=StringIO())
    assert client.get("/api/v1/residents", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert AuditEntry.objects.filter(action="token.revoke").exists()


def test_an_expired_token_is_refused(client, cast):
    raw = _issue()
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/residents", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


@pytest.mark.parametrize("forged", ["shq_deadbeef_nothing", "Bearer", "shq__", "xyz", "shq_" + "a" * 300])
def test_forged_tokens_are_refused(client, cast, forged):
    _issue()
    assert client.get("/api/v1/residents", HTTP_AUTHORIZATION=f"Bearer {forged}").status_code == 401


def test_tokens_can_be_listed(cast):
    _issue("lina", "--name", "nightly-export")
    out = StringIO()
    call_command("tokens", "list", stdout=out)
    assert "lina" in out.getvalue() and "nightly-export" in out.getvalue() and "active" in out.getvalue()


def test_issuing_for_an_unknown_user_fails_clearly(cast):
    with pytest.raises(CommandError, match="no active user"):
        _issue("ghost")
