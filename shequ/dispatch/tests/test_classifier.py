"""The classifier on its own, on the SYNTHETIC set of conftest.py (no database)."""

import numpy as np
import pytest

from shequ.dispatch.classifier import Config, TextClassifier, ngram_hashes, normalize_text

from .conftest import synthetic_set


@pytest.fixture(scope="module")
def model():
    texts, labels = synthetic_set()
    return TextClassifier().fit(texts, labels)


def test_normalising_folds_width_case_digits_and_spaces():
    assert normalize_text("ＡＢＣ  12号楼\n\t３栋") == "abc 0号楼 0栋"


def test_hashes_of_a_batch_equal_the_hashes_of_each_text():
    texts = ["小区垃圾", "噪音扰民", "a"]
    h, d, _ = ngram_hashes(texts, 1, 3)
    for i, text in enumerate(texts):
        alone, _, _ = ngram_hashes([text], 1, 3)
        assert sorted(h[d == i].tolist()) == sorted(alone.tolist())
    # no n-gram spans two texts: 4+3+2 from the first, 4+3+2 from the second, 1 from the third
    assert len(h) == 9 + 9 + 1


def test_top_three_labels_come_with_probabilities_likeliest_first(model):
    [top] = model.predict_top(["楼下垃圾桶满了没人清理，味道很大"], k=3)
    assert top[0][0] == "sanitation"
    assert len(top) == 3
    probabilities = [p for _, p in top]
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0 < sum(probabilities) <= 1.0 + 1e-9


def test_it_tells_the_synthetic_classes_apart(model):
    texts, labels = synthetic_set(per_class=10, seed=42)  # other random draws of the same vocabulary
    predicted = [row[0][0] for row in model.predict_top(texts)]
    assert np.mean(np.array(predicted) == np.array(labels)) >= 0.9


def test_the_explanation_names_the_driving_word(model):
    words = [w for w, _ in model.explain("工地老板拖欠工资三个月了，请帮忙", "wage_arrears", k=5)]
    assert any("工资" in w or "欠" in w for w in words), words
    assert all(score > 0 for _, score in model.explain("工地老板拖欠工资三个月了", "wage_arrears"))
    assert model.explain("工地老板拖欠工资三个月了", "no_such_label") == []


def test_a_saved_model_loads_back_and_predicts_the_same(model):
    text = "半夜施工噪声扰民，睡不着"
    again = TextClassifier.loads(model.dumps())
    assert again.predict_top([text]) == model.predict_top([text])
    assert again.describe() == model.describe()


def test_a_file_that_is_not_a_model_is_refused():
    import io

    import joblib

    buffer = io.BytesIO()
    joblib.dump({"format": 999, "model": None}, buffer)
    with pytest.raises(ValueError):
        TextClassifier.loads(buffer.getvalue())


def test_the_unit_model_reads_the_place_beside_the_text():
    texts, labels, contexts = [], [], []
    # The same words go to a different unit in each district: only the context can tell them apart.
    for i in range(20):
        for district, unit in (("440304", "futian-cg"), ("440305", "nanshan-cg")):
            texts.append(f"路边乱停车第{i}次，堵住出口")
            labels.append(unit)
            contexts.append([f"area:{district}", "category:parking"])
    model = TextClassifier(Config(min_df=1)).fit(texts, labels, contexts)
    [top] = model.predict_top(["路边乱停车，堵住出口"], contexts=[["area:440305", "category:parking"]])
    assert top[0][0] == "nanshan-cg"


def test_training_needs_two_labels():
    with pytest.raises(ValueError):
        TextClassifier().fit(["一", "二"], ["a", "a"])


# --- one text per call: the direct path against the batch and the old computation ----------------------------------
EDGE_TEXTS = [
    "",  # no n-gram at all: the scores are the intercepts
    "12345",
    "ＡＢＣ  全角 和 English mixed 2024年",
    "完全没有见过的字：龘靐齉爩",
    "垃圾" * 2000,  # longer than max_chars
]


def old_scores(model: TextClassifier, texts, contexts=None) -> np.ndarray:
    """The per-call computation before the direct path: a sparse batch times the C-ordered weights, transposed."""
    x = model.transform(texts, contexts)
    return np.asarray(x @ np.ascontiguousarray(model.coef_).T) + model.intercept_


def one_by_one(model: TextClassifier, texts, contexts=None) -> np.ndarray:
    return np.vstack(
        [
            model.decision_function([t], [contexts[i]] if contexts is not None else None)
            for i, t in enumerate(texts)
        ]
    )


def test_one_text_per_call_scores_what_the_batch_and_the_old_code_score(model):
    texts = synthetic_set(per_class=15, seed=7)[0] + EDGE_TEXTS
    single = one_by_one(model, texts)
    np.testing.assert_allclose(single, model.decision_function(texts), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(single, old_scores(model, texts), rtol=1e-12, atol=1e-12)
    assert [row[0][0] for t in texts for row in model.predict_top([t])] == [
        row[0][0] for row in model.predict_top(texts)
    ]


def test_the_weights_match_what_sklearn_fitted_and_scores_like_its_decision_function(model):
    from sklearn.svm import LinearSVC

    train_texts, train_labels = synthetic_set()
    cfg = model.config
    svm = LinearSVC(C=cfg.C, class_weight=cfg.class_weight, max_iter=5000, random_state=cfg.seed)
    svm.fit(model.transform(train_texts), train_labels)
    texts = synthetic_set(per_class=15, seed=7)[0] + EDGE_TEXTS
    expected = svm.decision_function(model.transform(texts))
    # The model stores its weights as float32: equal to sklearn's to float32 precision, same winner.
    np.testing.assert_allclose(one_by_one(model, texts), expected, rtol=1e-5, atol=1e-5)
    assert (one_by_one(model, texts).argmax(axis=1) == expected.argmax(axis=1)).all()


def test_one_row_holds_what_the_batch_matrix_holds(model):
    for text in synthetic_set(per_class=3, seed=3)[0] + EDGE_TEXTS:
        cols, values = model._row(text)
        x = model.transform([text])
        assert cols.tolist() == x.indices.tolist()
        np.testing.assert_allclose(values, x.data, rtol=1e-15, atol=0)


def test_the_unit_model_one_text_per_call_scores_what_the_batch_scores():
    texts, labels, contexts = [], [], []
    for i in range(20):
        for district, unit in (("440304", "futian-cg"), ("440305", "nanshan-cg"), ("440306", "baoan-cg")):
            texts.append(f"路边乱停车第{i}次，堵住出口，垃圾也没人清理")
            labels.append(unit)
            contexts.append([f"area:{district}", "category:parking", "category:parking"])
    model = TextClassifier(Config(min_df=1)).fit(texts, labels, contexts)
    ask = ["路边乱停车，堵住出口", "垃圾没人清理", ""]
    ask_contexts = [["area:440305", "category:parking"], ["area:999999"], []]
    single = one_by_one(model, ask, ask_contexts)
    np.testing.assert_allclose(single, model.decision_function(ask, ask_contexts), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(single, old_scores(model, ask, ask_contexts), rtol=1e-12, atol=1e-12)
    # No context at all is the same as an empty one, on both paths.
    np.testing.assert_allclose(
        model.decision_function(["垃圾没人清理"]),
        model.decision_function(["垃圾没人清理", ""])[:1],
        atol=1e-12,
    )


def test_a_loaded_model_keeps_one_copy_of_its_weights_in_the_product_layout(model):
    again = TextClassifier.loads(model.dumps())
    assert again._by_feature is not None and again._by_feature.flags["C_CONTIGUOUS"]
    assert again.coef_ is not None and np.shares_memory(again.coef_, again._by_feature)
    np.testing.assert_array_equal(again.coef_, model.coef_)


def test_a_model_file_with_row_major_weights_loads_and_predicts_the_same(model):
    import copy
    import io

    import joblib

    old = copy.copy(model)
    old.coef_ = np.ascontiguousarray(model.coef_)  # the layout files were written in before the direct path
    del old.__dict__["_by_feature"]
    buffer = io.BytesIO()
    joblib.dump({"format": 1, "config": {}, "model": old}, buffer)
    again = TextClassifier.loads(buffer.getvalue())
    text = "半夜施工噪声扰民，睡不着"
    assert again.predict_top([text]) == model.predict_top([text])


def test_explaining_three_labels_of_one_text_segments_it_once(model):
    from shequ.dispatch.classifier import content_words

    text = "工地老板拖欠工资三个月了，楼下垃圾也没人清理"
    content_words.cache_clear()
    words = {label: model.explain(text, label) for label in model.classes_[:3]}
    assert content_words.cache_info().misses == 1
    content_words.cache_clear()
    assert {label: model.explain(text, label) for label in model.classes_[:3]} == words
