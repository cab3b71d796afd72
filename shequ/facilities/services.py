"""Writes of the facility registry. Registry upkeep runs from commands and the demo seed for now (actor None,
audited as the system); a console form for facility upkeep would call the same service."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.audit.services import audit_record
from shequ.core.errors import ShequError
from shequ.core.idnumbers import normalize_phone
from shequ.geo.models import Area

from .choices import CIRCLE_REQUIRED, DEFAULT_TYPES, HolidayRule
from .hours import validate_hours
from .models import Facility, FacilityType

# A public service number: a landline with its area code (0755-83451234), a short hotline (12345, 110) or a
# 400/800 number. A mobile is a person's number: refused, it has no place in a public registry.
_SERVICE_PHONE = re.compile(r"^(0[1-9][0-9]{8,10}|1[0-2][0-9]{1,4}|[48]00[0-9]{7})$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


@dataclass
class FacilityData:
    name: str
    type: str
    area: str
    lat: float
    lng: float
    address: str = ""
    phone: str = ""
    hours: dict = field(default_factory=dict)
    holiday_rule: str = HolidayRule.AS_USUAL
    holiday_note: str = ""
    services: list[str] = field(default_factory=list)
    accessible: bool = False
    synthetic: bool = False
    source: str = ""


def _check(data: FacilityData) -> tuple[FacilityType, Area, dict]:
    fields: dict[str, str] = {}
    if not data.name.strip() or len(data.name) > 120:
        fields["name"] = _("Give a name of 1 to 120 characters.")
    ftype = FacilityType.objects.filter(code=data.type, is_active=True).first()
    if ftype is None:
        fields["type"] = _("Unknown facility type.")
    area = Area.objects.filter(code=data.area).first()
    if area is None:
        fields["area"] = _("No area has this code.")
    if not (-90 <= data.lat <= 90):
        fields["lat"] = _("Latitude must be between -90 and 90.")
    if not (-180 <= data.lng <= 180):
        fields["lng"] = _("Longitude must be between -180 and 180.")
    digits = normalize_phone(data.phone) if data.phone else ""
    if digits and _MOBILE.match(digits):
        fields["phone"] = _("A mobile number is personal data: give the facility's landline or hotline.")
    elif digits and not _SERVICE_PHONE.match(digits):
        fields["phone"] = _("Give a landline with its area code, a hotline or a 400/800 number.")
    if data.holiday_rule not in HolidayRule.values:
        fields["holiday_rule"] = _("Unknown holiday rule.")
    if not isinstance(data.services, list) or not all(isinstance(s, str) for s in data.services):
        fields["services"] = _("Services are a list of short texts.")
    if fields:
        raise ShequError(_("The facility is not valid."), code="invalid", fields=fields)
    hours = validate_hours(data.hours)
    assert ftype is not None and area is not None
    return ftype, area, hours


def facility_types_ensure() -> int:
    """Create the default facility types that are missing (migration 0002 loads them too; a test database
    flushed between transactional tests loses them). Existing rows are left as the city edited them."""
    created = 0
    for code, name, icon, colour, sort in DEFAULT_TYPES:
        _, made = FacilityType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "icon": icon,
                "colour": colour,
                "sort": sort,
                "in_circle": code in CIRCLE_REQUIRED,
            },
        )
        created += made
    return created


@transaction.atomic
def facility_create(*, actor, data: FacilityData) -> Facility:
    """Add a facility to the registry (validated; audited in the same transaction)."""
    ftype, area, hours = _check(data)
    facility = Facility.objects.create(
        name=data.name.strip(),
        type=ftype,
        area=area,
        address=data.address.strip()[:200],
        lat=round(data.lat, 7),
        lng=round(data.lng, 7),
        phone=data.phone.strip(),
        hours=hours,
        holiday_rule=data.holiday_rule,
        holiday_note=data.holiday_note.strip()[:200],
        services=[s.strip()[:60] for s in data.services if s.strip()][:30],
        accessible=data.accessible,
        synthetic=data.synthetic,
        source=data.source[:100],
    )
    audit_record(
        action="facility.create",
        actor=actor,
        actor_username="" if actor else "system",
        obj=facility,
        object_repr=facility.name,
        changes={
            "type": {"after": ftype.code},
            "area": {"after": area.code},
            "synthetic": {"after": data.synthetic},
        },
    )
    return facility


# --- upkeep from the console (issue 21): staff within the areas of their facilities.manage grants ---------------
def facility_list_for(*, user):
    """The facilities under the areas of the user's `facilities.manage` grants (the public reads stay unscoped)."""
    from django.db.models import Q

    from shequ.access.scoping import scope_for
    from shequ.accounts.roles import Action

    condition = Q(pk__in=[])
    for path in scope_for(user, Action.FACILITIES_MANAGE).paths:
        condition |= Q(area__path__prefix=path)
    return Facility.objects.filter(condition).select_related("type", "area")


def _may_place(actor, area: Area) -> None:
    from django.core.exceptions import PermissionDenied

    from shequ.access.scoping import can_at
    from shequ.accounts.roles import Action

    if not can_at(actor, Action.FACILITIES_MANAGE, area.path):
        audit_record(action="facility.refused", actor=actor, object_repr=f"@ {area.code}")
        raise PermissionDenied(_("You may not keep facilities in this area."))


def facility_add(*, actor, data: FacilityData) -> Facility:
    """facility_create for a member of staff: only inside his areas."""
    _ftype, area, _hours = _check(data)
    _may_place(actor, area)
    return facility_create(actor=actor, data=data)


UPDATABLE = ("name", "type", "area", "address", "lat", "lng", "phone", "accessible", "is_active")


def facility_update(*, actor, facility: Facility, data: FacilityData, is_active: bool) -> Facility:
    """Change a facility fetched through facility_list_for; a move needs the new area in the actor's areas too.
    Services keep their values (data carries them); opening hours, the holiday rule and note are changed and
    audited like the rest."""
    ftype, area, hours = _check(data)
    _may_place(actor, area)
    with transaction.atomic():
        facility = Facility.objects.select_for_update().select_related("type", "area").get(pk=facility.pk)
        after = {
            "name": data.name.strip(),
            "type": ftype,
            "area": area,
            "address": data.address.strip()[:200],
            "lat": round(data.lat, 7),
            "lng": round(data.lng, 7),
            "phone": data.phone.strip(),
            "accessible": data.accessible,
            "is_active": is_active,
            # Opening hours as data (issue 21: edited in the console); unchanged when data carries the old ones.
            "hours": hours,
            "holiday_rule": data.holiday_rule,
            "holiday_note": data.holiday_note.strip()[:200],
        }

        def shown(value):
            return getattr(value, "code", value)

        changes = {
            k: {"before": shown(getattr(facility, k)), "after": shown(v)}
            for k, v in after.items()
            if getattr(facility, k) != v
        }
        if changes:
            for k, v in after.items():
                setattr(facility, k, v)
            facility.save()
            audit_record(
                action="facility.update",
                actor=actor,
                obj=facility,
                object_repr=facility.name,
                changes=changes,
            )
    return facility
