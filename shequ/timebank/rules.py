"""Which rule applies to whom, and where a person's account lives (his home community)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db.models import Q

from shequ.access.scoping import home_area_for
from shequ.geo.choices import AreaLevel
from shequ.geo.models import PATH_SEPARATOR, Area

from .models import TimebankRule


@dataclass(frozen=True)
class Rule:
    name: str
    rate: Decimal = Decimal(1)
    daily_earn_cap: int | None = None
    lifetime_earn_cap: int | None = None
    daily_transfer_cap: int | None = None
    expiry_enabled: bool = False
    expiry_days: int = 730
    inheritance_enabled: bool = False

    def credits_for(self, service_minutes: int) -> int:
        """Minutes of credit for minutes of service at the rate, rounded down to a whole minute."""
        return int((Decimal(service_minutes) * self.rate).to_integral_value(rounding=ROUND_DOWN))


BUILT_IN = Rule(name="default")
# Elderly (老年人): 60 and over. Donations to a named person and government credits go only to them.
ELDERLY_AGE = 60


def rule_for(area: Area | None) -> Rule:
    """The rule of the deepest area at or above `area`; else the rule without an area; else the built-in one
    (1 hour = 1 时间币, no caps, no expiry, no inheritance)."""
    condition = Q(area__isnull=True)
    if area is not None:
        condition |= Q(area__path__in=_ancestor_paths(area.path))
    rows = list(TimebankRule.objects.filter(condition).select_related("area"))
    if not rows:
        return BUILT_IN
    best = max(rows, key=lambda r: len(r.area.path) if r.area else 0)
    return Rule(
        name=best.name,
        rate=best.rate,
        daily_earn_cap=best.daily_earn_cap,
        lifetime_earn_cap=best.lifetime_earn_cap,
        daily_transfer_cap=best.daily_transfer_cap,
        expiry_enabled=best.expiry_enabled,
        expiry_days=best.expiry_days,
        inheritance_enabled=best.inheritance_enabled,
    )


def _ancestor_paths(path: str) -> list[str]:
    codes = [c for c in path.split(PATH_SEPARATOR) if c]
    return [PATH_SEPARATOR + PATH_SEPARATOR.join(codes[: i + 1]) + PATH_SEPARATOR for i in range(len(codes))]


def community_of(area: Area | None) -> Area | None:
    """The community an area lies in (itself if it is one); an area above the community level stays itself."""
    if area is None or area.level == AreaLevel.COMMUNITY:
        return area
    found = Area.objects.filter(level=AreaLevel.COMMUNITY, path__in=_ancestor_paths(area.path)).first()
    return found or area


def home_community(user) -> Area | None:
    return community_of(home_area_for(user))


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
