"""Reads of the message centre: a person reads his own messages only (another's looks missing: 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from shequ.accounts.models import User

from .models import Message


def message_list_for(*, user: User) -> QuerySet[Message]:
    return Message.objects.filter(person=user)


def message_get_for(*, user: User, pk: int) -> Message:
    return get_object_or_404(Message, pk=pk, person=user)


def unread_count_for(*, user: User) -> int:
    return Message.objects.filter(person=user, read_at__isnull=True).count()
