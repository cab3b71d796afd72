from django import template
from django.utils.translation import ngettext

from shequ.timebank.ledger import format_credits

register = template.Library()


@register.filter
def credits(minutes: int | None) -> str:
    """Minutes of credit as 时间币: 90 → "1.5"."""
    return format_credits(int(minutes or 0))


@register.filter
def signed_credits(minutes: int | None) -> str:
    value = int(minutes or 0)
    return ("+" if value > 0 else "") + format_credits(value)


@register.filter
def waited(seconds: int | None) -> str:
    """How long a request waited for a helper, in words: "3 分钟", "2 小时 5 分钟"."""
    if seconds is None:
        return ""
    minutes = max(0, int(seconds)) // 60
    if minutes < 1:
        return ngettext("%(n)d second", "%(n)d seconds", int(seconds)) % {"n": int(seconds)}
    hours, minutes = divmod(minutes, 60)
    text = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    if hours:
        text = ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours} + " " + text
    return text
