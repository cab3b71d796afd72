from datetime import date

from ninja import Schema

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


def resident_out(r: Resident, *, today: date) -> dict:
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
        "tags": [{"code": t.code, "name": t.name} for t in r.tags.all()],
        "synthetic": r.synthetic,
    }


class RevealIn(Schema):
    fields: list[str]
    purpose: str


class RevealOut(Schema):
    id: int
    values: dict[str, str]
    audited: bool = True
