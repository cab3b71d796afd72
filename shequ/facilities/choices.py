"""Facility types (defaults, loaded as data), weekdays and holiday rules: defined once (STYLE.md §9)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The 15-minute service circle (15分钟服务圈) at an older walker's pace of about 80 m a minute.
WALK_METRES_PER_MINUTE = 80
CIRCLE_METRES = 15 * WALK_METRES_PER_MINUTE  # 1,200 m
CIRCLE_TITLE = _("15-minute service circle")  # the page's name, in the console's menu too


def walk_minutes(metres: float) -> int:
    """Whole minutes on foot, rounded up: a promise of "3 minutes" should not take 4."""
    return max(1, -(-int(metres) // WALK_METRES_PER_MINUTE))


# Weekday keys of the opening-hours structure, Monday first (datetime.weekday() indexes this tuple).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class HolidayRule(models.TextChoices):
    """What a facility does on a public holiday of the working-day calendar (shequ.core.workdays)."""

    AS_USUAL = "as_usual", _("Open as on any other day")
    CLOSED = "closed", _("Closed on public holidays")
    SUNDAY = "sunday", _("Sunday hours on public holidays")


# The default registry types (plan 5.1). code, name (data, Chinese as in the plan), icon (Bootstrap icon name),
# colour (badge background; white text passes WCAG AA on each), sort.
DEFAULT_TYPES = [
    ("party_service", "党群服务中心", "flag", "#b02a37", 10),
    ("health", "社区健康服务中心（社康）", "heart-pulse", "#0a6847", 20),
    ("elderly", "长者服务站", "person-cane", "#8a3b00", 30),
    ("childcare", "托育机构", "balloon", "#6f42c1", 40),
    ("children", "儿童之家", "emoji-smile", "#a3267b", 50),
    ("culture_sports", "文体活动中心", "bicycle", "#0b5ed7", 60),
    ("police", "社区警务室", "shield", "#1d3a6e", 70),
    ("volunteer", "志愿服务站", "people", "#9c4a0a", 80),
    ("shelter", "应急避难场所", "house-heart", "#495057", 90),
    # Social-work stations (社工站): the plan wants one in every street (issue 29); the registries count them here.
    ("social_work", "社工站", "person-heart", "#3d5a80", 95),
]

# The types every resident should reach within 15 minutes on foot (plan 5.1's 15分钟服务圈): a row's
# `in_circle` flag, set for these by default; the city changes the flags as data.
CIRCLE_REQUIRED = ("party_service", "health", "elderly", "childcare", "children", "culture_sports")
