"""The audit admin's page: the trail with filters, and its export (三员分立: only the audit admin reads it).

It lives with the console pages, above `access`, so that the audit trail itself (shequ/audit) stays below the
accounts and grants it records: nothing there imports the scoping that this page needs."""

import re
from datetime import datetime, time

from django.apps import apps
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from shequ.access.decorators import require_action
from shequ.access.scoping import can
from shequ.accounts.roles import Action, Role
from shequ.audit.choices import AuditChannel
from shequ.audit.labels import action_label
from shequ.audit.models import AuditEntry
from shequ.audit.services import audit_record
from shequ.core.exports import export_response
from shequ.geo.models import Area

FILTERS = ("actor", "action", "object_type", "object_id", "date_from", "date_to")


def _filtered(params) -> tuple[QuerySet[AuditEntry], dict]:
    f = {k: (params.get(k) or "").strip() for k in FILTERS}
    qs = AuditEntry.objects.all()
    if f["actor"]:
        qs = qs.filter(actor_username=f["actor"])
    if f["action"]:
        qs = qs.filter(action__startswith=f["action"])
    if f["object_type"]:
        qs = qs.filter(object_type=f["object_type"])
    if f["object_id"]:
        qs = qs.filter(object_id=f["object_id"])
    tz = timezone.get_current_timezone()
    if (d := parse_date(f["date_from"])) is not None:
        qs = qs.filter(at__gte=datetime.combine(d, time.min, tzinfo=tz))
    if (d := parse_date(f["date_to"])) is not None:
        qs = qs.filter(at__lte=datetime.combine(d, time.max, tzinfo=tz))
    return qs.order_by("-seq"), f


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("before", None)
    params.pop("format", None)
    return params.urlencode()


PAGE_SIZE = 50
_CHANNELS = dict(AuditChannel.choices)
_ROLES = dict(Role.choices)


# Grants (and refusals) are written "username role @ area code": the code after "@" is an area's.
_AT_AREA = re.compile(r"@ (\d{6,19})\b")


def _area_names(entries: list[AuditEntry]) -> dict[str, str]:
    """The names of the areas the page's entries name by code, in one query."""
    codes = {code for e in entries for code in _AT_AREA.findall(e.object_repr or "")}
    if not codes:
        return {}
    return dict(Area.objects.filter(code__in=codes).values_list("code", "name"))


def _labelled(entry: AuditEntry, areas: dict[str, str] | None = None) -> AuditEntry:
    """Words for the codes an entry keeps (its action, the actor's roles, the channel, an area); the codes stay
    beside them for filtering and for the export."""
    entry.action_label = action_label(entry.action)  # type: ignore[attr-defined]
    entry.role_labels = "、".join(  # type: ignore[attr-defined]
        str(_ROLES.get(r, r)) for r in (entry.actor_role or "").split(",") if r
    )
    entry.channel_label = str(_CHANNELS.get(entry.channel, entry.channel))  # type: ignore[attr-defined]
    entry.object_type_label = _model_label(entry.object_type)  # type: ignore[attr-defined]
    # Grants are written "username role @ area code": the role's code becomes its label, the area's its name
    # (issue 21: "@ 440304009" told the audit admin nothing).
    words = " ".join(str(_ROLES.get(word, word)) for word in (entry.object_repr or "").split(" "))
    names = areas or {}
    entry.object_label = _AT_AREA.sub(  # type: ignore[attr-defined]
        lambda m: f"@ {names[m.group(1)]}" if m.group(1) in names else m.group(0), words
    )
    return entry


def _model_label(object_type: str) -> str:
    """ "accounts.grant" → the model's verbose name (授权); anything else as it is."""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name) if "." in object_type else object_type
    except (LookupError, ValueError):
        return object_type


@require_action(Action.AUDIT_VIEW)
def console_list(request: HttpRequest) -> HttpResponse:
    """Newest first, paged by sequence number (no COUNT over a trail of millions of rows)."""
    qs, f = _filtered(request.GET)
    before = request.GET.get("before", "")
    if before.isdigit():
        qs = qs.filter(seq__lt=int(before))
    rows = list(qs[: PAGE_SIZE + 1])
    older = rows[PAGE_SIZE - 1].seq if len(rows) > PAGE_SIZE else None
    areas = _area_names(rows[:PAGE_SIZE])
    return render(
        request,
        "audit/console_list.html",
        {
            "entries": [_labelled(e, areas) for e in rows[:PAGE_SIZE]],
            "older": older,
            "filters": f,
            "can_export": can(request.user, Action.AUDIT_EXPORT),
            "query": _without_page(request),
        },
    )


@require_action(Action.AUDIT_EXPORT)
def console_export(request: HttpRequest) -> HttpResponse:
    qs, f = _filtered(request.GET)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("csv", "xlsx"):
        fmt = "xlsx"
    audit_record(
        action="audit.export",
        actor=request.user,
        object_repr=f"audit trail ({fmt})",
        changes={"filters": {"after": {k: v for k, v in f.items() if v}}},
    )
    headers = [
        "seq",
        "time",
        "actor",
        "role",
        "action",
        "object type",
        "object id",
        "object",
        "changes",
        "purpose",
        "ip",
        "channel",
        "hash",
    ]
    rows = (
        [
            e.seq,
            e.at,
            e.actor_username,
            e.actor_role,
            e.action,
            e.object_type,
            e.object_id,
            e.object_repr,
            e.changes,
            e.purpose,
            e.ip,
            e.channel,
            e.hash,
        ]
        for e in qs.iterator(chunk_size=2000)
    )
    return export_response(fmt, filename="audit-trail", headers=headers, rows=rows)
