"""The case workflow on one screen (STYLE.md §4): which action moves a case from which status to which, who may
take it, and the deadline (working days) of the stage it lands in. Nothing else sets Case.status."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from shequ.accounts.roles import Action

from .choices import CaseStatus as S


@dataclass(frozen=True)
class Step:
    name: str
    label: object
    sources: tuple[str, ...]
    target: str | None  # None: the status stays (visits, services, referrals, supervision)
    action: str = Action.CARE_CASES


STEPS = {
    s.name: s
    for s in [
        Step("assess", _("Assess needs"), (S.REPORTED,), S.ASSESSED),
        Step("plan", _("Make the service plan"), (S.ASSESSED,), S.SERVING),
        Step("visit", _("Record a visit"), (S.SERVING,), None),
        Step("service", _("Record a service"), (S.SERVING,), None),
        Step("refer", _("Refer to a department"), (S.ASSESSED, S.SERVING), None),
        Step("review", _("Review"), (S.SERVING,), S.REVIEWING),
        Step("resume", _("Resume service"), (S.REVIEWING,), S.SERVING),
        Step("close", _("Close the case"), (S.REVIEWING,), S.CLOSED),
        Step(
            "supervise",
            _("Supervision note"),
            (S.REPORTED, S.ASSESSED, S.SERVING, S.REVIEWING),
            None,
            Action.CARE_SUPERVISE,
        ),
    ]
}

# Working days allowed in each stage before the case is overdue (the plan's 双百 practice: assess within 3).
STAGE_DAYS: dict[str, int] = {S.REPORTED: 3, S.ASSESSED: 5, S.SERVING: 30, S.REVIEWING: 5}


def allowed(status: str) -> list[Step]:
    return [s for s in STEPS.values() if status in s.sources]
