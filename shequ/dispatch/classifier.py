"""The dispatch classifier: an appeal's text (and, for the unit model, its place) → labels with probabilities and
the words that drove them.

Pipeline (chosen by cross-validation, bench/dispatch/RESULTS.md):

1. normalise: NFKC, lower case, digit runs → "0", whitespace collapsed, cut at `max_chars`;
2. character 1–3-grams, counted with exact 64-bit hashes in numpy (no Python loop per n-gram), sublinear tf × idf;
3. a supervised weight per n-gram that favours n-grams concentrated in few labels (1 + normalised information
   gain of the label distribution, to a power), then L2 per text;
4. a linear SVM (LinearSVC, balanced class weights), one weight vector per label;
5. probabilities: softmax of the SVM scores with one temperature fitted on cross-validated scores, so the ranking
   is the SVM's own and the top probability means what the auto-dispatch threshold assumes.

jieba word 1–2-grams were measured beside the character n-grams and added nothing on top of them, while jieba's
pure-Python segmentation alone runs at well under 1,000 texts/s (the whole character pipeline: about 5,000 per
CPU-second). So jieba is used for what it is best at here: cutting the text into words when the model explains
which words drove a suggestion.

The object is plain data (numpy arrays and a few numbers): `dumps()` / `loads()` round-trip it through joblib.
Whoever loads a file must have checked its hash first (see `selectors.active_model`).
"""

from __future__ import annotations

import functools
import io
import logging
import math
import os
import re
import tempfile
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the stored layout changes; loads() refuses other formats

_WS = re.compile(r"\s+")
_DIGITS = re.compile(r"[0-9]+")
# Polynomial rolling hash over code points, mod 2**64. Collisions among the few hundred thousand n-grams of a
# training set are practically impossible; the bucket table below only speeds up the lookup of a hash.
_P = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)

# Shown words are content words: these carry no meaning of their own even when a model leans on them.
STOPWORDS = frozenset(
    "的 了 是 在 我 我们 你 您 他 她 它 和 与 及 也 都 就 而 但 又 有 没有 不 这 那 这个 那个 一个 一些 什么 "
    "怎么 为什么 如何 请 请问 谢谢 你好 您好 尊敬 领导 问题 情况 反映 希望 要求 能 能否 可以 已经 现在 目前 "
    "关于 对于 对 把 被 给 从 到 向 让 由 因为 所以 如果 还 很 非常 多 少 上 下 中 里 年 月 日 号 时 0".split()
)


@dataclass(frozen=True)
class Config:
    """The knobs, stored with the model so that a file always says how it was made."""

    ngram_min: int = 1
    ngram_max: int = 3
    min_df: int = 3
    max_features: int = 300_000  # most frequent n-grams kept; bounds the file size (labels × features)
    max_chars: int = 3000
    info_power: float = 3.0  # 0 turns the supervised weight off
    C: float = 1.0
    class_weight: str | None = "balanced"
    calibration_folds: int = 3
    context_weight: float = 0.5  # share of a text's norm given to context tokens (unit model: area, category)
    bucket_bits: int = 23
    seed: int = 0

    def describe(self) -> str:
        parts = [
            f"char {self.ngram_min}-{self.ngram_max}-grams (NFKC, digits→0, min_df={self.min_df}, "
            f"≤{self.max_features} features), sublinear tf-idf",
        ]
        if self.info_power:
            parts.append(f"× label-information weight^{self.info_power:g}")
        parts.append(f"L2 → LinearSVC(C={self.C:g}, class_weight={self.class_weight})")
        parts.append(f"→ softmax with a temperature fitted on {self.calibration_folds}-fold scores")
        return " ".join(parts)


def normalize_text(text: str, max_chars: int = 3000) -> str:
    t = unicodedata.normalize("NFKC", text or "").lower()
    t = _DIGITS.sub("0", t)
    return _WS.sub(" ", t).strip()[:max_chars]


def _mix(h: np.ndarray) -> np.ndarray:
    # splitmix64 finaliser: spreads the rolling hash's bits so that its top bits make a fair bucket number.
    h = (h ^ (h >> np.uint64(30))) * _MIX1
    h = (h ^ (h >> np.uint64(27))) * _MIX2
    return h ^ (h >> np.uint64(31))


def ngram_hashes(
    texts: Sequence[str], nmin: int, nmax: int, *, positions: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Every character n-gram (nmin ≤ n ≤ nmax) of every (normalised) text as (hash, text index[, start, n]).

    The texts are joined with NUL separators into one array of code points; the hashes of all n-grams of one
    length are computed at once, and the n-grams that would span a separator are dropped.
    """
    lens = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    joined = "\x00".join(texts) + "\x00"
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    total = len(cps)
    doc = np.repeat(np.arange(len(texts), dtype=np.int32), lens)
    seps = np.concatenate([[0], np.cumsum(cps == 0)])
    hashes, docs, where = [], [], []
    h: np.ndarray | None = None
    with np.errstate(over="ignore"):
        for n in range(1, nmax + 1):
            m = total - n + 1
            if m <= 0:
                break
            h = cps[:m] + np.uint64(n << 40) if h is None else h[:m] * _P + cps[n - 1 : n - 1 + m]
            if n < nmin:
                continue
            ok = (seps[n : n + m] - seps[:m]) == 0
            hashes.append(h[ok] + np.uint64(n))
            docs.append(doc[:m][ok])
            if positions:
                starts = np.flatnonzero(ok)
                where.append(np.stack([starts, np.full(len(starts), n)], axis=1))
    if not hashes:
        empty = np.zeros(0, np.uint64)
        return empty, np.zeros(0, np.int32), (np.zeros((0, 2), np.int64) if positions else None)
    return (
        np.concatenate(hashes),
        np.concatenate(docs),
        np.concatenate(where) if positions else None,
    )


@dataclass
class _Vocabulary:
    """Exact-hash vocabulary: sorted by column, with a bucket table for O(1) lookup (rebuilt on load)."""

    hashes: np.ndarray  # uint64, one per column
    weights: np.ndarray  # float64: idf × supervised weight, one per column
    bits: int
    _table: np.ndarray | None = field(default=None, repr=False)

    def buckets(self, h: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return (_mix(h) >> np.uint64(64 - self.bits)).astype(np.int64)

    def table(self) -> np.ndarray:
        if self._table is None:
            table = np.full(1 << self.bits, -1, np.int32)
            table[self.buckets(self.hashes)] = np.arange(len(self.hashes), dtype=np.int32)
            self._table = table
        return self._table

    def columns(self, h: np.ndarray) -> np.ndarray:
        """The column of each hash, or -1 for n-grams the model does not know."""
        col = self.table()[self.buckets(h)]
        known = col >= 0
        known[known] = self.hashes[col[known]] == h[known]
        col[~known] = -1
        return col

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_table"] = None  # 32 MB of derived data: rebuilt in ~20 ms rather than stored
        return state


class TextClassifier:
    """fit(texts, labels) → predict_top(texts) / explain(text, label); see the module docstring."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.classes_: list[str] = []
        self.vocab: _Vocabulary | None = None
        self.context_vocab: dict[str, int] = {}
        # float32, labels × features: a view of `_by_feature` once fitted or loaded (see _ready())
        self.coef_: np.ndarray | None = None
        self.intercept_: np.ndarray | None = None
        self._by_feature: np.ndarray | None = None  # the same weights, features × labels, C order
        self.temperature_: float = 1.0
        self.fit_info: dict[str, Any] = {}

    # --- features -----------------------------------------------------------------------------------------------
    def _counts(self, norm: Sequence[str]) -> sp.csr_matrix:
        """n-gram counts of already normalised texts, over the model's columns."""
        h, d, _ = ngram_hashes(norm, self.config.ngram_min, self.config.ngram_max)
        assert self.vocab is not None
        col = self.vocab.columns(h)
        ok = col >= 0
        x = sp.csr_matrix(
            (np.ones(int(ok.sum())), (d[ok], col[ok])), shape=(len(norm), len(self.vocab.hashes))
        )
        x.sum_duplicates()
        return x

    def _weigh(self, x: sp.csr_matrix) -> sp.csr_matrix:
        assert self.vocab is not None
        x = x.astype(np.float64)
        np.log(x.data, out=x.data)
        x.data += 1.0
        x.data *= self.vocab.weights[x.indices]
        return _l2(x)

    def _context(self, contexts: Sequence[Sequence[str]] | None, n: int) -> sp.csr_matrix | None:
        if not self.context_vocab:
            return None
        rows, cols, vals = [], [], []
        for i, tokens in enumerate(contexts or [()] * n):
            known = [self.context_vocab[t] for t in dict.fromkeys(tokens) if t in self.context_vocab]
            for c in known:
                rows.append(i)
                cols.append(c)
                vals.append(self.config.context_weight / math.sqrt(len(known)))
        return sp.csr_matrix((vals, (rows, cols)), shape=(n, len(self.context_vocab)))

    def _row(self, text: str, context: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """One text's features as (columns, values): the one row `transform([text], [context])` would hold, the
        same numbers in the same order, without building a sparse matrix.

        The one-text-per-call path (intake, suggestions as you type, the after-intake drain): scipy's matrix
        constructors and their format checks cost more than the arithmetic for a text of a few hundred n-grams.
        test_classifier checks it against `transform` on every text of a set.
        """
        assert self.vocab is not None
        cfg = self.config
        h, _, _ = ngram_hashes([normalize_text(text, cfg.max_chars)], cfg.ngram_min, cfg.ngram_max)
        col = self.vocab.columns(h)
        # Sorted distinct columns with their counts: what sum_duplicates() leaves in a CSR row.
        cols, counts = np.unique(col[col >= 0], return_counts=True)
        values = counts.astype(np.float64)
        np.log(values, out=values)
        values += 1.0
        values *= self.vocab.weights[cols]
        # Summed with reduceat as _l2 sums a batch's rows (np.sum adds pairwise): the same norm to the last bit.
        norm = math.sqrt(float(np.add.reduceat(values**2, [0])[0])) if len(values) else 0.0
        values /= norm or 1.0
        if not self.context_vocab:
            return cols, values
        known = sorted(self.context_vocab[t] for t in dict.fromkeys(context or ()) if t in self.context_vocab)
        ctx_cols = len(self.vocab.hashes) + np.asarray(known, dtype=cols.dtype)
        ctx_values = np.full(len(known), self.config.context_weight / math.sqrt(len(known) or 1))
        values = values * math.sqrt(1 - self.config.context_weight**2)
        return np.concatenate([cols, ctx_cols]), np.concatenate([values, ctx_values])

    def transform(
        self, texts: Sequence[str], contexts: Sequence[Sequence[str]] | None = None
    ) -> sp.csr_matrix:
        norm = [normalize_text(t, self.config.max_chars) for t in texts]
        return self._assemble(self._weigh(self._counts(norm)), contexts)

    def _assemble(self, x: sp.csr_matrix, contexts: Sequence[Sequence[str]] | None) -> sp.csr_matrix:
        ctx = self._context(contexts, x.shape[0])
        if ctx is not None:
            x = sp.hstack([x * math.sqrt(1 - self.config.context_weight**2), ctx], format="csr")
        return x

    # --- training -----------------------------------------------------------------------------------------------
    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        contexts: Sequence[Sequence[str]] | None = None,
    ) -> TextClassifier:
        from sklearn.svm import LinearSVC

        cfg = self.config
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        y = np.asarray([str(lab) for lab in labels], dtype=object)
        classes = sorted(set(y))
        if len(classes) < 2:
            raise ValueError("training needs at least two labels")
        started = time.perf_counter()
        norm = [normalize_text(t, cfg.max_chars) for t in texts]
        self.vocab = self._fit_vocabulary(norm)
        counts = self._counts(norm)
        if cfg.info_power:
            self.vocab.weights = (
                self.vocab.weights * _information_weight(counts, y, classes) ** cfg.info_power
            )
        if contexts is not None:
            tokens = sorted({t for row in contexts for t in row})
            self.context_vocab = {t: i for i, t in enumerate(tokens)}
        x = self._assemble(self._weigh(counts), contexts)
        svm = LinearSVC(C=cfg.C, class_weight=cfg.class_weight, max_iter=5000, random_state=cfg.seed)
        svm.fit(x, y)
        self.classes_ = [str(c) for c in svm.classes_]
        coef = svm.coef_ if len(self.classes_) > 2 else np.vstack([-svm.coef_[0], svm.coef_[0]])
        intercept = (
            svm.intercept_ if len(self.classes_) > 2 else np.array([-svm.intercept_[0], svm.intercept_[0]])
        )
        self.coef_ = np.asarray(coef, dtype=np.float32)
        self.intercept_ = np.asarray(intercept, dtype=np.float32)
        self._ready()
        self.temperature_ = self._fit_temperature(x, y)
        self.fit_info = {
            "rows": len(texts),
            "features": len(self.vocab.hashes),
            "context_features": len(self.context_vocab),
            "seconds": round(time.perf_counter() - started, 3),
        }
        return self

    def _fit_vocabulary(self, norm: list[str]) -> _Vocabulary:
        cfg = self.config
        h, d, _ = ngram_hashes(norm, cfg.ngram_min, cfg.ngram_max)
        order = np.lexsort((d, h))
        h, d = h[order], d[order]
        first = np.ones(len(h), dtype=bool)
        first[1:] = (h[1:] != h[:-1]) | (d[1:] != d[:-1])
        values, df = np.unique(h[first], return_counts=True)
        keep = df >= cfg.min_df
        values, df = values[keep], df[keep]
        if len(values) > cfg.max_features:
            top = np.argsort(-df, kind="stable")[: cfg.max_features]
            top.sort()
            values, df = values[top], df[top]
        vocab = _Vocabulary(values, np.zeros(0), cfg.bucket_bits)
        # Two kept n-grams in one bucket: keep the more frequent (a handful of rare n-grams per million).
        buckets = vocab.buckets(values)
        order = np.lexsort((-df, buckets))
        first = np.ones(len(order), dtype=bool)
        first[1:] = buckets[order][1:] != buckets[order][:-1]
        chosen = np.sort(order[first])
        n_docs = len(norm)
        vocab.hashes = values[chosen]
        vocab.weights = np.log((1 + n_docs) / (1 + df[chosen])) + 1.0
        return vocab

    def _fit_temperature(self, x: sp.csr_matrix, y: np.ndarray) -> float:
        """One temperature for softmax(scores / T), fitted on out-of-fold scores (1.0 if too few examples)."""
        from scipy.optimize import minimize_scalar
        from sklearn.model_selection import StratifiedKFold
        from sklearn.svm import LinearSVC

        cfg = self.config
        smallest = min(int((y == c).sum()) for c in self.classes_)
        folds = min(cfg.calibration_folds, smallest)
        if folds < 2:
            return 1.0
        scores = np.zeros((len(y), len(self.classes_)))
        index = {c: i for i, c in enumerate(self.classes_)}
        target = np.array([index[v] for v in y])
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=cfg.seed).split(x, y):
            if len(set(y[train])) < len(self.classes_):
                return 1.0
            m = LinearSVC(C=cfg.C, class_weight=cfg.class_weight, max_iter=5000, random_state=cfg.seed)
            m.fit(x[train], y[train])
            s = m.decision_function(x[test])
            scores[test] = s if s.ndim == 2 else np.stack([-s, s], axis=1)

        def nll(log_t: float) -> float:
            p = _softmax(scores / math.exp(log_t))
            return float(-np.log(p[np.arange(len(target)), target] + 1e-12).mean())

        best = minimize_scalar(nll, bounds=(-5.0, 3.0), method="bounded")
        return float(math.exp(best.x))

    # --- prediction ---------------------------------------------------------------------------------------------
    def _ready(self) -> None:
        """Build what prediction reads once per fitted or loaded model: the n-gram lookup table, and the weights
        stored feature-major (features × labels, C order), with `coef_` kept as its transposed view.

        With `coef_` C-ordered, `x @ coef_.T` made scipy copy the whole matrix to C order and then to float64 on
        every call (15 MB for the category model): three quarters of a one-text prediction. Feature-major, one
        text's scores read only the rows of its own few hundred n-grams, and there is still one copy of the
        weights in memory (a unit model has a row per unit)."""
        if self.vocab is not None:
            self.vocab.table()
        if self.coef_ is not None:
            self._by_feature = np.ascontiguousarray(self.coef_.T)  # no copy when coef_ is the view already
            self.coef_ = self._by_feature.T

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_by_feature"] = (
            None  # coef_ is stored (as the view); _ready() rebuilds this on load without a copy
        )
        return state

    def decision_function(
        self, texts: Sequence[str], contexts: Sequence[Sequence[str]] | None = None
    ) -> np.ndarray:
        """SVM scores, texts × labels. One text takes the direct path (`_row` and a product over its own
        features); a batch goes through one sparse matrix product. Both give the scores the old per-call code
        gave (test_classifier compares them)."""
        if self.coef_ is None or self.intercept_ is None:
            raise ValueError("the classifier is not fitted")
        if getattr(self, "_by_feature", None) is None:
            self._ready()
        assert self._by_feature is not None
        if len(texts) == 1:
            cols, values = self._row(texts[0], contexts[0] if contexts else None)
            # Row by row in column order, in float64: the same sums, in the same order, as scipy's CSR product.
            scores = (values[:, None] * self._by_feature[cols]).sum(axis=0)
            return scores[None, :] + self.intercept_
        x = self.transform(texts, contexts)
        return np.asarray(x @ self._by_feature) + self.intercept_

    def predict_proba(
        self, texts: Sequence[str], contexts: Sequence[Sequence[str]] | None = None
    ) -> np.ndarray:
        return _softmax(self.decision_function(texts, contexts) / self.temperature_)

    def predict(self, texts: Sequence[str], contexts: Sequence[Sequence[str]] | None = None) -> list[str]:
        scores = self.decision_function(texts, contexts)
        return [self.classes_[i] for i in scores.argmax(axis=1)]

    def predict_top(
        self, texts: Sequence[str], k: int = 3, contexts: Sequence[Sequence[str]] | None = None
    ) -> list[list[tuple[str, float]]]:
        """For each text, the k likeliest labels with their probabilities, likeliest first."""
        if not texts:
            return []
        p = self.predict_proba(texts, contexts)
        k = min(k, p.shape[1])
        top = np.argsort(-p, axis=1)[:, :k]
        return [[(self.classes_[j], float(p[i, j])) for j in row] for i, row in enumerate(top)]

    # --- explanation --------------------------------------------------------------------------------------------
    def explain(
        self, text: str, label: str, k: int = 5, context: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """The words of the text that pushed it most towards `label`: coef × tf-idf of each n-gram, shared out
        over the characters it covers, summed per jieba word; positive contributions only, largest first."""
        if label not in self.classes_ or self.coef_ is None or self.vocab is None:
            return []
        cfg = self.config
        norm = normalize_text(text, cfg.max_chars)
        if not norm:
            return []
        h, _, where = ngram_hashes([norm], cfg.ngram_min, cfg.ngram_max, positions=True)
        assert where is not None
        col = self.vocab.columns(h)
        known = col >= 0
        if not known.any():
            return []
        x_cols, x_values = self._row(text, context)
        row = self.coef_[self.classes_.index(label)]
        n_text = len(self.vocab.hashes)  # context columns come after the text's and are not words
        contribution = np.zeros(n_text)
        text_cols = x_cols < n_text
        contribution[x_cols[text_cols]] = row[x_cols[text_cols]] * x_values[text_cols]
        cols, starts, lengths = col[known], where[known, 0], where[known, 1]
        occurrences = np.bincount(cols, minlength=n_text)
        # Each occurrence of an n-gram carries its share of the n-gram's contribution, spread over its characters.
        share = contribution[cols] / occurrences[cols] / lengths
        per_char = np.zeros(len(norm) + cfg.ngram_max)
        for offset in range(cfg.ngram_max):
            inside = lengths > offset
            np.add.at(per_char, starts[inside] + offset, share[inside])
        scores: dict[str, float] = {}
        for word, start, end in content_words(norm):
            scores[word] = scores.get(word, 0.0) + float(per_char[start:end].sum())
        ranked = sorted(((w, s) for w, s in scores.items() if s > 0), key=lambda ws: -ws[1])
        return [(w, round(s, 4)) for w, s in ranked[:k]]

    # --- storage ------------------------------------------------------------------------------------------------
    def describe(self) -> str:
        return self.config.describe()

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        joblib.dump({"format": FORMAT, "config": asdict(self.config), "model": self}, buffer)
        return buffer.getvalue()

    @classmethod
    def loads(cls, blob: bytes) -> TextClassifier:
        """Unpickle a model file. Only for bytes whose sha256 the caller has checked against the database."""
        payload = joblib.load(io.BytesIO(blob))
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ValueError("not a dispatch model file of this format")
        model = payload["model"]
        if not isinstance(model, cls):
            raise ValueError("not a dispatch model file")
        assert model.vocab is not None
        model._ready()  # build the lookup table and the weights' layout now, not on the first request
        return model


def _l2(x: sp.csr_matrix) -> sp.csr_matrix:
    sq = np.zeros(x.shape[0])
    lengths = np.diff(x.indptr)
    nonempty = lengths > 0
    if x.nnz:
        sums = np.add.reduceat(x.data**2, x.indptr[:-1][nonempty])
        sq[nonempty] = sums
    norms = np.sqrt(sq)
    norms[norms == 0] = 1.0
    x.data /= np.repeat(norms, lengths)
    return x


def _softmax(s: np.ndarray) -> np.ndarray:
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)


def _information_weight(counts: sp.csr_matrix, y: np.ndarray, classes: list[str]) -> np.ndarray:
    """1 + (log K − H(label | n-gram present)) / log K, from document frequencies with class priors removed:
    1 for an n-gram spread evenly over the labels, 2 for one that occurs under a single label."""
    present = (counts > 0).astype(np.float64)
    index = {c: i for i, c in enumerate(classes)}
    onehot = sp.csr_matrix(
        (np.ones(len(y)), ([index[v] for v in y], np.arange(len(y)))), shape=(len(classes), len(y))
    )
    per_class = np.asarray((onehot @ present).todense())
    priors = np.array([(y == c).mean() for c in classes])[:, None]
    p = (per_class + 0.5) / priors
    p = p / p.sum(axis=0)
    entropy = -(p * np.log(p)).sum(axis=0)
    k = math.log(len(classes))
    return 1.0 + (k - entropy) / k


# --- jieba, for explanations -------------------------------------------------------------------------------------
_SEGMENTER: Any = None
_SEGMENTER_LOCK = threading.Lock()


def _cache_dir() -> str:
    try:
        from django.conf import settings

        path = os.path.join(str(settings.VAR_DIR), "cache")
    except Exception:  # outside Django (a notebook, a bench script)
        path = tempfile.gettempdir()
    os.makedirs(path, exist_ok=True)
    return path


@functools.lru_cache(maxsize=64)
def content_words(norm: str) -> tuple[tuple[str, int, int], ...]:
    """The words of a normalised text that an explanation may show, with their spans, in order.

    Cached: a suggestion explains its top three labels on one text (and the unit model's on the same text), and
    jieba's segmentation is most of an explanation's time, so each text is segmented once, not three to six times.
    """
    words = []
    for word, start, end in segmenter().tokenize(norm):
        word = word.strip()
        if len(word) < 2 or word in STOPWORDS or not any(ch.isalnum() for ch in word) or word.isdigit():
            continue
        words.append((word, start, end))
    return tuple(words)


def segmenter() -> Any:
    """jieba's tokenizer with its shipped dictionary, initialised once per process (no download; its cache file
    goes to var/cache)."""
    global _SEGMENTER
    if _SEGMENTER is None:
        with _SEGMENTER_LOCK:
            if _SEGMENTER is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.tmp_dir = _cache_dir()
                tokenizer.initialize()
                _SEGMENTER = tokenizer
    return _SEGMENTER
