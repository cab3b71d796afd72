"""Writes of the community registries: one entry, an activity, a whole .xlsx sheet. Each checks that the community
lies in the actor's registries.manage areas, validates, writes and audits in one transaction."""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from shequ.access.scoping import can_at, visible_to
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record
from shequ.core.errors import ShequError
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from .choices import KINDS, ONE_PER_COMMUNITY, ONE_PER_KIND, Register
from .models import Activity, Entry

MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class EntryData:
    register: str
    kind: str
    community: str  # the community's code
    name: str
    reference: str = ""
    contact: str = ""
    since: date | None = None
    members: int | None = None
    note: str = ""
    is_active: bool = True
    synthetic: bool = False
    source: str = ""


def entry_list_for(*, user) -> QuerySet[Entry]:
    return visible_to(Entry.objects.select_related("community"), user, Action.REGISTRIES_MANAGE)


def _check(data: EntryData, *, actor) -> tuple[Area, dict[str, str]]:
    """The community and the problems, field → message (empty when the entry may be written)."""
    fields: dict[str, str] = {}
    if data.register not in Register.values:
        fields["register"] = _("Unknown register.")
    elif data.kind not in dict(KINDS[data.register]):
        fields["kind"] = _("Unknown kind for this register: use one of %(kinds)s.") % {
            "kinds": "、".join(label for _code, label in KINDS[data.register])
        }
    name = data.name.strip()
    if not name or len(name) > 120:
        fields["name"] = _("Give a name of 1 to 120 characters.")
    community = Area.objects.filter(code=data.community.strip(), level=AreaLevel.COMMUNITY).first()
    if community is None or (
        actor is not None and not can_at(actor, Action.REGISTRIES_MANAGE, community.path)
    ):
        # A community outside one's areas reads as one that does not exist.
        fields["community"] = _("No community with this code in your areas.")
    if data.members is not None and not (0 <= data.members <= 1_000_000):
        fields["members"] = _("The number of members must be between 0 and 1,000,000.")
    if data.since is not None and data.since > date.today():
        fields["since"] = _("The date cannot be in the future.")
    for key, limit in (("reference", 60), ("contact", 120), ("note", 300)):
        if len(getattr(data, key)) > limit:
            fields[key] = _("At most %(n)d characters.") % {"n": limit}
    return community, fields  # type: ignore[return-value]


def _duplicate(data: EntryData, community: Area, exclude: int | None = None) -> bool:
    qs = Entry.objects.filter(register=data.register, community=community)
    if data.register in ONE_PER_KIND:
        qs = qs.filter(kind=data.kind)
    elif data.register not in ONE_PER_COMMUNITY:
        qs = qs.filter(name=data.name.strip())
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


def _duplicate_message(register: str) -> str:
    if register in ONE_PER_KIND:
        return _("This community already has this committee.")
    if register in ONE_PER_COMMUNITY:
        return _("This community already has a green-community status: edit it instead.")
    return _("This community already has an entry with this name.")


def _values(data: EntryData) -> dict[str, Any]:
    return {
        "register": data.register,
        "kind": data.kind,
        "name": data.name.strip(),
        "reference": data.reference.strip(),
        "contact": data.contact.strip(),
        "since": data.since,
        "members": data.members,
        "note": data.note.strip(),
        "is_active": data.is_active,
        "synthetic": data.synthetic,
        "source": data.source[:100],
    }


def _refuse(actor, community_code: str) -> None:
    audit_record(action="registries.refused", actor=actor, object_repr=f"@ {community_code}")


def entry_create(*, actor, data: EntryData) -> Entry:
    community, fields = _check(data, actor=actor)
    if "community" in fields and actor is not None:
        _refuse(actor, data.community)
    if not fields and _duplicate(data, community):
        fields["name"] = _duplicate_message(data.register)
    if fields:
        raise ShequError(_("The entry is not valid."), code="invalid", fields=fields)
    with transaction.atomic():
        entry = Entry.objects.create(community=community, **_values(data))
        audit_record(
            action="registries.create",
            actor=actor,
            actor_username="" if actor else "system",
            obj=entry,
            object_repr=entry.name,
            changes={"register": {"after": entry.register}, "kind": {"after": entry.kind}},
        )
    return entry


def entry_update(*, actor, entry: Entry, data: EntryData) -> Entry:
    """Change an entry fetched through entry_list_for; a move needs the new community in the actor's areas too."""
    data.register = entry.register
    community, fields = _check(data, actor=actor)
    if not fields and _duplicate(data, community, exclude=entry.pk):
        fields["name"] = _duplicate_message(data.register)
    if fields:
        raise ShequError(_("The entry is not valid."), code="invalid", fields=fields)
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        after = {**_values(data), "community": community}
        after.pop("synthetic"), after.pop("source")
        changes = {
            k: {"before": str(getattr(entry, k)), "after": str(v)}
            for k, v in after.items()
            if getattr(entry, k) != v
        }
        if changes:
            for k, v in after.items():
                setattr(entry, k, v)
            entry.save()
            audit_record(
                action="registries.update", actor=actor, obj=entry, object_repr=entry.name, changes=changes
            )
    return entry


def activity_add(*, actor, entry: Entry, held_on: date, title: str, participants: int) -> Activity:
    if entry.register != Register.SOCIAL_ORG:
        raise ShequError(_("Only community social organisations record activities."), code="invalid")
    if not can_at(actor, Action.REGISTRIES_MANAGE, entry.community.path):
        raise PermissionDenied
    fields = {}
    if not title.strip() or len(title.strip()) > 120:
        fields["title"] = _("Give a title of 1 to 120 characters.")
    if held_on > date.today():
        fields["held_on"] = _("Record an activity once it has been held.")
    if not (0 <= participants <= 100_000):
        fields["participants"] = _("The number of participants must be between 0 and 100,000.")
    if fields:
        raise ShequError(_("The activity is not valid."), code="invalid", fields=fields)
    with transaction.atomic():
        activity = Activity.objects.create(
            entry=entry, held_on=held_on, title=title.strip(), participants=participants
        )
        audit_record(
            action="registries.activity",
            actor=actor,
            obj=entry,
            object_repr=f"{entry.name}: {activity.title}",
            changes={"held_on": {"after": str(held_on)}, "participants": {"after": participants}},
        )
    return activity


# --- import from .xlsx --------------------------------------------------------------------------------------
# field → the headers accepted for it (the first is the one the template and the report use).
COLUMNS: dict[str, tuple[str, ...]] = {
    "community": ("社区代码", "community"),
    "kind": ("类别", "kind"),
    "name": ("名称", "姓名", "name"),
    "reference": ("编号", "备案号", "reference"),
    "contact": ("负责单位", "联系单位", "contact"),
    "since": ("成立日期", "日期", "since"),
    "members": ("人数", "members"),
    "note": ("备注", "note"),
}
REQUIRED = ("community", "kind", "name")
_HEADER_TO_FIELD = {h.lower(): f for f, headers in COLUMNS.items() for h in headers}


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel numbers it: the header is row 1
    column: str
    message: str


@dataclass
class ImportReport:
    ok: bool
    created: int = 0
    errors: list[RowError] = field(default_factory=list)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    return str(value).strip()


def _invalid_file(message: str) -> ShequError:
    return ShequError(message, code="invalid_file", fields={"file": message})


def _read_sheet(fileobj) -> tuple[list[str], list[tuple[int, tuple[Any, ...]]]]:
    name = str(getattr(fileobj, "name", "") or "")
    data = fileobj.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _invalid_file(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    if not data.startswith(XLSX_MAGIC) or (name and not name.lower().endswith(".xlsx")):
        raise _invalid_file(_("Only Excel .xlsx files can be imported (not .xls, .csv or other files)."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise _invalid_file(_("The file could not be read as an Excel .xlsx workbook.")) from exc
    try:
        cells = workbook.worksheets[0].iter_rows(values_only=True) if workbook.worksheets else iter(())
        header = [_text(c) for c in next(cells, ())]
        rows: list[tuple[int, tuple[Any, ...]]] = []
        for number, values in enumerate(cells, start=2):
            if all(_text(v) == "" for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise _invalid_file(_("The file has more than %(max)d rows: split it.") % {"max": MAX_ROWS})
            rows.append((number, values))
    finally:
        workbook.close()
    if not header or not rows:
        raise _invalid_file(_("The sheet is empty: row 1 holds the column names, the entries below it."))
    return header, rows


def _kind_code(register: str, text: str) -> str:
    for code, label in KINDS[register]:
        if text in (code, label):
            return code
    return text


def entries_import(*, actor, register: str, fileobj) -> ImportReport:
    """Every row checked first; then all written in one transaction, or none. The report names the Excel row,
    the column as the file wrote it, and what is wrong."""
    if register not in Register.values:
        raise ShequError(_("Unknown register."), code="invalid")
    header, rows = _read_sheet(fileobj)
    errors: list[RowError] = []
    columns: dict[str, tuple[int, str]] = {}
    for index, title in enumerate(header):
        key = _HEADER_TO_FIELD.get(title.rstrip("*＊ ").strip().lower())
        if key is not None and key not in columns:
            columns[key] = (index, title)
    for key in REQUIRED:
        if key not in columns:
            errors.append(
                RowError(1, COLUMNS[key][0], _("The column %(c)s is missing.") % {"c": COLUMNS[key][0]})
            )
    if errors:
        return ImportReport(ok=False, errors=errors)

    def cell(values: tuple[Any, ...], key: str) -> Any:
        if key not in columns or columns[key][0] >= len(values):
            return None
        return values[columns[key][0]]

    planned: list[EntryData] = []
    seen: dict[tuple, int] = {}
    for number, values in rows:

        def error(key: str, message: str, *, number: int = number) -> None:
            errors.append(RowError(number, columns[key][1] if key in columns else "", message))

        since: date | None = None
        raw_since = cell(values, "since")
        if isinstance(raw_since, datetime):
            since = raw_since.date()
        elif isinstance(raw_since, date):
            since = raw_since
        elif _text(raw_since):
            try:
                since = date.fromisoformat(_text(raw_since).replace("/", "-"))
            except ValueError:
                error("since", _("Write the date as 2024-03-01."))
        members: int | None = None
        if _text(cell(values, "members")):
            try:
                members = int(_text(cell(values, "members")))
            except ValueError:
                error("members", _("Write the number of members as a whole number."))
        data = EntryData(
            register=register,
            kind=_kind_code(register, _text(cell(values, "kind"))),
            community=_text(cell(values, "community")),
            name=_text(cell(values, "name")),
            reference=_text(cell(values, "reference")),
            contact=_text(cell(values, "contact")),
            since=since,
            members=members,
            note=_text(cell(values, "note")),
        )
        community, problems = _check(data, actor=actor)
        for key, message in problems.items():
            error(key if key in columns else "name", message)
        if not problems:
            same: tuple[str, ...]
            if register in ONE_PER_KIND:
                same = (data.community, data.kind)
            elif register in ONE_PER_COMMUNITY:
                same = (data.community,)
            else:
                same = (data.community, data.name)
            if same in seen:
                error("name", _("The same entry as row %(row)d.") % {"row": seen[same]})
            elif _duplicate(data, community):
                error("name", _duplicate_message(register))
            seen.setdefault(same, number)
        planned.append(data)
    if errors:
        return ImportReport(ok=False, errors=sorted(errors, key=lambda e: (e.row, e.column)))
    try:
        with transaction.atomic():
            for data in planned:
                entry_create(actor=actor, data=data)
            audit_record(
                action="registries.import",
                actor=actor,
                object_repr=f"{register}: {len(planned)}",
                changes={"register": {"after": register}, "rows": {"after": len(planned)}},
            )
    except (ShequError, IntegrityError):
        # Someone added the same entry between the check and the write: nothing of the file stays.
        return ImportReport(
            ok=False, errors=[RowError(0, "", _("The registry changed while importing: try again."))]
        )
    return ImportReport(ok=True, created=len(planned))
