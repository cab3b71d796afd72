"""Reads, always scoped (STYLE.md §2): staff see the surveys of the areas under their `surveys.manage` grants;
a resident sees the surveys his household (or he) was invited to; anything else looks like a missing one (404).
Also the figures other modules read: response rates, results, satisfaction per community, evaluation scores."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from shequ.access.scoping import scope_for, visible_to
from shequ.accounts.roles import Action
from shequ.appeals.selectors import appeal_ratings_by_community
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area
from shequ.residents.models import Resident

from .choices import Measure, QuestionKind, SurveyKind, SurveyStatus
from .models import Invitation, Question, Response, Survey


def survey_list_for(*, user) -> QuerySet[Survey]:
    return visible_to(Survey.objects.select_related("area"), user, Action.SURVEYS_MANAGE)


def survey_get_for(*, user, pk: int) -> Survey:
    return get_object_or_404(survey_list_for(user=user), pk=pk)


def area_for(*, user, code: str) -> Area | None:
    """An area of the user's `surveys.manage` grants by its code; one outside them is None, like an unknown code."""
    area = Area.objects.filter(code=code).first()
    if area is None or not scope_for(user, Action.SURVEYS_MANAGE).covers_path(area.path):
        return None
    return area


def my_surveys(*, user) -> QuerySet[Survey]:
    """Published surveys that ask the user's household (or him)."""
    if user is None or not user.is_authenticated:
        return Survey.objects.none()
    resident = Resident.objects.filter(user=user).only("pk", "household_id").first()
    if resident is None:
        return Survey.objects.none()
    invited = Invitation.objects.filter(
        Q(household_id=resident.household_id, survey__per_household=True)
        | Q(resident_id=resident.pk, survey__per_household=False)
    ).values("survey_id")
    return Survey.objects.filter(pk__in=invited).exclude(status=SurveyStatus.DRAFT).select_related("area")


def my_survey_get(*, user, pk: int) -> Survey:
    return get_object_or_404(my_surveys(user=user), pk=pk)


def my_invitations(*, user, surveys: list[Survey]) -> dict[int, Invitation]:
    resident = Resident.objects.filter(user=user).only("pk", "household_id").first()
    if resident is None:
        return {}
    rows = Invitation.objects.filter(survey__in=surveys).filter(
        Q(household_id=resident.household_id) | Q(resident_id=resident.pk)
    )
    return {i.survey_id: i for i in rows}


# --- response rates ------------------------------------------------------------------------------------------------


@dataclass
class CommunityRate:
    code: str
    name: str
    street: str
    invited: int
    responded: int

    @property
    def rate(self) -> float | None:
        return self.responded / self.invited if self.invited else None


@dataclass
class Rates:
    rows: list[CommunityRate]
    communities: int  # communities under the survey's area
    invited: int = 0
    responded: int = 0
    reached: int = 0  # communities with at least one response: the plan's aim is every one
    not_reached: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.responded / self.invited if self.invited else None


def response_rates(survey: Survey) -> Rates:
    """Invited and answered per community, and which communities under the area no answer has reached."""
    counts = (
        Invitation.objects.filter(survey=survey)
        .values("community_id")
        .annotate(invited=Count("pk"), responded=Count("pk", filter=Q(responded=True)))
    )
    by_id = {c["community_id"]: c for c in counts}
    communities = list(
        Area.objects.filter(path__prefix=survey.area.path, level=AreaLevel.COMMUNITY)
        .select_related("parent")
        .order_by("path")
    )
    if survey.area.level in (AreaLevel.GRID, AreaLevel.ESTATE):
        communities = list(Area.objects.filter(pk__in=list(by_id)).select_related("parent").order_by("path"))
    rates = Rates(rows=[], communities=len(communities))
    for c in communities:
        row = by_id.get(c.pk, {"invited": 0, "responded": 0})
        rates.rows.append(
            CommunityRate(c.code, c.name, c.parent.name if c.parent else "", row["invited"], row["responded"])
        )
        rates.invited += row["invited"]
        rates.responded += row["responded"]
        if row["responded"]:
            rates.reached += 1
        else:
            rates.not_reached.append(c.name)
    return rates


# --- results -------------------------------------------------------------------------------------------------------


def survey_results(survey: Survey, *, community: Area | None = None) -> list[dict[str, Any]]:
    """Per question: counts per choice or scale point (and the mean of a scale), the texts for a text question."""
    questions = list(survey.questions.all())
    responses = Response.objects.filter(survey=survey)
    if community is not None:
        responses = responses.filter(community=community)
    out = []
    tallies: dict[int, dict[str, int]] = {q.position: defaultdict(int) for q in questions}
    texts: dict[int, list[str]] = defaultdict(list)
    answered: dict[int, int] = defaultdict(int)
    for answers in responses.values_list("answers", flat=True).iterator(chunk_size=2000):
        for q in questions:
            value = answers.get(str(q.position))
            if value is None:
                continue
            answered[q.position] += 1
            if q.kind == QuestionKind.TEXT:
                texts[q.position].append(value)
            for v in value if isinstance(value, list) else [value]:
                tallies[q.position][str(v)] += 1
    for q in questions:
        labels = q.choices if q.kind != QuestionKind.SCALE else [str(i) for i in range(1, q.scale_max + 1)]
        counts = [tallies[q.position].get(label, 0) for label in labels]
        row: dict[str, Any] = {
            "position": q.position,
            "kind": q.kind,
            "text": q.text,
            "answered": answered[q.position],
            "labels": labels,
            "counts": counts,
            "pairs": list(zip(labels, counts, strict=True)),
        }
        if q.kind == QuestionKind.SCALE:
            total = sum(counts)
            row["mean"] = round(sum(i * n for i, n in enumerate(counts, 1)) / total, 2) if total else None
            row["scale_max"] = q.scale_max
        if q.kind == QuestionKind.TEXT:
            row["labels"], row["counts"], row["pairs"] = [], [], []
            row["texts"] = texts[q.position][-50:]
        out.append(row)
    return out


def _scale_scores(responses: QuerySet[Response], measure: str) -> tuple[float, int]:
    """Sum of the answers to scale questions counting towards `measure`, each as a share of its scale (0–1), and
    how many answers: so surveys with 5- and 10-point scales add up."""
    questions: dict[int, dict[str, int]] = defaultdict(dict)
    for survey_id, number, scale_max in Question.objects.filter(
        survey__in=responses.values("survey_id"), kind=QuestionKind.SCALE, measure=measure
    ).values_list("survey_id", "position", "scale_max"):
        questions[survey_id][str(number)] = scale_max
    total, n = 0.0, 0
    for survey_id, answers in responses.values_list("survey_id", "answers").iterator(chunk_size=2000):
        for key, scale_max in questions.get(survey_id, {}).items():
            value: Any = answers.get(key)
            if isinstance(value, int):
                total += (value - 1) / (scale_max - 1)
                n += 1
    return total, n


def evaluation_score(*, estate: Area | None = None, subject: str = "", year: int, measure: str) -> dict:
    """Owners' (or residents') evaluation of a year, 0–100 with the number of answers, for shequ/credit:
    an estate's property evaluations, or the evaluations of a subject ("credit:<id>")."""
    surveys = Survey.objects.filter(year=year).exclude(status=SurveyStatus.DRAFT)
    if estate is not None:
        surveys = surveys.filter(kind=SurveyKind.PROPERTY_EVALUATION, area=estate)
    else:
        surveys = surveys.filter(kind=SurveyKind.SERVICE_EVALUATION, subject=subject)
    responses = Response.objects.filter(survey__in=surveys)
    total, n = _scale_scores(responses, measure)
    return {
        "score": round(100 * total / n, 1) if n else None,
        "answers": n,
        "surveys": [{"id": s.pk, "title": s.title} for s in surveys.only("pk", "title")],
    }


@dataclass
class Satisfaction:
    code: str
    name: str
    survey_score: float | None
    survey_answers: int
    appeal_score: float | None
    appeal_ratings: int

    @property
    def combined(self) -> float | None:
        """Both sources weighted by how many answers each has."""
        parts = [
            (s, n)
            for s, n in ((self.survey_score, self.survey_answers), (self.appeal_score, self.appeal_ratings))
        ]
        n = sum(k for s, k in parts if s is not None)
        return round(sum(s * k for s, k in parts if s is not None) / n, 1) if n else None


def satisfaction_by_community(*, area: Area, since: date, until: date) -> list[Satisfaction]:
    """Satisfaction per community under `area`: the satisfaction questions of surveys answered in the period and
    the 好差评 of appeals rated in it (the share rated satisfied, read through appeals' selector), both 0–100."""
    communities = list(
        Area.objects.filter(path__prefix=area.path, level=AreaLevel.COMMUNITY).order_by("path")
    )
    responses = Response.objects.filter(
        community__path__prefix=area.path, submitted_on__gte=since, submitted_on__lte=until
    )
    per: dict[int, tuple[float, int]] = {}
    for community_id in responses.values_list("community_id", flat=True).distinct():
        per[community_id] = _scale_scores(responses.filter(community_id=community_id), Measure.SATISFACTION)
    ratings = appeal_ratings_by_community(path=area.path, since=since, until=until)
    rows = []
    for c in communities:
        total, n = per.get(c.pk, (0.0, 0))
        r_sum, r_n = ratings.get(c.code, (0, 0))
        rows.append(
            Satisfaction(
                code=c.code,
                name=c.name,
                survey_score=round(100 * total / n, 1) if n else None,
                survey_answers=n,
                appeal_score=round(100 * r_sum / r_n, 1) if r_n else None,
                appeal_ratings=r_n,
            )
        )
    return rows
