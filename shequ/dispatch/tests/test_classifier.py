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
