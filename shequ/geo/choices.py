"""Area levels, defined once for models, API and pages."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    ESTATE = "estate", _("Estate")
    BUILDING = "building", _("Building")


# Depth of each level in the tree; a child is always exactly one level deeper than its parent.
LEVEL_DEPTH = {level: depth for depth, level in enumerate(AreaLevel.values)}
