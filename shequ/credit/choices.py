"""Labels of the credit lists, defined once for pages, API and exports (STYLE.md §9)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.accounts.roles import Action


class SubjectKind(models.TextChoices):
    PROPERTY_COMPANY = "property_company", _("Property management company")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    DOMESTIC_COMPANY = "domestic_company", _("Domestic-service company")


class Standing(models.TextChoices):
    INCENTIVE = "incentive", _("Incentive list")
    NORMAL = "normal", _("Normal")
    RISK = "risk", _("Risk list")


STANDING_BADGE = {Standing.INCENTIVE: "success", Standing.NORMAL: "secondary", Standing.RISK: "danger"}


class Level(models.TextChoices):
    """The supervision that follows a standing (plan 4.2: supervision differentiated by credit level)."""

    A = "A", _("A: good credit — one routine inspection a year, recommended to estates choosing a company")
    B = "B", _("B: routine supervision — an inspection every half year")
    C = "C", _("C: close supervision — an inspection every quarter, a talk with the management, published")


# The console home's entry (shequ/web/console.py): who sees it, where it leads, its title.
CONSOLE_SECTIONS = [(Action.CREDIT_MANAGE, "credit:console_lists", _("Credit lists"))]
