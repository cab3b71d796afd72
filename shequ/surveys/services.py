"""Surveys from builder to answers: create (questions with skip logic), publish (draw the invitations: every
household of the area and group, or a sample reproducible from the stored seed), remind, answer, close.

Every write is one transaction with its audit entry. One response per household (or person) is the unique
(survey, key) of Participation, inserted first in the answer's transaction: two answers racing for one household
meet at that row, and the second is refused with nothing written.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from shequ.access.scoping import can_at
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record
from shequ.core.errors import ShequError
from shequ.core.masking import personal_data_in
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area
from shequ.messages.services import message_send
from shequ.residents.models import Household, Resident, Tag

from .choices import Measure, QuestionKind, Sampling, SurveyKind, SurveyStatus
from .models import Invitation, Participation, Question, Response, Survey

MAX_QUESTIONS = 50
MAX_CHOICES = 20
MAX_TEXT_ANSWER = 1000
TARGET_LEVELS = frozenset(
    {
        AreaLevel.CITY,
        AreaLevel.DISTRICT,
        AreaLevel.STREET,
        AreaLevel.COMMUNITY,
        AreaLevel.GRID,
        AreaLevel.ESTATE,
    }
)


def community_code(path: str) -> str | None:
    """The community an area lies in, from its path ("/city/district/street/community/…")."""
    codes = [c for c in path.split("/") if c]
    return codes[3] if len(codes) >= 4 else None


def _require(actor, area: Area) -> None:
    if actor is None or not can_at(actor, Action.SURVEYS_MANAGE, area.path):
        raise ShequError(gettext("Not found."), code="not_found", status=404)


# --- the builder ---------------------------------------------------------------------------------------------------


def _bad(message: str, position: int, what: str) -> ShequError:
    return ShequError(message, code="bad_question", fields={"questions": {str(position): what}})


def questions_clean(questions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check a questionnaire as the builder sends it: kinds, texts, choices, scales and skip logic."""
    if not questions or len(questions) > MAX_QUESTIONS:
        raise ShequError(
            gettext("A survey has between 1 and %(n)d questions.") % {"n": MAX_QUESTIONS},
            code="bad_question",
            fields={"questions": "count"},
        )
    cleaned: list[dict[str, Any]] = []
    for position, q in enumerate(questions, start=1):
        kind = q.get("kind")
        text = str(q.get("text") or "").strip()
        if kind not in QuestionKind.values:
            raise _bad(gettext("Question %(n)d: choose its kind.") % {"n": position}, position, "kind")
        if not text or len(text) > 200:
            raise _bad(
                gettext("Question %(n)d: write the question (at most 200 characters).") % {"n": position},
                position,
                "text",
            )
        choices = [str(c).strip() for c in (q.get("choices") or [])]
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            if (
                not 2 <= len(choices) <= MAX_CHOICES
                or any(not c or len(c) > 100 for c in choices)
                or len(set(choices)) != len(choices)
            ):
                raise _bad(
                    gettext("Question %(n)d: give between 2 and %(max)d different choices.")
                    % {"n": position, "max": MAX_CHOICES},
                    position,
                    "choices",
                )
        elif choices:
            raise _bad(
                gettext("Question %(n)d: only choice questions have choices.") % {"n": position},
                position,
                "choices",
            )
        scale_max = int(q.get("scale_max") or 5)
        if kind == QuestionKind.SCALE and not 2 <= scale_max <= 10:
            raise _bad(
                gettext("Question %(n)d: a scale runs from 1 to between 2 and 10.") % {"n": position},
                position,
                "scale_max",
            )
        measure = q.get("measure") or ""
        if measure not in Measure.values or (measure and kind != QuestionKind.SCALE):
            raise _bad(
                gettext("Question %(n)d: only a scale question can count towards a figure.")
                % {"n": position},
                position,
                "measure",
            )
        show_if = q.get("show_if") or {}
        show_if_position, show_if_choice = show_if.get("position"), str(show_if.get("choice") or "")
        if show_if_position is not None:
            earlier = cleaned[int(show_if_position) - 1] if 1 <= int(show_if_position) < position else None
            if (
                earlier is None
                or earlier["kind"] not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
                or show_if_choice not in earlier["choices"]
            ):
                raise _bad(
                    gettext("Question %(n)d: it can depend only on a choice of an earlier choice question.")
                    % {"n": position},
                    position,
                    "show_if",
                )
        cleaned.append(
            {
                "position": position,
                "kind": kind,
                "text": text,
                "choices": choices,
                "required": bool(q.get("required", True)),
                "scale_max": scale_max if kind == QuestionKind.SCALE else 5,
                "measure": measure,
                "show_if_position": int(show_if_position) if show_if_position is not None else None,
                "show_if_choice": show_if_choice if show_if_position is not None else "",
            }
        )
    return cleaned


def survey_create(
    *,
    actor,
    title: str,
    area: Area,
    questions: Sequence[dict[str, Any]],
    opens_at: datetime,
    closes_at: datetime,
    kind: str = SurveyKind.GENERAL,
    description: str = "",
    group: str = "",
    anonymous: bool = True,
    per_household: bool = True,
    sampling: str = Sampling.ALL,
    sample_size: int = 0,
    year: int | None = None,
    subject: str = "",
    synthetic: bool = False,
) -> Survey:
    _require(actor, area)
    title = (title or "").strip()
    if not title or len(title) > 120:
        raise ShequError(
            gettext("Enter the survey's title (at most 120 characters)."), fields={"title": "required"}
        )
    if kind not in SurveyKind.values:
        raise ShequError(gettext("Choose the kind of survey."), fields={"kind": "unknown"})
    if area.level not in TARGET_LEVELS:
        raise ShequError(gettext("A survey is sent to a district, street, community or estate."))
    if closes_at <= opens_at:
        raise ShequError(gettext("A survey must close after it opens."), fields={"closes_at": "order"})
    now = timezone.now()
    if closes_at - opens_at > timedelta(days=366) or not now - timedelta(
        days=366
    ) < opens_at < now + timedelta(days=366):
        raise ShequError(
            gettext("A survey opens within a year from now and stays open for at most a year."),
            fields={"opens_at": "range"},
        )
    if sampling not in Sampling.values:
        raise ShequError(gettext("Choose how households are sampled."), fields={"sampling": "unknown"})
    if sampling != Sampling.ALL and not 1 <= int(sample_size) <= 100000:
        raise ShequError(gettext("A sample needs its size (at least 1)."), fields={"sample_size": "required"})
    tag = None
    if group:
        tag = Tag.objects.filter(code=group).first()
        if tag is None:
            raise ShequError(gettext("There is no such group."), fields={"group": "unknown"})
    if year is not None and not 2000 <= int(year) <= 2100:
        raise ShequError(gettext("Enter a year between 2000 and 2100."), fields={"year": "range"})
    cleaned = questions_clean(questions)
    with transaction.atomic():
        survey = Survey.objects.create(
            title=title,
            description=(description or "").strip(),
            kind=kind,
            area=area,
            group=tag,
            anonymous=anonymous,
            per_household=per_household,
            sampling=sampling,
            sample_size=int(sample_size) if sampling != Sampling.ALL else 0,
            year=year,
            subject=subject,
            opens_at=opens_at,
            closes_at=closes_at,
            created_by=actor,
            synthetic=synthetic,
        )
        Question.objects.bulk_create([Question(survey=survey, **q) for q in cleaned])
        audit_record(
            action="surveys.survey_create",
            actor=actor,
            obj=survey,
            object_repr=title,
            changes={"area": area.code, "questions": len(cleaned), "sampling": sampling},
        )
    return survey


# --- whom it asks --------------------------------------------------------------------------------------------------


def _units(survey: Survey) -> list[tuple[int, str]]:
    """(household or resident id, community code) of everyone under the survey's area and group, by id."""
    residents = Resident.objects.filter(area__path__prefix=survey.area.path)
    if survey.group_id:
        residents = residents.filter(tags=survey.group_id)
    rows: Iterable[tuple[int, str]]
    if survey.per_household:
        rows = (
            Household.objects.filter(pk__in=residents.values("household_id"))
            .values_list("pk", "area__path")
            .order_by("pk")
        )
    else:
        rows = residents.values_list("pk", "area__path").order_by("pk")
    return [(pk, code) for pk, path in rows if (code := community_code(path))]


def sample_draw(
    units: Sequence[tuple[int, str]], *, sampling: str, size: int, seed: int
) -> list[tuple[int, str]]:
    """The sample, a function of the units and the seed only: drawn again, it is the same.

    random: `size` units of all, at random. stratified: `size` units of each community (all of a smaller one),
    each community drawn from its own stream so that adding a community does not change another's sample."""
    ordered = sorted(units)
    if sampling == Sampling.ALL:
        return ordered
    if sampling == Sampling.RANDOM:
        return sorted(random.Random(seed).sample(ordered, min(size, len(ordered))))  # noqa: S311 (reproducible)
    by_community: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for unit in ordered:
        by_community[unit[1]].append(unit)
    drawn: list[tuple[int, str]] = []
    for code in sorted(by_community):
        members = by_community[code]
        drawn += random.Random(f"{seed}:{code}").sample(members, min(size, len(members)))  # noqa: S311
    return sorted(drawn)


def _fresh_seed() -> int:
    """A random seed for the draw, shown to staff and kept in the audit: one whose digits could be read as a bank
    card or a phone number (a 19-digit number passes the card check one time in ten) is drawn again, so the
    pages and the leak scan never mistake it for personal data."""
    while True:
        seed = secrets.randbits(62)
        if not personal_data_in(str(seed)):
            return seed


def _link(survey: Survey) -> str:
    return f"/surveys/{survey.pk}/"


def _people(invitations: Iterable[Invitation], per_household: bool) -> list[Any]:
    """The accounts of the invited: every member with an account of an invited household, or the person."""
    ids = [i.household_id if per_household else i.resident_id for i in invitations]
    field = "household_id__in" if per_household else "pk__in"
    return [
        r.user
        for r in Resident.objects.filter(**{field: ids}, user__isnull=False).select_related("user")
        if r.user is not None and r.user.is_active
    ]


def survey_publish(
    *, actor, survey: Survey, seed: int | None = None, notify: bool = True, now: datetime | None = None
) -> Survey:
    """Open the survey: draw whom it asks (stored as invitations, the response rates' denominator) and tell them."""
    _require(actor, survey.area)
    now = now or timezone.now()
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != SurveyStatus.DRAFT:
            raise ShequError(gettext("Only a draft survey can be published."), code="not_draft", status=409)
        if survey.closes_at <= now:
            raise ShequError(gettext("The survey's closing time has passed."), fields={"closes_at": "past"})
        survey.sample_seed = seed if seed is not None else _fresh_seed()
        drawn = sample_draw(
            _units(survey), sampling=survey.sampling, size=survey.sample_size, seed=survey.sample_seed
        )
        if not drawn:
            raise ShequError(
                gettext("Nobody on the register lives in the survey's area and group."),
                code="nobody",
                fields={"area": survey.area.code},
            )
        communities = dict(
            Area.objects.filter(code__in={c for _, c in drawn}, level=AreaLevel.COMMUNITY).values_list(
                "code", "pk"
            )
        )
        field = "household_id" if survey.per_household else "resident_id"
        invitations = [
            Invitation(survey=survey, community_id=communities[code], **{field: pk})
            for pk, code in drawn
            if code in communities
        ]
        Invitation.objects.bulk_create(invitations, batch_size=2000)
        survey.status, survey.published_at = SurveyStatus.OPEN, now
        survey.save(update_fields=["status", "published_at", "sample_seed"])
        audit_record(
            action="surveys.survey_publish",
            actor=actor,
            obj=survey,
            object_repr=survey.title,
            changes={"invited": len(invitations), "seed": survey.sample_seed, "sampling": survey.sampling},
        )
        if notify:
            for person in _people(invitations, survey.per_household):
                message_send(
                    person=person,
                    kind="survey.invited",
                    title=gettext("Please answer: %(title)s") % {"title": survey.title},
                    body=gettext("Your answers help the community. Open until %(date)s.")
                    % {"date": timezone.localtime(survey.closes_at).strftime("%Y-%m-%d")},
                    link=_link(survey),
                )
    return survey


def survey_remind(*, actor, survey: Survey, now: datetime | None = None) -> int:
    """Remind those invited who have not answered yet (through the message centre); answers how many people."""
    _require(actor, survey.area)
    now = now or timezone.now()
    if survey.status != SurveyStatus.OPEN or survey.closes_at <= now:
        raise ShequError(gettext("Only an open survey can send reminders."), code="not_open", status=409)
    with transaction.atomic():
        waiting = list(Invitation.objects.filter(survey=survey, responded=False))
        people = _people(waiting, survey.per_household)
        for person in people:
            message_send(
                person=person,
                kind="survey.reminder",
                title=gettext("Reminder: %(title)s") % {"title": survey.title},
                body=gettext("We have not heard from your household yet. Open until %(date)s.")
                % {"date": timezone.localtime(survey.closes_at).strftime("%Y-%m-%d")},
                link=_link(survey),
            )
        Invitation.objects.filter(pk__in=[i.pk for i in waiting]).update(reminded_at=now)
        audit_record(
            action="surveys.survey_remind",
            actor=actor,
            obj=survey,
            object_repr=survey.title,
            changes={"invitations": len(waiting), "people": len(people)},
        )
    return len(people)


def survey_close(*, actor, survey: Survey) -> Survey:
    _require(actor, survey.area)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != SurveyStatus.OPEN:
            raise ShequError(gettext("Only an open survey can be closed."), code="not_open", status=409)
        survey.status = SurveyStatus.CLOSED
        survey.save(update_fields=["status"])
        audit_record(action="surveys.survey_close", actor=actor, obj=survey, object_repr=survey.title)
    return survey


# --- answering -----------------------------------------------------------------------------------------------------


def _shown(question: Question, cleaned: dict[str, Any]) -> bool:
    if question.show_if_position is None:
        return True
    earlier = cleaned.get(str(question.show_if_position))
    if isinstance(earlier, list):
        return question.show_if_choice in earlier
    return earlier == question.show_if_choice


def answers_clean(questions: Sequence[Question], answers: dict[str, Any]) -> dict[str, Any]:
    """The answers as stored: each checked against its question; a question skipped by the skip logic keeps no
    answer; a required question that is asked must be answered."""
    known = {str(q.position) for q in questions}
    unknown = sorted(set(map(str, answers)) - known)
    if unknown:
        raise ShequError(
            gettext("There is no question %(n)s in this survey.") % {"n": "、".join(unknown)},
            code="bad_answer",
            fields={"answers": {n: "unknown" for n in unknown}},
        )
    cleaned: dict[str, Any] = {}
    for q in questions:
        key = str(q.position)
        value = answers.get(key)
        if not _shown(q, cleaned):
            continue
        if value in (None, "", []):
            if q.required:
                raise ShequError(
                    gettext("Please answer question %(n)d.") % {"n": q.position},
                    code="bad_answer",
                    fields={"answers": {key: "required"}},
                )
            continue
        outside = ShequError(
            gettext("The answer to question %(n)d is not one of its choices.") % {"n": q.position},
            code="bad_answer",
            fields={"answers": {key: "choice"}},
        )
        if q.kind == QuestionKind.SINGLE:
            if not isinstance(value, str) or value not in q.choices:
                raise outside
            cleaned[key] = value
        elif q.kind == QuestionKind.MULTIPLE:
            values = [value] if isinstance(value, str) else value
            if (
                not isinstance(values, list)
                or not all(isinstance(v, str) for v in values)
                or any(v not in q.choices for v in values)
                or len(set(values)) != len(values)
            ):
                raise outside
            cleaned[key] = [c for c in q.choices if c in values]
        elif q.kind == QuestionKind.SCALE:
            try:
                number = int(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                number = 0
            if isinstance(value, bool) or not 1 <= number <= q.scale_max or str(value).strip() != str(number):
                raise ShequError(
                    gettext("The answer to question %(n)d is a number from 1 to %(max)d.")
                    % {"n": q.position, "max": q.scale_max},
                    code="bad_answer",
                    fields={"answers": {key: "scale"}},
                )
            cleaned[key] = number
        else:
            text = str(value).strip()
            if len(text) > MAX_TEXT_ANSWER:
                raise ShequError(
                    gettext("The answer to question %(n)d is too long (at most %(max)d characters).")
                    % {"n": q.position, "max": MAX_TEXT_ANSWER},
                    code="bad_answer",
                    fields={"answers": {key: "too long"}},
                )
            if text:
                cleaned[key] = text
    return cleaned


def invitation_for(*, user, survey: Survey) -> Invitation | None:
    """The invitation that lets this user answer: his household's, or his own."""
    resident = Resident.objects.filter(user=user).only("pk", "household_id").first()
    if resident is None:
        return None
    where = Q(household_id=resident.household_id) if survey.per_household else Q(resident_id=resident.pk)
    return Invitation.objects.filter(where, survey=survey).first()


def survey_accepts(survey: Survey, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return survey.status == SurveyStatus.OPEN and survey.opens_at <= now < survey.closes_at


def response_submit(
    *, user, survey: Survey, answers: dict[str, Any], now: datetime | None = None, synthetic: bool = False
) -> Response:
    """One household's (or person's) answers. Outside the window, a second answer, an answer outside the
    choices: a clear error, nothing written."""
    now = now or timezone.now()
    invitation = invitation_for(user=user, survey=survey)
    if invitation is None:
        raise ShequError(gettext("Not found."), code="not_found", status=404)
    if not survey_accepts(survey, now):
        raise ShequError(gettext("This survey is not open for answers."), code="not_open", status=409)
    cleaned = answers_clean(list(survey.questions.all()), dict(answers or {}))
    return _record(
        survey=survey,
        invitation=invitation,
        answers=cleaned,
        respondent=None if survey.anonymous else user,
        actor=user,
        now=now,
        synthetic=synthetic,
    )


def _record(*, survey, invitation, answers, respondent, actor, now, synthetic, channel: str = "online"):
    key = f"h:{invitation.household_id}" if survey.per_household else f"r:{invitation.resident_id}"
    already = ShequError(
        gettext("Your household has already answered this survey.")
        if survey.per_household
        else gettext("You have already answered this survey."),
        code="already_answered",
        status=409,
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                Participation.objects.create(survey=survey, key=key)
        except IntegrityError:
            raise already from None
        response = Response.objects.create(
            survey=survey,
            community_id=invitation.community_id,
            respondent=respondent,
            submitted_on=timezone.localdate(now),
            answers=answers,
            synthetic=synthetic,
        )
        Invitation.objects.filter(pk=invitation.pk).update(responded=True)
        # The audit says who took part; in an anonymous survey it names no response.
        audit_record(
            action="surveys.response_submit" if channel == "online" else "surveys.response_enter",
            actor=actor,
            obj=survey,
            object_repr=survey.title,
            changes={"channel": channel}
            if survey.anonymous
            else {"channel": channel, "response": str(response.pk)},
        )
    return response


def response_enter(
    *,
    actor,
    survey: Survey,
    invitation: Invitation,
    answers: dict[str, Any],
    now: datetime | None = None,
    synthetic: bool = False,
) -> Response:
    """A questionnaire answered on paper or at the door (入户调查) and entered by staff of the household's
    community: the same checks and the same one-per-household guard as an answer online."""
    if actor is None or not can_at(actor, Action.SURVEYS_MANAGE, invitation.community.path):
        raise ShequError(gettext("Not found."), code="not_found", status=404)
    now = now or timezone.now()
    if invitation.survey_id != survey.pk:
        raise ShequError(gettext("Not found."), code="not_found", status=404)
    if not survey_accepts(survey, now):
        raise ShequError(gettext("This survey is not open for answers."), code="not_open", status=409)
    cleaned = answers_clean(list(survey.questions.all()), dict(answers or {}))
    return _record(
        survey=survey,
        invitation=invitation,
        answers=cleaned,
        respondent=None,
        actor=actor,
        now=now,
        synthetic=synthetic,
        channel="entered",
    )
