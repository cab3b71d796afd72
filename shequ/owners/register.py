"""The unit register of an estate (业主名册): exclusive parts with area and its source, owners and co-owners, the
developer's unsold parts; import from .xlsx, all or nothing with row errors; every change audited.

Writes here are services (STYLE.md §1): `<entity>_<verb>(*, actor, ...)`, in one transaction with their audit
entry. `actor=None` is the demo seeder or an operator's command."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction
from django.utils.translation import gettext

from shequ.access.scoping import can_at
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record, diff_changes
from shequ.core.errors import NotFound, ShequError
from shequ.core.masking import mask_name
from shequ.core.sheets import read_rows
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area
from shequ.residents.models import Resident

from .models import EstateSettings, Owner, Ownership, Part

MAX_AREA = Decimal("99999999.99")


def require_estate(actor, estate: Area) -> None:
    """Staff act on the estates under their `owners.manage` grants; anything else looks like a missing estate."""
    if estate.level != AreaLevel.ESTATE:
        raise NotFound(gettext("Not found."))
    if actor is not None and not can_at(actor, Action.OWNERS_MANAGE, estate.path):
        raise NotFound(gettext("Not found."))


def _area(value: object, column: str) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ShequError(
            gettext("%(column)s is not a number.") % {"column": column}, fields={column: "number"}
        ) from None
    if not number.is_finite() or number <= 0 or number > MAX_AREA:
        raise ShequError(
            gettext("%(column)s must be a positive area in m².") % {"column": column},
            fields={column: "range"},
        )
    if number != number.quantize(Decimal("0.01")):
        raise ShequError(
            gettext("%(column)s has more than two decimals.") % {"column": column},
            fields={column: "decimals"},
        )
    return number


def estate_settings(estate: Area) -> EstateSettings:
    """The estate's choices, or the defaults (unsaved) when it never changed them: a read writes nothing."""
    return EstateSettings.objects.filter(estate=estate).first() or EstateSettings(estate=estate)


def estate_settings_update(*, actor, estate: Area, silent_follow_majority: bool) -> EstateSettings:
    require_estate(actor, estate)
    with transaction.atomic():
        found, _ = EstateSettings.objects.select_for_update().get_or_create(estate=estate)
        before = found.silent_follow_majority
        found.silent_follow_majority = silent_follow_majority
        found.save(update_fields=["silent_follow_majority"])
        audit_record(
            action="owners.settings_update",
            actor=actor,
            obj=found,
            object_repr=estate.name,
            changes=diff_changes(
                {"silent_follow_majority": before}, {"silent_follow_majority": silent_follow_majority}
            ),
        )
    return found


def owner_create(
    *, actor, estate: Area, name: str, resident: Resident | None = None, user=None, synthetic: bool = False
) -> Owner:
    require_estate(actor, estate)
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise ShequError(
            gettext("Enter the owner's name (at most 50 characters)."), fields={"name": "required"}
        )
    with transaction.atomic():
        owner = Owner.objects.create(
            estate=estate, name=name, resident=resident, user=user, synthetic=synthetic
        )
        audit_record(
            action="owners.owner_create",
            actor=actor,
            obj=owner,
            object_repr=mask_name(name),
            changes=diff_changes({}, {"name": name, "estate": estate.code}, personal={"name": "name"}),
        )
    return owner


def part_create(
    *,
    actor,
    estate: Area,
    number: str,
    area_registered: Decimal | None = None,
    area_surveyed: Decimal | None = None,
    area_contract: Decimal | None = None,
    developer_unsold: bool = False,
    owners: Sequence[Owner] = (),
    synthetic: bool = False,
    audit: bool = True,
) -> Part:
    """An exclusive part. A developer's unsold part has no owner; any other part has one or more (co-owners)."""
    require_estate(actor, estate)
    number = (number or "").strip()
    if not number or len(number) > 40:
        raise ShequError(
            gettext("Enter the part's number (at most 40 characters)."), fields={"number": "required"}
        )
    if area_registered is None and area_surveyed is None and area_contract is None:
        raise ShequError(
            gettext("A part needs its registered, surveyed or contract area."), fields={"area": "required"}
        )
    if developer_unsold and owners:
        raise ShequError(gettext("An unsold part has no owner yet."), fields={"owners": "unsold"})
    if any(o.estate_id != estate.pk for o in owners):
        raise ShequError(gettext("The owner is not in this estate's register."), fields={"owners": "estate"})
    with transaction.atomic():
        if Part.objects.filter(estate=estate, number=number).exists():
            raise ShequError(
                gettext("The estate already has a part %(number)s.") % {"number": number},
                code="duplicate",
                fields={"number": "duplicate"},
            )
        part = Part.objects.create(
            estate=estate,
            number=number,
            area_registered=area_registered,
            area_surveyed=area_surveyed,
            area_contract=area_contract,
            developer_unsold=developer_unsold,
            synthetic=synthetic,
        )
        Ownership.objects.bulk_create([Ownership(part=part, owner=o) for o in owners])
        if audit:
            audit_record(
                action="owners.part_create",
                actor=actor,
                obj=part,
                object_repr=f"{estate.name} {number}",
                changes=diff_changes({}, _part_state(part, owners)),
            )
    return part


def _part_state(part: Part, owners: Sequence[Owner]) -> dict:
    return {
        "number": part.number,
        "area_registered": str(part.area_registered) if part.area_registered is not None else None,
        "area_surveyed": str(part.area_surveyed) if part.area_surveyed is not None else None,
        "area_contract": str(part.area_contract) if part.area_contract is not None else None,
        "developer_unsold": part.developer_unsold,
        "owners": sorted(o.pk for o in owners),
    }


def part_transfer(*, actor, part: Part, owners: Sequence[Owner]) -> Part:
    """A sale (or a change of owners): the part leaves the developer and is held by `owners`."""
    require_estate(actor, part.estate)
    if not owners:
        raise ShequError(gettext("Choose at least one owner."), fields={"owners": "required"})
    if any(o.estate_id != part.estate_id for o in owners):
        raise ShequError(gettext("The owner is not in this estate's register."), fields={"owners": "estate"})
    with transaction.atomic():
        before = _part_state(part, list(part.owners.all()))
        part.developer_unsold = False
        part.save(update_fields=["developer_unsold"])
        Ownership.objects.filter(part=part).delete()
        Ownership.objects.bulk_create([Ownership(part=part, owner=o) for o in owners])
        audit_record(
            action="owners.part_transfer",
            actor=actor,
            obj=part,
            object_repr=f"{part.estate.name} {part.number}",
            changes=diff_changes(before, _part_state(part, owners)),
        )
    return part


# --- import ------------------------------------------------------------------------------------------------------

COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("房号", "number"),
    "area_registered": ("登记面积", "registered area"),
    "area_surveyed": ("实测面积", "surveyed area"),
    "area_contract": ("合同面积", "contract area"),
    "owners": ("业主", "owners"),
    "unsold": ("开发商未售", "developer unsold"),
}
REQUIRED = ("number",)
YES_WORDS = {"是", "y", "yes", "1", "true", "未售", "未交付"}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    ok: bool = True
    parts: int = 0
    owners: int = 0
    errors: list[RowError] = field(default_factory=list)


def register_import(*, actor, estate: Area, fileobj: IO[bytes], synthetic: bool = False) -> ImportReport:
    """Check every row, then write every part and owner in one transaction, or nothing if any row is wrong.

    Owners are named in the 业主 column, co-owners separated by 、 or a comma. One name is one owner of the estate:
    a name on several rows is one buyer of several parts (one person, SPC Art. 9), and a name already in the
    register is that owner."""
    require_estate(actor, estate)
    report = ImportReport()
    known = {o.name: o for o in Owner.objects.filter(estate=estate)}
    numbers = set(Part.objects.filter(estate=estate).values_list("number", flat=True))
    rows: list[tuple[str, dict[str, Decimal | None], bool, list[str]]] = []
    for number, row in read_rows(fileobj, columns=COLUMNS, required=REQUIRED):

        def err(column: str, message: str, number: int = number) -> None:
            report.errors.append(RowError(number, COLUMNS[column][0], message))

        part_number = str(row.get("number") or "").strip()
        if not part_number or len(part_number) > 40:
            err("number", gettext("Enter the part's number (at most 40 characters)."))
        elif part_number in numbers:
            err("number", gettext("The estate already has a part %(number)s.") % {"number": part_number})
        numbers.add(part_number)
        areas: dict[str, Decimal | None] = {}
        for column in ("area_registered", "area_surveyed", "area_contract"):
            try:
                areas[column] = _area(row.get(column), COLUMNS[column][0])
            except ShequError as exc:
                err(column, exc.message)
                areas[column] = None
        if all(v is None for v in areas.values()) and not any(e.row == number for e in report.errors):
            err("area_registered", gettext("A part needs its registered, surveyed or contract area."))
        unsold = str(row.get("unsold") or "").strip().lower() in YES_WORDS
        names = [
            n.strip()
            for n in str(row.get("owners") or "").replace("，", "、").replace(",", "、").split("、")
            if n.strip()
        ]
        if unsold and names:
            err("owners", gettext("An unsold part has no owner yet."))
        elif not unsold and not names:
            err("owners", gettext("Name the owner, or mark the part as the developer's unsold part."))
        if any(len(n) > 50 for n in names):
            err("owners", gettext("An owner's name is at most 50 characters."))
        rows.append((part_number, areas, unsold, names))
    if not rows and not report.errors:
        report.errors.append(RowError(1, COLUMNS["number"][0], gettext("The sheet has no parts.")))
    if report.errors:
        report.ok = False
        return report
    with transaction.atomic():
        for part_number, areas, unsold, names in rows:
            owners = []
            for name in dict.fromkeys(names):
                if name not in known:
                    known[name] = Owner.objects.create(estate=estate, name=name, synthetic=synthetic)
                    report.owners += 1
                owners.append(known[name])
            part_create(
                actor=actor,
                estate=estate,
                number=part_number,
                developer_unsold=unsold,
                owners=owners,
                synthetic=synthetic,
                audit=False,
                **areas,
            )
            report.parts += 1
        audit_record(
            action="owners.register_import",
            actor=actor,
            obj=estate,
            object_repr=estate.name,
            changes={"parts": report.parts, "owners": report.owners},
        )
    return report
