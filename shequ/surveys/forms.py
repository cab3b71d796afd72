"""The questionnaire builder's forms (console): the survey, and one row per question. They check what a form can
(types, lengths, choices limited to the user's areas); services.survey_create checks the questionnaire as a whole
(choices, scales, skip logic) and writes it (STYLE.md §1)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.access.scoping import areas_in_scope, can
from shequ.accounts.roles import Action
from shequ.core.forms import StyledForm
from shequ.geo.choices import AreaLevel
from shequ.residents.models import Tag

from .choices import Measure, QuestionKind, Sampling, SurveyKind
from .services import MAX_CHOICES

QUESTION_ROWS = 12  # rows on the builder; rows left empty are ignored (the API takes up to MAX_QUESTIONS)
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SurveyForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=SurveyKind.choices, initial=SurveyKind.GENERAL)
    area = forms.ChoiceField(label=_("Sent to"))
    description = forms.CharField(
        label=_("Introduction"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown above the questions: why you ask, and what happens with the answers."),
    )
    group = forms.ChoiceField(label=_("Only this group"), required=False)
    sampling = forms.ChoiceField(label=_("Whom it asks"), choices=Sampling.choices, initial=Sampling.ALL)
    sample_size = forms.IntegerField(
        label=_("Sample size"),
        min_value=0,
        max_value=100_000,
        required=False,
        help_text=_("Random sample: households in all; sample per community: households in each community."),
    )
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=DATETIME)
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=DATETIME)
    year = forms.IntegerField(label=_("Year evaluated"), min_value=2000, max_value=2100, required=False)
    anonymous = forms.BooleanField(
        label=_("Anonymous (the answers are not linked to an account)"), required=False
    )
    per_household = forms.BooleanField(label=_("One answer per household"), required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        if not args or args[0] is None:
            today = timezone.localdate()
            kwargs.setdefault(
                "initial",
                {
                    "opens_at": timezone.localtime().replace(second=0, microsecond=0),  # open from now
                    "closes_at": timezone.make_aware(datetime.combine(today + timedelta(days=14), time(18))),
                    "anonymous": True,
                    "per_household": True,
                },
            )
        super().__init__(*args, **kwargs)
        levels = (AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY)
        indent: dict[str, str] = {
            AreaLevel.DISTRICT: "　",
            AreaLevel.STREET: "　　",
            AreaLevel.COMMUNITY: "　　　",
        }
        areas: list[tuple[str, object]] = [("", _("Choose…"))]
        areas += [
            (a.code, f"{indent.get(a.level, '')}{a.name}")
            for a in areas_in_scope(user, Action.SURVEYS_MANAGE, levels=levels)
        ]
        self.fields["area"].choices = areas  # type: ignore[attr-defined]
        # A special group (低保, 独居老人 …) is sensitive personal information: offered only to those who may see it.
        tags = (
            Tag.objects.all() if can(user, Action.CARE_GROUPS_VIEW) else Tag.objects.filter(vulnerable=False)
        )
        self.fields["group"].choices = [("", _("Everyone in the area"))] + [  # type: ignore[attr-defined]
            (t.code, t.name) for t in tags
        ]


class QuestionForm(StyledForm):
    kind = forms.ChoiceField(
        label=pgettext_lazy("of a question", "Kind"),
        choices=[("", _("Choose…")), *QuestionKind.choices],
        required=False,
    )
    text = forms.CharField(label=_("Question"), max_length=200, required=False)
    choices = forms.CharField(
        label=_("Choices, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a choice question: 2 to %(n)d different answers.") % {"n": MAX_CHOICES},
    )
    scale_max = forms.IntegerField(
        label=_("Scale from 1 to"), min_value=2, max_value=10, initial=5, required=False
    )
    measure = forms.ChoiceField(label=_("Counts towards"), choices=Measure.choices, required=False)
    show_if_position = forms.IntegerField(
        label=_("Ask only if question no."), min_value=1, max_value=50, required=False
    )
    show_if_choice = forms.CharField(label=_("was answered"), max_length=100, required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)

    def has_content(self) -> bool:
        c = getattr(self, "cleaned_data", {})
        return bool(c.get("kind") or (c.get("text") or "").strip())

    def question(self) -> dict:
        """The question as services.questions_clean reads it."""
        c = self.cleaned_data
        show_if = None
        if c.get("show_if_position"):
            show_if = {"position": c["show_if_position"], "choice": (c.get("show_if_choice") or "").strip()}
        return {
            "kind": c.get("kind") or "",
            "text": c.get("text") or "",
            "choices": [line.strip() for line in (c.get("choices") or "").splitlines() if line.strip()],
            "required": bool(c.get("required")),
            "scale_max": c.get("scale_max") or 5,
            "measure": c.get("measure") or "",
            "show_if": show_if,
        }


QuestionFormSet = forms.formset_factory(
    QuestionForm, extra=QUESTION_ROWS, max_num=QUESTION_ROWS, absolute_max=QUESTION_ROWS
)
