"""Who-and-where of the current request or job, for audit entries written deep inside services.

The middleware sets it for a web or API request, commands and tasks set their channel; services.audit_record
reads it for whatever the caller does not pass. A ContextVar keeps it per thread and per asyncio task.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.utils.ipv6 import clean_ipv6_address


@dataclasses.dataclass(frozen=True)
class AuditContext:
    ip: str | None = None
    channel: str = ""  # empty: audit_record falls back to "system"
    actor_role: str = ""
    request_id: str = ""


_EMPTY = AuditContext()
_current: ContextVar[AuditContext] = ContextVar("shequ_audit_context", default=_EMPTY)


def current_audit_context() -> AuditContext:
    return _current.get()


@contextmanager
def audit_context(**kw: Any) -> Iterator[AuditContext]:
    """Set some fields of the audit context for the block; the others keep their outer values.

    `with audit_context(channel="command"):` in a management command, `audit_context(actor_role="dispatcher")`
    once the access layer knows the acting role. Unknown field names raise TypeError.
    """
    context = dataclasses.replace(_current.get(), **kw)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def normalize_ip(value: str | None) -> str | None:
    """The text of an IP address as Django stores it (IPv4-mapped IPv6 in dotted form), or None if it is not one.

    IPv6 zone IDs (fe80::1%eth0) are dropped: inet cannot store them and they say nothing about the client.
    """
    if not value:
        return None
    # A request asks for its client's address several times (the middleware, each audit entry): the answers
    # for the last few thousand addresses are kept. Text longer than any address (a forged header) is not.
    return _normalize_ip(value) if len(value) <= 80 else _normalize_ip.__wrapped__(value)


@functools.lru_cache(maxsize=4096)
def _normalize_ip(value: str) -> str | None:
    try:
        address = ipaddress.ip_address(value.strip().split("%", 1)[0])
    except ValueError:
        return None
    return clean_ipv6_address(str(address)) if address.version == 6 else str(address)
