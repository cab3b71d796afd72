"""Issue 23: the learned layer's direct path for one text (plain Python, what intake calls) gives exactly what
scikit-learn's path gives, on every labelled text of the data files (training, first held-out, held-out v3):
the same decision, kind, reason, words and the same probability to the last bit, also when the text is scored
clause by clause (the highest span counts). Speed is measured in bench/urgency/speed.py, not here."""

import pytest

from shequ.appeals import urgency

TEXTS = [
    r["text"]
    for path in (
        urgency.TRAIN_FILE,
        urgency.DATA / "urgency_heldout.jsonl",
        urgency.DATA / "urgency_heldout_v3.jsonl",
    )
    for r in urgency.training_rows(path)
]
LONG = [t for t in TEXTS if len(urgency.learned_spans(t, gated=False)[0]) >= 3]


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


@pytest.mark.parametrize(
    ("units", "reach"), [("text", 0), ("clause", 0), ("clause", 1), ("pair", 0), ("pair", 1)]
)
def test_both_paths_agree_whatever_is_scored(repository_model, monkeypatch, units, reach):
    monkeypatch.setattr(urgency, "UNITS", units)
    monkeypatch.setattr(urgency, "ADVICE_REACH", reach)
    assert len(LONG) > 300
    differ = [t for t in LONG if urgency.assess(t, direct=True) != urgency.assess(t, direct=False)]
    assert differ == []
    for text in LONG[:200]:
        assert urgency.model_score(text, direct=True) == urgency.model_score(text, direct=False), text


def test_text_outside_the_vocabulary_scores_the_intercept_alike(repository_model):
    for text in ["", "   ", "ＡＢＣ", "zzzz qqqq", "😀😀😀", "a" * 5000, "。。，，！", "：、"]:
        assert urgency._probability(text, direct=True) == urgency._probability(text, direct=False)
        assert urgency.assess(text, direct=True) == urgency.assess(text, direct=False)


def test_a_request_elsewhere_in_the_message_does_not_hide_a_danger_clause():
    text = "物业费什么时候交。楼道里全是烟，看不清路。谢谢"
    clauses, spans = urgency.learned_spans(text, units="clause", reach=0)
    assert clauses == ["物业费什么时候交", "楼道里全是烟", "看不清路", "谢谢"]
    assert (1, 2) in spans  # the danger clause is scored on its own
    assert (0, 4) not in spans and (0, 1) not in spans  # the whole message and the clause that asks are not


def test_a_clause_beside_a_question_or_about_the_past_or_a_worry_does_not_count():
    # "着火了，怎么办": with ADVICE_REACH 1 the clause before a question is part of it.
    assert urgency.learned_spans("家里着火了，怎么办", units="clause", reach=1)[1] == []
    assert urgency.learned_spans("家里着火了，怎么办", units="clause", reach=0)[1] == [(0, 1)]
    # the past and a worry, as the rule layer reads them (_NOT_NOW)
    assert urgency.learned_spans("前晚对面楼着火，烟飘到我们家", units="clause")[1] == [(1, 2)]
    assert urgency.learned_spans("老人一个人住，万一摔倒了没人知道", units="clause")[1] == [(0, 1)]


def test_the_whole_message_is_the_only_span_when_scoring_the_text():
    assert urgency.learned_spans("楼下着火了，烟很大", units="text")[1] == [(0, 2)]
    assert urgency.learned_spans("请问楼下着火了，烟很大", units="text")[1] == []
