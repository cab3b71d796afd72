"""What the requester is told about his appeal, and when (issue 21): one row per step he cares about.

Every message goes to his inbox (站内消息) through shequ.messages, which sits below appeals (DESIGN.md §2); the
steps with a text-message wording are also texted when he wants text messages. A requester without an account (a
caller on the 12345 line) gets the text message only, at his contact phone, as before the message centre.
Nothing here carries a staff note: only the step, the appeal's number, and for a reply the words to the requester.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shequ.core.masking import redact
from shequ.messages.services import message_send, sms_send

if TYPE_CHECKING:
    from .models import Appeal

# kind → (title, text message or ""). The kind is the `notify` of a service, or the action's name.
STEPS: dict[str, tuple[str, str]] = {
    "received": (
        gettext_noop("Your appeal %(number)s was received"),
        gettext_noop("Your appeal was received, number %(number)s."),
    ),
    "dispatch": (gettext_noop("Your appeal %(number)s was passed to the unit that will handle it"), ""),
    "reassign": (gettext_noop("Your appeal %(number)s was passed to another unit"), ""),
    "contact": (gettext_noop("The unit handling your appeal %(number)s has contacted you"), ""),
    "replied": (
        gettext_noop("Your appeal %(number)s was answered: please rate the answer"),
        gettext_noop("Your appeal %(number)s was answered: please rate the result."),
    ),
    "reopened": (
        gettext_noop("Your appeal %(number)s is being handled again"),
        gettext_noop("Your appeal %(number)s is being handled again."),
    ),
    "close": (gettext_noop("Your appeal %(number)s is finished"), ""),
    "reject": (gettext_noop("Your appeal %(number)s was not accepted"), ""),
}

# What the residents who said 我也遇到了 (appeals.nearby) hear: the steps that change what they met, in their inbox
# only (no text message, no reply text: the answer is addressed to the requester), linked to their own list.
SUPPORTER_STEPS: dict[str, str] = {
    "replied": gettext_noop(
        "The problem you also met (appeal %(number)s) was answered by the unit handling it"
    ),
    "reopened": gettext_noop("The problem you also met (appeal %(number)s) is being handled again"),
    "close": gettext_noop("The problem you also met (appeal %(number)s) is finished"),
    "reject": gettext_noop("The problem you also met (appeal %(number)s) was not accepted"),
}


def requester_notify(appeal: Appeal, kind: str) -> None:
    step = STEPS.get(kind)
    if step is None:
        return
    # In the platform's language, whoever's request or task took the step (a system dispatch has no request).
    with translation.override(settings.LANGUAGE_CODE):
        title = _(step[0]) % {"number": appeal.number}
        sms = _(step[1]) % {"number": appeal.number} if step[1] else ""
        body = redact(appeal.reply_text) if kind == "replied" else ""
    requester = appeal.requester
    if requester is not None and requester.is_active:
        message_send(
            person=requester,
            kind=f"appeal.{kind}",
            title=title,
            body=body,
            link=f"/me/appeals/{appeal.pk}/",
            sms_body=sms,
            phone=appeal.contact_phone,
        )
    elif appeal.contact_phone and sms:
        sms_send(phone=appeal.contact_phone, body=sms, purpose=f"appeal.{kind}")
    supporters_notify(appeal, kind)


def supporters_notify(appeal: Appeal, kind: str) -> None:
    """Tell the residents who met the same problem (one inbox message each, in the action's transaction). Only the
    steps of SUPPORTER_STEPS read the table: intake and the handling steps cost nothing."""
    wording = SUPPORTER_STEPS.get(kind)
    if wording is None:
        return
    from .models import Supporter

    with translation.override(settings.LANGUAGE_CODE):
        title = _(wording) % {"number": appeal.number}
    for supporter in Supporter.objects.filter(appeal=appeal, user__is_active=True).select_related("user"):
        if supporter.user_id == appeal.requester_id:
            continue
        message_send(
            person=supporter.user, kind=f"appeal.supported.{kind}", title=title, link="/me/appeals/#supported"
        )
