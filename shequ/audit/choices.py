"""Choices of the audit trail, defined once for pages, API and exports."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditChannel(models.TextChoices):
    """Where a change came from: the "where" of an audit entry besides the IP address."""

    WEB = "web", _("Web page")
    API = "api", _("API")
    COMMAND = "command", _("Management command")
    TASK = "task", _("Background task")
    SYSTEM = "system", _("System")
