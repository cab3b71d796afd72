"""The audit trail in the operators' admin: read-only, for the audit administrator (三员分立: 审计管理员)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditAnchor, AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "seq",
        "chain",
        "at",
        "actor_username",
        "actor_role",
        "action",
        "object_type",
        "object_id",
        "channel",
        "ip",
    ]
    list_filter = ["channel", "action"]
    search_fields = ["=actor_username", "=object_id", "=request_id", "action"]
    show_full_result_count = False  # a COUNT(*) over the whole trail on every page is not worth it
    list_select_related = False


@admin.register(AuditAnchor)
class AuditAnchorAdmin(ReadOnlyAdmin):
    list_display = ["purged_through_seq", "chain", "purged_count", "at", "actor_username"]
