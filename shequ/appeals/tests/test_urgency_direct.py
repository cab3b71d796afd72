"""Issue 23: the learned layer's direct path for one text (plain Python, what intake calls) gives exactly what
scikit-learn's path gives, on every labelled text of both data files: the same decision, kind, reason, words
and the same probability to the last bit. Speed is measured in bench/urgency/speed.py, not here."""

import pytest

from shequ.appeals import urgency

TEXTS = [
    r["text"] for r in urgency.training_rows() + urgency.training_rows(urgency.DATA / "urgency_heldout.jsonl")
]


@pytest.fixture(scope="module")
def repository_model():
    # The repository's set alone (no dispatcher corrections: no database here), as the bench trains it.
    urgency.use_model(urgency.train(urgency.training_rows()))
    yield urgency.model()
    urgency.use_model(None)


def test_both_paths_assess_every_labelled_text_alike(repository_model):
    differ = [t for t in TEXTS if urgency.assess(t, direct=True) != urgency.assess(t, direct=False)]
    assert differ == []
    # Not vacuous: the learned layer decides a good share of them, both ways.
    verdicts = [urgency.assess(t) for t in TEXTS]
    assert sum(v.source == "model" for v in verdicts) > 100
    assert sum(v.source == "" and v.score > 0 for v in verdicts) > 500


def test_both_paths_give_the_same_probability_kind_and_words(repository_model):
    for text in TEXTS:
        assert urgency._probability(text, direct=True) == urgency._probability(text, direct=False), text
        assert urgency.model_score(text, direct=True) == urgency.model_score(text, direct=False), text


def test_text_outside_the_vocabulary_scores_the_intercept_alike(repository_model):
    for text in ["", "   ", "ＡＢＣ", "zzzz qqqq", "😀😀😀", "a" * 5000]:
        assert urgency._probability(text, direct=True) == urgency._probability(text, direct=False)
        assert urgency.assess(text, direct=True) == urgency.assess(text, direct=False)
