"""Labels of surveys, defined once for pages, API and exports (STYLE.md §9)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.accounts.roles import Action


class SurveyKind(models.TextChoices):
    GENERAL = "general", _("Questionnaire")
    SATISFACTION = "satisfaction", _("Satisfaction survey")
    # Owners' yearly evaluation of their property company and owners' committee (plan 4.2), read by shequ/credit.
    PROPERTY_EVALUATION = "property_evaluation", _("Owners' evaluation of property services")
    # Residents' evaluation of a domestic-service company (plan 7.3), read by shequ/credit.
    SERVICE_EVALUATION = "service_evaluation", _("Evaluation of a service company")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for answers")
    CLOSED = "closed", _("Closed")


class Sampling(models.TextChoices):
    ALL = "all", _("Every household")
    RANDOM = "random", _("Random sample")
    STRATIFIED = "stratified", _("Sample per community")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale")
    TEXT = "text", pgettext_lazy("question kind", "Text")


class Measure(models.TextChoices):
    """What a scale question measures, for the figures other modules read (satisfaction, credit)."""

    NONE = "", _("Nothing counted")
    SATISFACTION = "satisfaction", _("Satisfaction")
    COMPANY = "company", _("The company's service")
    COMMITTEE = "committee", _("The owners' committee")


# The console home's entry (shequ/web/console.py): who sees it, where it leads, its title.
CONSOLE_SECTIONS = [(Action.SURVEYS_MANAGE, "surveys:console_home", _("Surveys"))]
