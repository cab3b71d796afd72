"""Surveys (plan 5.2 满意度调查; 4.2 owners' evaluation of property services): a questionnaire sent to the
households (or people) of an area and group, all of them or a sample drawn reproducibly, and their answers.

One response per household (or person) is kept by the database: `Participation` is unique per survey and
respondent, written in the same transaction as the response. In an anonymous survey the response carries nothing
that leads back to the person: no user, no household, no time of day (only the date), and a random primary key,
so neither its number nor its order says who answered when. Staff see who has answered (the response rates need
it), never what.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.geo.models import Area
from shequ.residents.models import Household, Resident, Tag

from .choices import Measure, QuestionKind, Sampling, SurveyKind, SurveyStatus


class Survey(models.Model):
    """A questionnaire and whom it asks: the households (or people) under `area`, of `group` if set, all of them
    or a sample (random, or stratified per community) drawn from `sample_seed`, so that the draw can be repeated."""

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=SurveyKind.choices, default=SurveyKind.GENERAL)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(
        Tag,
        verbose_name=pgettext_lazy("population group", "group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    anonymous = models.BooleanField(_("anonymous"), default=True)
    per_household = models.BooleanField(_("one response per household"), default=True)
    sampling = models.CharField(_("sampling"), max_length=12, choices=Sampling.choices, default=Sampling.ALL)
    sample_size = models.PositiveIntegerField(_("sample size"), default=0)
    sample_seed = models.BigIntegerField(null=True, blank=True)
    # An evaluation's year and its subject ("credit:<id>" for a company in shequ/credit): read by shequ/credit.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    subject = models.CharField(max_length=40, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="surveys_window"),
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A question at a position. Skip logic: asked only when the answer to the question at `show_if_position`
    (an earlier one) is or includes `show_if_choice`."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=200)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(pgettext_lazy("survey question", "required"), default=True)
    scale_max = models.PositiveSmallIntegerField(default=5)
    measure = models.CharField(max_length=16, choices=Measure.choices, blank=True, default="")
    show_if_position = models.PositiveSmallIntegerField(null=True, blank=True)
    show_if_choice = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="surveys_question_position"),
            models.CheckConstraint(
                condition=Q(show_if_position__isnull=True) | Q(show_if_position__lt=models.F("position")),
                name="surveys_skip_to_an_earlier_question",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"


class Invitation(models.Model):
    """A household (or person) the survey asks: drawn into its sample, or every one under its area when it is
    not sampled. `responded` says that it has answered (for the response rates and reminders), never what."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    responded = models.BooleanField(default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)

    scope_path_field = "community__path"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "household"],
                condition=Q(household__isnull=False),
                name="surveys_invitation_household",
            ),
            models.UniqueConstraint(
                fields=["survey", "resident"],
                condition=Q(resident__isnull=False),
                name="surveys_invitation_resident",
            ),
        ]
        indexes = [models.Index(fields=["survey", "community"], name="surveys_invitation_community")]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.pk}"


class Participation(models.Model):
    """That a household ("h:<id>") or person ("r:<id>") has answered a survey: the database's guard of one
    response each. No time and no link to the response: it says who took part, never what they said."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="surveys_one_response_each")]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.key}"


class Response(models.Model):
    """The answers of one household or person, by question position. A random key and only the date: an
    anonymous response cannot be put next to a participation or an audit entry by its order or its time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_on = models.DateField()
    answers = models.JSONField(default=dict)
    synthetic = models.BooleanField(default=False)

    scope_path_field = "community__path"

    class Meta:
        indexes = [models.Index(fields=["survey", "community"], name="surveys_response_community")]

    def __str__(self) -> str:
        return str(self.pk)
