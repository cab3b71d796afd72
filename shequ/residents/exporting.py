"""Exports of the resident list to .xlsx / .csv: masked like the pages, audited, safe from formula injection.

The rows are masked here, before they reach shequ.core.exports, which never sees a plaintext identifier and
prefixes anything a spreadsheet would evaluate as a formula with an apostrophe (safe_cell).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.access.scoping import user_roles
from shequ.accounts.models import User
from shequ.audit.services import audit_record
from shequ.core.errors import ShequError
from shequ.core.exports import FORMATS, export_response
from shequ.core.masking import mask_address, mask_id_number, mask_phone

from .models import Resident
from .schemas import resident_out

# The column names the import reads (importing.COLUMNS), so a sheet looks the same in both directions.
HEADERS = [
    "姓名",
    "身份证号",
    "手机",
    "性别",
    "年龄",
    "社区代码",
    "区域",
    "房号",
    "与户主关系",
    "户号",
    "标签",
]
# An export is a copy of personal data leaving the platform: past this, narrow the filters (and the copy).
MAX_EXPORT_ROWS = 50_000
# Filters that are themselves personal data are masked before they reach the audit trail.
_PERSONAL_FILTERS = {"phone": mask_phone, "id_number": mask_id_number}


def residents_export_rows(qs: QuerySet[Resident], *, viewer=None) -> Iterator[list[object]]:
    """The header, then one masked row per resident (pass a queryset from selectors.resident_list_for)."""
    yield list(HEADERS)
    today = timezone.localdate()
    # chunk_size keeps memory flat and lets prefetch_related("tags") work one chunk at a time.
    for resident in qs.iterator(chunk_size=1000):
        out = resident_out(resident, today=today, viewer=viewer)
        yield [
            out["name"],
            out["id_number"],
            out["phone"],
            resident.get_gender_display(),
            out["age"],
            out["area"],
            out["area_name"],
            mask_address(resident.household.room),
            out["relation"],
            out["household"],
            "、".join(t["name"] for t in out["tags"]),
        ]


def residents_export(
    *,
    actor: User,
    qs: QuerySet[Resident],
    fmt: str,
    filters: Mapping[str, object] | None = None,
) -> HttpResponse:
    """The masked export of `qs` as an attachment, with an audit entry naming the filters and the row count.

    `qs` must already be scoped for residents.export (selectors.resident_list_for(action=...)); `filters` are
    the ones the user chose, recorded in the audit entry (personal ones masked).
    """
    if fmt not in FORMATS:
        raise ShequError(_("Choose the format xlsx or csv."), fields={"format": fmt})
    count = qs.count()
    if count > MAX_EXPORT_ROWS:
        raise ShequError(
            _("An export holds at most %(max)d residents; this one would hold %(count)d: narrow the filters.")
            % {"max": MAX_EXPORT_ROWS, "count": count},
            code="export_too_large",
        )
    rows = residents_export_rows(qs, viewer=actor)
    next(rows)  # the header row: export_response writes HEADERS itself
    written = 0

    def counted() -> Iterator[list[object]]:
        nonlocal written
        for row in rows:
            written += 1
            yield row

    response = export_response(
        fmt, filename=f"residents-{timezone.localdate():%Y%m%d}", headers=HEADERS, rows=counted()
    )
    used = {
        k: _PERSONAL_FILTERS[k](v) if k in _PERSONAL_FILTERS else v
        for k, v in (filters or {}).items()
        if v not in (None, "")
    }
    # Written once the file is built, so an export that failed is not recorded as one that happened.
    audit_record(
        action="residents.export",
        actor=actor,
        actor_role=",".join(sorted(user_roles(actor))),
        object_repr=f"{written} residents ({fmt})",
        changes={"filters": {"before": None, "after": used}, "rows": {"before": None, "after": written}},
    )
    return response
