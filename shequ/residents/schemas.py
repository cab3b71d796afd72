from datetime import date

from ninja import Schema

from shequ.access.scoping import can_at
from shequ.accounts.roles import Action
from shequ.core.masking import mask_address, mask_id_number, mask_phone

from .models import Resident


class TagOut(Schema):
    code: str
    name: str


class ResidentOut(Schema):
    """A resident as the API shows him: personal identifiers masked, age instead of birth date."""

    id: int
    name: str
    id_number: str
    phone: str
    gender: str
    age: int
    minor: bool
    area: str
    area_name: str
    household: int
    address: str
    relation: str
    tags: list[TagOut]
    synthetic: bool


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def groups_visible(viewer, r: Resident) -> bool:
    """Special-group membership (低保, 特困, 残疾 …) is PIPL sensitive personal information: only those who serve
    these people in the resident's area (care.groups_view) see it; everyone else sees the other tags."""
    return viewer is not None and can_at(viewer, Action.CARE_GROUPS_VIEW, r.area.path)


def resident_out(r: Resident, *, today: date, viewer=None) -> dict:
    """The masked resident; vulnerable-group tags only when `viewer` may see them there (none without one)."""
    show_groups = groups_visible(viewer, r)
    return {
        "id": r.pk,
        "name": r.name,
        "id_number": mask_id_number(r.id_number),
        "phone": mask_phone(r.phone),
        "gender": r.gender,
        "age": _age(r.birth_date, today),
        "minor": r.is_minor,
        "area": r.area.code,
        "area_name": r.area.name,
        "household": r.household_id,
        "address": f"{r.household.area.name} {mask_address(r.household.room)}".strip(),
        "relation": r.relation,
        "tags": [{"code": t.code, "name": t.name} for t in r.tags.all() if show_groups or not t.vulnerable],
        "synthetic": r.synthetic,
    }


class RevealIn(Schema):
    fields: list[str]
    purpose: str


class RevealOut(Schema):
    id: int
    values: dict[str, str]
    audited: bool = True
