from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    """The organisations that handle work (DESIGN.md §4)."""

    CITY_DEPARTMENT = "city_department", _("City department")
    DISTRICT_DEPARTMENT = "district_department", _("District department")
    STREET_OFFICE = "street_office", _("Street office")
    COMMUNITY_STATION = "community_station", _("Community work station")
    HEALTH_CENTRE = "health_centre", _("Community health centre")
    PROPERTY_COMPANY = "property_company", _("Property management company")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    RESIDENT_UNIT = "resident_unit", _("Resident unit")
