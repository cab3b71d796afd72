"""Writes on residents: every one in a transaction with its audit entry (STYLE.md §1, §3)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from shequ.access.scoping import can_at, user_roles
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record, diff_changes
from shequ.core.crypto import hash_lookup
from shequ.core.errors import ShequError
from shequ.core.idnumbers import id_number_birth_date, id_number_gender, validate_id_number, validate_phone
from shequ.core.masking import mask_name
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from .choices import PERSONAL_FIELDS, REVEALABLE_FIELDS
from .models import Household, Resident, Tag

HOUSEHOLD_LEVELS = (AreaLevel.COMMUNITY, AreaLevel.GRID, AreaLevel.ESTATE, AreaLevel.BUILDING)


def _roles(actor: User | None) -> str:
    return ",".join(sorted(user_roles(actor))) if actor else ""


def _require(actor: User | None, action: str, area: Area) -> None:
    """Refuse, and record the refusal in its own transaction (it must outlive the refused action's rollback)."""
    if actor is not None and not can_at(actor, action, area.path):
        audit_record(
            action="residents.refused",
            actor=actor,
            actor_role=_roles(actor),
            object_repr=f"{action} @ {area.code}",
        )
        raise PermissionDenied(gettext("You may not do this here."))


def clean_resident_fields(*, name: str, id_number: str, phone: str) -> dict:
    """Validate and normalise; raise ShequError listing every bad field at once."""
    errors: dict[str, str] = {}
    out: dict = {}
    name = (name or "").strip()
    if not name or len(name) > 50:
        errors["name"] = "A real name of 1 to 50 characters is required."
    out["name"] = name
    try:
        out["id_number"] = validate_id_number(id_number or "")
    except ValidationError as exc:
        errors["id_number"] = " ".join(exc.messages)
    try:
        out["phone"] = validate_phone(phone) if (phone or "").strip() else ""
    except ValidationError as exc:
        errors["phone"] = " ".join(exc.messages)
    if errors:
        raise ShequError(gettext("Some fields are not valid."), code="invalid", fields=errors)
    out["birth_date"] = id_number_birth_date(out["id_number"])
    out["gender"] = id_number_gender(out["id_number"])
    return out


def household_create(*, actor: User | None, area: Area, room: str = "", synthetic: bool = False) -> Household:
    if area.level not in HOUSEHOLD_LEVELS:
        raise ShequError(
            gettext("A household sits in a community, grid, estate or building."), fields={"area": area.code}
        )
    _require(actor, Action.RESIDENTS_EDIT, area)
    with transaction.atomic():
        household = Household.objects.create(area=area, room=room.strip(), synthetic=synthetic)
        audit_record(
            action="household.create",
            actor=actor,
            actor_role=_roles(actor),
            obj=household,
            object_repr=f"{area.name} household",
            changes=diff_changes(
                {}, {"area": area.code, "room": household.room}, personal={"room": "address"}
            ),
        )
    return household


def resident_create(
    *,
    actor: User | None,
    household: Household,
    name: str,
    id_number: str,
    phone: str = "",
    relation: str = "",
    tags: Iterable[str] = (),
    synthetic: bool = False,
) -> Resident:
    _require(actor, Action.RESIDENTS_EDIT, household.area)
    fields = clean_resident_fields(name=name, id_number=id_number, phone=phone)
    if Resident.objects.filter(**hash_lookup(Resident, "id_number", fields["id_number"])).exists():
        raise ShequError(
            gettext("A resident with this ID number is already registered."),
            code="duplicate",
            fields={"id_number": "duplicate"},
        )
    tag_objs = _tags(tags)
    # The refusal above is recorded on its own; from here on the row, its tags and its audit entry are one unit.
    with transaction.atomic():
        try:
            with transaction.atomic():
                resident = Resident.objects.create(
                    household=household,
                    area=household.area,
                    relation=relation[:20],
                    synthetic=synthetic,
                    **fields,
                )
        except IntegrityError:  # a concurrent insert of the same ID number won the race
            raise ShequError(
                gettext("A resident with this ID number is already registered."),
                code="duplicate",
                fields={"id_number": "duplicate"},
            ) from None
        resident.tags.set(tag_objs)
        audit_record(
            action="resident.create",
            actor=actor,
            actor_role=_roles(actor),
            obj=resident,
            object_repr=mask_name(resident.name),
            changes=diff_changes(
                {},
                {
                    "name": fields["name"],
                    "id_number": fields["id_number"],
                    "phone": fields["phone"],
                    "tags": sorted(t.code for t in tag_objs),
                },
                personal={**PERSONAL_FIELDS, "name": "name"},
            ),
        )
    return resident


def _tags(codes: Iterable[str]) -> list[Tag]:
    codes = [c for c in codes if c]
    found = list(Tag.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {t.code for t in found})
    if missing:
        raise ShequError(
            gettext("Unknown tags: %(tags)s.") % {"tags": "、".join(missing)}, fields={"tags": missing}
        )
    return found


def resident_reveal(
    *, actor: User, resident: Resident, fields: Iterable[str], purpose: str
) -> dict[str, str]:
    """The plaintext of personal fields, for a role that may reveal them, with a stated purpose; audited."""
    fields = list(dict.fromkeys(fields))
    bad = [f for f in fields if f not in REVEALABLE_FIELDS]
    if not fields or bad:
        raise ShequError(
            gettext("Choose what to reveal: id_number, phone or room."), fields={"fields": bad or "required"}
        )
    purpose = (purpose or "").strip()
    if len(purpose) < 4:
        raise ShequError(
            gettext("State the purpose of this reveal (at least 4 characters)."),
            fields={"purpose": "required"},
        )
    if not can_at(actor, Action.RESIDENTS_REVEAL, resident.area.path):
        audit_record(
            action="resident.reveal_refused",
            actor=actor,
            actor_role=_roles(actor),
            obj=resident,
            object_repr=mask_name(resident.name),
            purpose=purpose,
        )
        raise PermissionDenied(gettext("Your role may not reveal personal data."))
    with transaction.atomic():
        return _reveal(actor=actor, resident=resident, fields=fields, purpose=purpose)


def _reveal(*, actor: User, resident: Resident, fields: list[str], purpose: str) -> dict[str, str]:
    values = {
        "id_number": resident.id_number,
        "phone": resident.phone,
        "room": resident.household.room,
    }
    audit_record(
        action="resident.reveal",
        actor=actor,
        actor_role=_roles(actor),
        obj=resident,
        object_repr=mask_name(resident.name),
        purpose=purpose,
        changes={f: {"revealed": True} for f in fields},
    )
    return {f: values[f] for f in fields}


def resident_groups_viewed(*, actor: User, residents: list[dict], via: str) -> None:
    """Record that special-group membership (sensitive personal information) was shown to `actor`: one entry per
    page or answer that showed any, naming the residents by id. `residents` are resident_out() dicts."""
    vulnerable = _vulnerable_codes()
    shown = [r["id"] for r in residents if any(t["code"] in vulnerable for t in r["tags"])]
    if not shown:
        return
    with transaction.atomic():
        audit_record(
            action="residents.groups_viewed",
            actor=actor,
            actor_role=_roles(actor),
            object_type="residents.resident",
            object_repr=f"{len(shown)} residents' special groups",
            changes={"residents": shown, "via": via},
        )


def _vulnerable_codes() -> set[str]:
    return set(Tag.objects.filter(vulnerable=True).values_list("code", flat=True))
