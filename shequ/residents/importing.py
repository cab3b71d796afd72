"""Bulk import of residents from an .xlsx sheet: every row is checked first, then all are written or none.

A community worker fixes a sheet from a report that names the Excel row, the column and what is wrong, so the
whole file is validated before anything is written and every problem is reported at once. Messages never echo
an ID number or a phone in full: the report is shown on pages, returned by the API and may end up in logs.
The writes go through `household_create` / `resident_create` (STYLE.md §1) inside one transaction, so a
failure half-way (a concurrent insert of the same ID number) leaves nothing behind either.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from shequ.access.scoping import can, can_at, user_roles
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record
from shequ.core.crypto import hash_lookup
from shequ.core.errors import ShequError
from shequ.core.exports import FORMULA_TRIGGERS
from shequ.core.idnumbers import validate_id_number, validate_phone
from shequ.core.masking import mask_id_number, mask_phone, redact
from shequ.geo.models import Area

from .models import Resident, Tag
from .services import HOUSEHOLD_LEVELS, household_create, resident_create

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
# Every .xlsx is a zip archive; an old .xls (OLE, D0 CF 11 E0), a CSV or a renamed picture is not.
XLSX_MAGIC = b"PK\x03\x04"
# Formatted but empty rows below the data are common and skipped; past this many rows in total the sheet is
# refused anyway, so a small compressed file of millions of blank rows cannot keep a worker busy.
MAX_SCANNED_ROWS = 2 * MAX_ROWS + 1000

# field → the headers accepted for it (the first is the one the report and the template use).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name"),
    "id_number": ("身份证号", "身份证号码", "id_number"),
    "phone": ("手机", "手机号", "手机号码", "phone"),
    "area": ("社区代码", "区域代码", "area"),
    "room": ("房号", "room"),
    "relation": ("与户主关系", "relation"),
    "household_key": ("户号", "household_key"),
    "tags": ("标签", "tags"),
}
REQUIRED = ("name", "id_number", "area")
_HEADER_TO_FIELD = {h.lower(): f for f, headers in COLUMNS.items() for h in headers}
_TAG_SEPARATORS = re.compile(r"[、,，;；]")
MAX_ROOM = 100
MAX_RELATION = 20


class Upload(Protocol):
    """What the import reads: a Django UploadedFile, or any binary file object in tests and commands."""

    def read(self, size: int = ..., /) -> bytes: ...


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel numbers it: the header is row 1
    column: str  # the header as the file wrote it ("" when the problem is the whole row)
    message: str


@dataclass
class ImportReport:
    ok: bool
    created_residents: int = 0
    created_households: int = 0
    errors: list[RowError] = field(default_factory=list)
    # On a dry run nothing is written and the counts are what a real import of the file would create.
    dry_run: bool = False


@dataclass
class _Row:
    number: int
    name: str
    id_number: str
    phone: str
    area: Area
    room: str
    relation: str
    household_key: str
    tag_codes: list[str]


def residents_import(*, actor: User, fileobj: Upload, dry_run: bool = False) -> ImportReport:
    """Import the residents of an .xlsx sheet, or report every bad row and write nothing.

    Raises ShequError (code "invalid_file") when the file itself is unusable: not an .xlsx, too big, too many
    rows. Raises PermissionDenied when the actor may not import anywhere.
    """
    if not can(actor, Action.RESIDENTS_IMPORT):
        raise PermissionDenied(_("Your role may not import residents."))
    header, raw_rows = _read_sheet(fileobj)
    errors: list[RowError] = []
    columns = _map_header(header, errors)
    if errors:
        return ImportReport(ok=False, errors=errors, dry_run=dry_run)
    rows = _validate(actor, columns, raw_rows, errors)
    groups = _households(rows, columns, errors)
    if errors:
        errors.sort(key=lambda e: e.row)
        return ImportReport(ok=False, errors=errors, dry_run=dry_run)
    report = ImportReport(
        ok=True, created_residents=len(rows), created_households=len(groups), dry_run=dry_run
    )
    if dry_run:
        return report
    current = 0
    try:
        with transaction.atomic():
            for members in groups:
                first = members[0]
                household = household_create(actor=actor, area=first.area, room=first.room)
                for row in members:
                    current = row.number
                    resident_create(
                        actor=actor,
                        household=household,
                        name=row.name,
                        id_number=row.id_number,
                        phone=row.phone,
                        relation=row.relation,
                        tags=row.tag_codes,
                    )
            audit_record(
                action="residents.import",
                actor=actor,
                actor_role=",".join(sorted(user_roles(actor))),
                object_repr=f"{len(rows)} residents in {len(groups)} households",
                changes={
                    "created_residents": {"before": None, "after": len(rows)},
                    "created_households": {"before": None, "after": len(groups)},
                },
            )
    except ShequError as exc:
        # Only a race gets here (someone registered the same ID number since the check): all of it rolled back.
        return ImportReport(ok=False, errors=[RowError(current, "", exc.message)])
    return report


# --- reading ------------------------------------------------------------------------------------------------


def _invalid_file(message: str) -> ShequError:
    return ShequError(message, code="invalid_file", fields={"file": message})


def _read_sheet(fileobj: Upload) -> tuple[list[str], list[tuple[int, tuple[Any, ...]]]]:
    """The header cells and the non-empty data rows (with their Excel row numbers) of the first sheet."""
    name = str(getattr(fileobj, "name", "") or "")
    data = fileobj.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _invalid_file(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    if not data.startswith(XLSX_MAGIC) or (name and not name.lower().endswith(".xlsx")):
        raise _invalid_file(_("Only Excel .xlsx files can be imported (not .xls, .csv or other files)."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not read
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise _invalid_file(_("The file could not be read as an Excel .xlsx workbook.")) from exc
    try:
        if not workbook.worksheets:
            raise _invalid_file(_("The workbook has no sheet."))
        cells = workbook.worksheets[0].iter_rows(values_only=True)
        header_cells = next(cells, None)
        if header_cells is None:
            raise _invalid_file(_("The sheet is empty: row 1 must hold the column names."))
        header = [_text(c) for c in header_cells]
        rows = list(_data_rows(cells))
    finally:
        workbook.close()
    return header, rows


def _data_rows(cells: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    count = 0
    for number, values in enumerate(cells, start=2):
        if all(_text(v) == "" for v in values):
            if number > MAX_SCANNED_ROWS:
                break
            continue
        count += 1
        if count > MAX_ROWS or number > MAX_SCANNED_ROWS:
            raise _invalid_file(
                _("The file has more than %(max)d rows: split it into several files.") % {"max": MAX_ROWS}
            )
        yield number, values
    if count == 0:
        raise _invalid_file(_("The sheet has no residents below the header row."))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone or an area code typed as a number reads back as 13912345678.0
    return str(value).strip()


def _map_header(header: list[str], errors: list[RowError]) -> dict[str, tuple[int, str]]:
    """field → (index, header as written); header problems are errors of row 1."""
    columns: dict[str, tuple[int, str]] = {}
    for index, title in enumerate(header):
        key = title.rstrip("*＊ ").strip().lower()
        field_name = _HEADER_TO_FIELD.get(key)
        if field_name is None:
            continue  # extra columns (备注 …) are allowed and ignored
        if field_name in columns:
            errors.append(RowError(1, title, _("The column %(column)s appears twice.") % {"column": title}))
            continue
        columns[field_name] = (index, title)
    for field_name in REQUIRED:
        if field_name not in columns:
            title = COLUMNS[field_name][0]
            errors.append(
                RowError(
                    1,
                    title,
                    _("The column %(column)s (%(english)s) is missing.")
                    % {"column": title, "english": COLUMNS[field_name][-1]},
                )
            )
    return columns


# --- validating ---------------------------------------------------------------------------------------------


def _validate(
    actor: User,
    columns: dict[str, tuple[int, str]],
    raw_rows: list[tuple[int, tuple[Any, ...]]],
    errors: list[RowError],
) -> list[_Row]:
    def title(field_name: str) -> str:
        return columns[field_name][1] if field_name in columns else COLUMNS[field_name][0]

    def raw(values: tuple[Any, ...], field_name: str) -> Any:
        if field_name not in columns:
            return None
        index = columns[field_name][0]
        return values[index] if index < len(values) else None

    areas = _areas_for(actor, {_text(raw(v, "area")) for _n, v in raw_rows})
    tags = _tag_lookup()
    rows: list[_Row] = []
    seen_ids: dict[str, int] = {}
    for number, values in raw_rows:
        bad = False

        def error(field_name: str, message: str, *, number: int = number) -> None:
            nonlocal bad
            bad = True
            errors.append(RowError(number, title(field_name), message))

        name = _text(raw(values, "name"))
        if not name or len(name) > 50:
            error("name", _("A real name of 1 to 50 characters is required."))
        elif name.startswith(FORMULA_TRIGGERS):
            error(
                "name", _("A name cannot start with =, +, -, @ or a tab (it would be a spreadsheet formula).")
            )

        id_raw = raw(values, "id_number")
        id_number = _text(id_raw)
        if not id_number:
            error("id_number", _("The ID number is required."))
        elif isinstance(id_raw, int | float):
            # Excel keeps 15 significant digits of a number: the last digits of an 18-digit ID are already lost.
            error(
                "id_number",
                _(
                    "%(value)s: the ID number was stored as a number, which Excel rounds; format the column as text and type it again."
                )
                % {"value": mask_id_number(id_number)},
            )
        else:
            try:
                id_number = validate_id_number(id_number)
            except ValidationError as exc:
                error("id_number", f"{mask_id_number(id_number)}: {' '.join(exc.messages)}")
            else:
                if id_number in seen_ids:
                    error(
                        "id_number",
                        _("%(value)s: the same ID number is already on row %(row)d of this file.")
                        % {"value": mask_id_number(id_number), "row": seen_ids[id_number]},
                    )
                else:
                    seen_ids[id_number] = number

        phone = _text(raw(values, "phone"))
        if phone:
            try:
                phone = validate_phone(phone)
            except ValidationError as exc:
                error("phone", f"{mask_phone(phone)}: {' '.join(exc.messages)}")

        code = _text(raw(values, "area"))
        area = areas.get(code)
        if not code:
            error("area", _("The area code is required."))
        elif area is None:
            # Outside the actor's areas reads exactly like a code that does not exist (STYLE.md §2).
            error("area", _("Unknown area code %(code)s.") % {"code": redact(code)})
        elif area.level not in HOUSEHOLD_LEVELS:
            error(
                "area",
                _("%(code)s is a %(level)s: a household sits in a community, grid, estate or building.")
                % {"code": code, "level": area.get_level_display()},
            )

        room = _text(raw(values, "room"))
        if len(room) > MAX_ROOM:
            error("room", _("A room has at most %(max)d characters.") % {"max": MAX_ROOM})
        relation = _text(raw(values, "relation"))
        if len(relation) > MAX_RELATION:
            error("relation", _("A relation has at most %(max)d characters.") % {"max": MAX_RELATION})

        tag_codes: list[str] = []
        for token in _TAG_SEPARATORS.split(_text(raw(values, "tags"))):
            token = token.strip()
            if not token:
                continue
            tag = tags.get(token) or tags.get(token.lower())
            if tag is None:
                error("tags", _("Unknown tag %(tag)s.") % {"tag": redact(token)})
            elif tag.code not in tag_codes:
                tag_codes.append(tag.code)

        if not bad and area is not None:
            rows.append(
                _Row(
                    number=number,
                    name=name,
                    id_number=id_number,
                    phone=phone,
                    area=area,
                    room=room,
                    relation=relation,
                    household_key=_text(raw(values, "household_key")),
                    tag_codes=tag_codes,
                )
            )
    _check_registered(rows, title("id_number"), errors)
    return rows


def _areas_for(actor: User, codes: set[str]) -> dict[str, Area]:
    """The areas among `codes` where the actor may import; the rest are left out, as if they did not exist.

    The rows are written through resident_create, which also needs residents.edit there: an area where one of
    the two is missing is left out too, so the report says so now rather than the write failing half-way.
    """
    found = Area.objects.filter(code__in=[c for c in codes if c])
    return {
        a.code: a
        for a in found
        if can_at(actor, Action.RESIDENTS_IMPORT, a.path) and can_at(actor, Action.RESIDENTS_EDIT, a.path)
    }


def _tag_lookup() -> dict[str, Tag]:
    """A tag by its code (as typed or lower-case) or by its Chinese name."""
    lookup: dict[str, Tag] = {}
    for tag in Tag.objects.all():
        lookup[tag.name] = tag
        lookup[tag.code] = tag
        lookup[tag.code.lower()] = tag
    return lookup


def _check_registered(rows: list[_Row], column: str, errors: list[RowError]) -> None:
    """Report (and drop) the rows whose ID number is already registered: one query per 500 rows."""
    by_hash: dict[str, _Row] = {}
    for row in rows:
        ((_index, digest),) = hash_lookup(Resident, "id_number", row.id_number).items()
        by_hash[digest] = row
    hashes = list(by_hash)
    taken: set[str] = set()
    for start in range(0, len(hashes), 500):  # well under SQLite's limit on query parameters
        chunk = hashes[start : start + 500]
        taken.update(
            Resident.objects.filter(id_number_hash__in=chunk).values_list("id_number_hash", flat=True)
        )
    for digest in taken:
        row = by_hash[digest]
        errors.append(
            RowError(
                row.number,
                column,
                _("%(value)s: a resident with this ID number is already registered.")
                % {"value": mask_id_number(row.id_number)},
            )
        )
    rows[:] = [row for digest, row in by_hash.items() if digest not in taken]


def _households(
    rows: list[_Row], columns: dict[str, tuple[int, str]], errors: list[RowError]
) -> list[list[_Row]]:
    """Rows with the same 户号 form one household; a row without one is a household of its own."""
    groups: list[list[_Row]] = []
    by_key: dict[str, list[_Row]] = {}
    key_title = columns["household_key"][1] if "household_key" in columns else COLUMNS["household_key"][0]
    for row in rows:
        if not row.household_key:
            groups.append([row])
            continue
        members = by_key.get(row.household_key)
        if members is None:
            by_key[row.household_key] = members = [row]
            groups.append(members)
            continue
        first = members[0]
        if first.area.pk != row.area.pk or first.room != row.room:
            errors.append(
                RowError(
                    row.number,
                    key_title,
                    _(
                        "Household %(key)s has a different area or room on row %(row)d: one household lives at one address."
                    )
                    % {"key": redact(row.household_key), "row": first.number},
                )
            )
            continue
        members.append(row)
    return groups
