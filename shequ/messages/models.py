"""The message centre (消息中心, DESIGN.md §2): what the platform tells a person, kept for his inbox (站内消息).
How he wants to be told besides is his account's `User.sms_notifications` (read from the person in memory: a
message sent inside an intake's batch of writes must not read the database)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One message to one person (站内消息): always kept here, whatever other channel also carried it."""

    # Indexed through (person, created_at) and the unread partial index in Meta.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=40)  # what happened, named by the sender ("appeal.replied")
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True)  # a path on this site
    sms = models.BooleanField(_("also sent as a text message"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["person", "-created_at"], name="messages_person_time"),
            models.Index(
                fields=["person"], condition=models.Q(read_at__isnull=True), name="messages_person_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}"
