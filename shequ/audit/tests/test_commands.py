"""verify_audit_chain, audit_purge_expired and the audit.purge_expired task."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shequ.audit.models import AuditAnchor, AuditEntry
from shequ.audit.services import audit_record, verify_chain
from shequ.audit.tasks import purge_expired

from .tampering import sql, triggers_off

pytestmark = pytest.mark.django_db


def run(name: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def record(n: int) -> None:
    for i in range(n):
        audit_record(action="grant.create", object_id=str(i))


@pytest.fixture
def four_years_later(monkeypatch):
    """Call it to move the clock past the default retention of three years."""

    def jump() -> None:
        later = timezone.now() + timedelta(days=4 * 365)
        monkeypatch.setattr(timezone, "now", lambda: later)

    return jump


def test_verify_says_ok_with_the_number_of_entries_and_prints_the_head():
    record(3)
    out, _ = run("verify_audit_chain")
    assert "audit chain OK: 3 entries verified" in out
    assert f"head of chain 0: #3 {AuditEntry.objects.get(seq=3).hash}" in out


def test_verify_exits_non_zero_and_lists_the_problems_on_a_broken_chain():
    record(3)
    with triggers_off():
        sql("DELETE FROM audit_auditentry WHERE seq = 2")
    err = StringIO()
    with pytest.raises(CommandError, match="audit chain BROKEN: 1 problem.*first at #3"):
        call_command("verify_audit_chain", "--batch-size", "1", stdout=StringIO(), stderr=err)
    assert "#3 does not link to #1: an entry between them was deleted" in err.getvalue()


def test_the_purge_dry_run_counts_and_deletes_nothing(four_years_later):
    record(3)
    four_years_later()
    out, _ = run("audit_purge_expired", "--dry-run")
    assert "would purge 3 audit entries" in out and "1095 days" in out
    assert AuditEntry.objects.count() == 3 and not AuditAnchor.objects.exists()


def test_the_purge_command_deletes_what_outlived_the_retention_and_audits_itself(four_years_later):
    record(3)
    four_years_later()
    out, _ = run("audit_purge_expired")
    assert "purged 3 audit entries" in out
    purge_entry = AuditEntry.objects.get()
    assert purge_entry.action == "audit.purge" and purge_entry.channel == "command"
    assert purge_entry.actor_username.startswith(("os:", "system"))
    assert verify_chain().ok


def test_the_purge_command_keeps_entries_younger_than_the_retention():
    record(2)
    out, _ = run("audit_purge_expired")
    assert "purged 0 audit entries" in out and AuditEntry.objects.count() == 2


def test_the_purge_command_refuses_a_broken_chain(four_years_later):
    record(2)
    with triggers_off():
        sql("UPDATE audit_auditentry SET purpose = 'x' WHERE seq = 1")
    four_years_later()
    with pytest.raises(CommandError, match="not purged"):
        run("audit_purge_expired")
    assert AuditEntry.objects.count() == 2


def test_the_purge_task_runs_the_service_on_the_task_channel(four_years_later):
    record(2)
    four_years_later()
    assert purge_expired.delay().get() == 2
    purge_entry = AuditEntry.objects.get()
    assert (purge_entry.channel, purge_entry.actor_username) == ("task", "system")
