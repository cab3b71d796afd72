"""The credit formula (formula.py), at its boundaries."""

from __future__ import annotations

from shequ.credit.formula import Inputs, outcome


def test_no_input_means_no_entry():
    assert outcome(Inputs()) is None


def test_the_weights_of_missing_inputs_go_to_the_others():
    only_inspections = outcome(Inputs(inspections=(70, 90)))
    assert only_inspections.score == 80.0 and only_inspections.weights == {"inspections": 100.0}
    two = outcome(Inputs(evaluation=100.0, evaluation_answers=10, inspections=(40,)))
    assert two.score == round((100 * 50 + 40 * 20) / 70, 1)


def test_exactly_ninety_with_five_answers_is_on_the_incentive_list():
    result = outcome(Inputs(evaluation=90.0, evaluation_answers=5))
    assert (result.standing, result.level) == ("incentive", "A")


def test_ninety_with_four_answers_is_normal():
    result = outcome(Inputs(evaluation=95.0, evaluation_answers=4))
    assert (result.standing, result.reasons) == ("normal", ("too_few_answers",))


def test_just_below_sixty_is_on_the_risk_list_and_sixty_is_not():
    assert outcome(Inputs(inspections=(59,), evaluation=59.9, evaluation_answers=1)).standing == "risk"
    assert outcome(Inputs(inspections=(60,))).standing == "normal"


def test_a_serious_finding_puts_even_a_high_score_on_the_risk_list():
    result = outcome(Inputs(evaluation=100.0, evaluation_answers=50, inspections=(95,), serious_findings=1))
    assert (result.standing, result.level, result.reasons) == ("risk", "C", ("serious_finding",))


def test_appeals_count_dissatisfied_and_overdue_against_received():
    result = outcome(Inputs(appeals_received=10, appeals_dissatisfied=2, appeals_overdue=1))
    assert result.parts == {"appeals": 70.0}
    assert outcome(Inputs(appeals_received=2, appeals_dissatisfied=2, appeals_overdue=2)).parts == {
        "appeals": 0.0
    }
