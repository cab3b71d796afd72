"""Audit entries cannot be changed or removed: not by the model, not by a queryset, not by raw SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.utils import timezone

from shequ.audit.admin import AuditEntryAdmin
from shequ.audit.models import AuditAnchor, AuditEntry
from shequ.audit.services import audit_purge, audit_record
from shequ.core.chain import AppendOnlyError

from .tampering import sql, wipe

pytestmark = pytest.mark.django_db


def refused_by_the_database(statement: str, params: list | None = None) -> None:
    # The savepoint keeps PostgreSQL's test transaction usable after the error.
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        sql(statement, params)


def test_saving_an_entry_again_is_refused():
    entry = audit_record(action="grant.create")
    entry.object_repr = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    loaded = AuditEntry.objects.get(pk=entry.pk)
    with pytest.raises(AppendOnlyError):
        loaded.save(update_fields=["object_repr"])


def test_deleting_an_entry_is_refused():
    entry = audit_record(action="grant.create")
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_queryset_update_and_delete_are_refused():
    audit_record(action="grant.create")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=1).update(action="grant.delete")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_a_raw_sql_update_is_refused_by_the_database():
    audit_record(action="grant.create")
    refused_by_the_database("UPDATE audit_auditentry SET object_repr = 'x' WHERE seq = 1")
    assert AuditEntry.objects.get(seq=1).object_repr == ""


def test_a_raw_sql_delete_is_refused_by_the_database():
    audit_record(action="grant.create")
    refused_by_the_database("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the purge setting exists on PostgreSQL only")
def test_the_purge_setting_lets_deletes_through_but_never_updates():
    audit_record(action="grant.create")
    with transaction.atomic():
        sql("SELECT set_config('shequ.audit_purge', 'on', true)")
        refused_by_the_database("UPDATE audit_auditentry SET object_repr = 'x'")


def test_anchors_cannot_be_changed_or_deleted_either():
    audit_record(action="grant.create")
    audit_purge(before=timezone.now() + timedelta(seconds=1), actor_username="system", reason="test")
    anchor = AuditAnchor.objects.get()
    with pytest.raises(AppendOnlyError):
        anchor.save()
    with pytest.raises(AppendOnlyError):
        AuditAnchor.objects.all().delete()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        sql("UPDATE audit_auditanchor SET last_hash = 'x'")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        sql("DELETE FROM audit_auditanchor")


def test_a_user_with_audit_entries_cannot_be_deleted(lina):
    audit_record(action="user.login", actor=lina)
    with pytest.raises(ProtectedError):
        lina.delete()


@pytest.mark.urls("shequ.audit.tests.urls_admin")
def test_the_admin_shows_entries_but_cannot_add_change_or_delete_them(client, admin_user):
    from shequ.access.testing import sign_in

    admin_client = sign_in(client, admin_user)  # the admin opens only after password + TOTP
    entry = audit_record(action="grant.create")
    model_admin = AuditEntryAdmin(AuditEntry, admin.site)
    request = RequestFactory().get("/")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    assert admin_client.get("/admin/audit/auditentry/").status_code == 200
    assert admin_client.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == 200
    assert admin_client.get("/admin/audit/auditentry/add/").status_code == 403


def test_the_test_helper_wipe_empties_the_trail_and_leaves_the_triggers_in_place():
    audit_record(action="grant.create")
    audit_purge(before=timezone.now() + timedelta(seconds=1), actor_username="system", reason="test")
    wipe()
    assert not AuditEntry.objects.exists() and not AuditAnchor.objects.exists()
    audit_record(action="grant.create")
    refused_by_the_database("DELETE FROM audit_auditentry")
