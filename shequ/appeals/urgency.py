"""Is an appeal an emergency? Three reasons may make it one, each shown with the appeal (issues 5 and 23):

1. **An answer** to a category's question that the category declares an emergency (Category.attributes, Open311
   style: `{"code": "people_trapped", ..., "emergency": {"values": ["yes"], "kind": "trapped"}}`): 有人被困,
   有明火, 燃气泄漏 … (`emergency_answer`).
2. **A phrase** of the rule layer (`detect_rule`). The text is cut into clauses (at ，。！？； and line breaks). A
   danger phrase counts unless, in its own clause, it is negated right before it ("没有人被困", "打不着火") or the
   clause is about the past, paperwork or advice ("上次火灾后的赔偿", "防触电安全讲座", "着火了应该怎么办").
3. **The learned layer** (`model_score`): character 1-3-grams (tf-idf scaled by their naive-Bayes ratio) and a
   logistic regression, trained at first use from `data/urgency_train.jsonl` (SYNTHETIC sentences written for
   this project, no citizen's words; nothing is downloaded) and the dispatchers' corrections. It catches what
   people write that no phrase lists ("停在两层之间，里面好像有人", "三天没见人，门口有股臭味"); its reason is the
   character n-grams that pushed the score most. Its threshold and settings were chosen by cross-validation on
   the training file alone (bench/urgency/tune.py). Intake scores one text through a direct path in plain Python
   (`_Direct`, about a tenth of scikit-learn's per-call cost) that gives the same floats as scikit-learn's.

A false alarm costs a dispatcher a look and one click to lower it (services.appeal_lower_urgency); a missed
emergency costs more. bench/urgency/evaluate_v2.py measures both layers on `data/urgency_heldout.jsonl`, which is
never trained on. Plain Python and scikit-learn: no Django import, so the bench runs without settings.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
DATA = Path(__file__).resolve().parent / "data"
TRAIN_FILE = DATA / "urgency_train.jsonl"

# The kinds of emergency, and whom a resident calls for each (110 police, 119 fire, 120 ambulance).
KIND_LABELS = {
    "fire": "火灾",
    "gas": "燃气泄漏",
    "electricity": "触电漏电",
    "trapped": "人员被困",
    "fall_injury": "坠落受伤",
    "water": "溺水涉水",
    "structure": "建筑坍塌",
    "violence": "暴力侵害",
    "self_harm": "轻生",
    "missing_unwell": "走失或急病",
}
KIND_CALL = {
    "fire": "119",
    "gas": "119",
    "trapped": "119",
    "water": "119",
    "structure": "119",
    "fall_injury": "120",
    "missing_unwell": "120",
    "electricity": "120",
    "violence": "110",
    "self_harm": "110",
}

_PEOPLE = r"(?:人|老人|小孩|孩子|儿童|婴儿|学生|工人|行人|路人)"
_CHILD = r"(?:儿童|小孩|孩子|婴儿|小朋友)"
_ELDER = r"(?:老人|老太太?|老伯|伯伯|老大爷|大爷|奶奶|爷爷|外婆|外公|阿婆|阿公)"

# Phrases of danger to life or property, by kind; the first kind that matches wins.
RULES: list[tuple[str, str]] = [
    (
        "gas",
        r"燃气泄漏|煤气泄漏|天然气泄漏|闻到(?:煤气|燃气|天然气)味?|(?:煤气|燃气|天然气)(?:的)?(?:味|气味)"
        r"|漏气|(?:煤气|燃气)漏了|液化气.{0,10}?漏|(?:燃气|煤气|天然气)(?:管道?|管线)?.{0,4}?(?:挖断|挖破|破裂|断裂|弄断)"
        r"|刺鼻.{0,4}?气体|臭鸡蛋味",
    ),
    (
        "fire",
        r"起火|着火|失火|火灾|烧起来|燒起來|大火|火势|爆炸|浓烟|黑烟|冒火(?!花)|明火|火光|火苗|自燃|烟雾很大|放火|纵火"
        r"|(?:电箱|电线|插座|配电|电表|电器|电动车|充电).{0,4}?冒烟",
    ),
    (
        "structure",
        r"坍塌|倒塌|塌方|塌陷|塌了|塌下来|滑坡|脚手架.{0,2}?倒|墙体开裂.{0,6}?(?:掉落|倒)|要倒了?|陷下去"
        r"|(?:外墙|天花板|墙皮|广告牌|招牌|玻璃).{0,6}?(?:掉下|砸|坠)|砸(?:到|伤|中)了?" + _PEOPLE,
    ),
    (
        "electricity",
        r"触电|漏电|带电|被电(?:到|了|击|倒)|电到了|(?:电线|高压线|电缆).{0,6}?(?:掉|断|垂|泡|火花)|冒火花|打火花"
        r"|水.{0,2}?(?:漫|淹|灌)进?.{0,3}?(?:配电|电房|电箱|变电)|配电房进水",
    ),
    (
        "trapped",
        r"被困|困在|困人|(?:电梯|里面|里头).{0,4}?关了?人|关在(?:电梯|里面)|(?:卡|停)在.{0,6}?(?:层|楼)?(?:之?中间|之间|半空)"
        r"|被(?:反)?锁在|锁在车里|被夹住|" + _PEOPLE + r".{0,3}?出不来",
    ),
    (
        "self_harm",
        r"轻生|自杀|跳楼|割腕|不想活|寻死|去死|结束(?:自己的)?(?:生命)?|想?往下跳|要跳(?:楼|河|桥)?|遗书|安眠药"
        r"|(?:天台|楼顶|栏杆)(?:的)?(?:边上|边缘|外面)",
    ),
    (
        "violence",
        r"家暴|打人|砍人|捅了?人|持刀|拿着?(?:菜)?刀|持械|斗殴|群架|打架.{0,8}?(?:流血|受伤)|喊救命|救命"
        r"|打(?:老婆|妻子|孩子|小孩|老人|我)|闯进",
    ),
    (
        "missing_unwell",
        _CHILD
        + r".{0,8}?(?:走失|走丢|昏迷|晕倒|无人照看|找不到|联系不上|没回家|没到家|没大人|没有大人|掉进|落水|爬到|窗台外|窗户外)"
        r"|找不到(?:家长|大人)|"
        + _ELDER
        + r".{0,8}?(?:走失|走丢|倒在|摔倒|起不来|昏迷|晕倒|没出门|没有回应|没回来|没见人)"
        r"|昏迷|晕倒|晕过去|叫不醒|没有意识|失去意识|没有呼吸|口吐白沫|抽搐|有人受伤|受伤了",
    ),
    (
        "fall_injury",
        r"摔下来|掉下去|掉进去|坠楼|从.{0,6}?(?:摔|掉|坠)下|(?:窗户|阳台|栏杆)外面|流了?(?:很多|好多)?血|被车撞",
    ),
    ("water", r"溺水|落水|掉进.{0,3}?(?:河|水|井|海|湖|塘)|被(?:浪|水)(?:卷|冲)走|沉下去"),
]
# Lazy gaps (.{0,n}?): the phrase shown is the shortest that says it ("老人倒在", not the whole sentence).
_COMPILED = [(kind, re.compile(p)) for kind, p in RULES]
# Any of them, anywhere: most texts hold none, and one search of the whole text says so.
_ANY = re.compile("|".join(f"(?:{p})" for _, p in RULES))

_CLAUSES = re.compile(r"[，,。.！!？?；;\n\r]+")
# Right before the phrase: a negation ("没有人被困", "无人触电", "未发现漏气"), or 不 / 防 directly ("打不着火").
_NEGATED = re.compile(r"(?:没有|没|无|未|并非|不是|排除)(?:人|有人|发现|出现|发生|造成)?$|[不防]$")
# The clause is about the past, paperwork or advice, not about a danger now.
_NOT_NOW = re.compile(
    r"上次|上周|上个月|去年|前年|之前|以前|曾经|那场|那次|赔偿|理赔|保险|处理结果|调查结果|原因|讲座|宣传|演习|演练"
    r"|培训|知识|事件|说法|补贴|报名|预防|防范|已经(?:修好|处理|解决|找到|结束|扑灭)|找到了|应该(?:先)?(?:做什么|怎么办)"
    r"|怎么(?:办理|申请|处理|检查|买)"
)


def _counts(clause: str, match: re.Match[str]) -> bool:
    if _NEGATED.search(clause[: match.start()]):
        return False
    return not _NOT_NOW.search(clause)


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def detect_rule(text: str) -> tuple[str, str] | None:
    """(kind, phrase) of the first safety phrase that is not negated, about the past or advice; or None."""
    text = normalise(text)
    if not _ANY.search(text):
        return None
    clauses = [c for c in _CLAUSES.split(text) if c]
    for kind, pattern in _COMPILED:
        for clause in clauses:
            for match in pattern.finditer(clause):
                if _counts(clause, match):
                    return kind, match.group(0)
    return None


def detect_urgency(text: str) -> str | None:
    """The rule layer's phrase, or None (the first version's interface, kept for callers and the old bench)."""
    hit = detect_rule(text)
    return hit[1] if hit else None


# --- answers to a category's questions ----------------------------------------------------------------------------
def emergency_attributes(definitions: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The attributes of a category that declare emergency answers."""
    return [a for a in definitions or [] if isinstance(a.get("emergency"), dict)]


def emergency_answer(
    definitions: list[dict[str, Any]] | None, answers: dict[str, Any] | None
) -> tuple[str, str] | None:
    """(kind, reason) for the first answer the category declares an emergency: ("trapped", "是否有人被困：有人被困")."""
    answers = answers or {}
    for attr in emergency_attributes(definitions):
        given = answers.get(attr["code"])
        values = given if isinstance(given, list) else [given]
        hits = [str(v) for v in values if v is not None and str(v) in attr["emergency"].get("values", [])]
        if hits:
            names = {str(v["key"]): v.get("name", str(v["key"])) for v in attr.get("values", [])}
            return attr["emergency"].get(
                "kind", ""
            ), f"{attr.get('description') or attr['code']}：{names.get(hits[0], hits[0])}"
    return None


# --- the learned layer ------------------------------------------------------------------------------------------
# Chosen on the training file only, never on the held-out one: bench/urgency/tune.py (stratified group
# cross-validation by sentence, 5 folds x 3) compares the settings and takes the highest threshold whose
# out-of-fold recall is still >= 0.95, i.e. the fewest false alarms that keep the recall goal.
THRESHOLD = 0.63
C = 8.0
NGRAMS = (1, 3)
NB = False


_PUNCT = re.compile(r"[，,。.！!？?；;：:、\s]+")
# Questions about procedure, money or upkeep: the learned layer's score does not count in such a text (the rule
# layer's phrases still do). "怎么叫都不醒" is not a question: 怎么 … 都/也 is "however much".
_ADVICE = re.compile(
    r"怎么(?![^，。！？\s]{0,3}?[都也])|如何|请问|申请|什么时候|能不能|能否|多少钱|在哪|哪里|补贴|收费|费用|电费|水费|建议"
    r"|希望(?:增加|纳入|整治|安装|改造|修|多)"
    r"|太(?:吵|少|贵|多|脏|慢|高)|不方便|谢谢社区|已经(?:修好|找到|查过)|预约|报销|宣传|讲座|过期|年检|维保"
)


def _prepare(text: str) -> str:
    # Punctuation becomes a word boundary: n-grams stay within a clause (char_wb).
    return f" {_PUNCT.sub(' ', normalise(text))} "


def learned_counts(text: str) -> bool:
    """May the learned layer's score make this text an emergency? Not for a text too short to say anything, nor
    for a question about procedure, money or upkeep."""
    text = normalise(text)
    return len(text.strip()) >= 4 and not _ADVICE.search(text)


@dataclass
class _Model:
    """Character 1-3-grams (tf-idf, l2), scaled by their naive-Bayes log-count ratio, and a logistic regression
    (NB-LR: fewer false alarms at the same recall than plain tf-idf in tune.py's cross-validation); a linear SVM
    on the plain tf-idf names the kind."""

    vectorizer: Any
    ratio: Any  # per n-gram: log of P(n-gram | urgent) / P(n-gram | not urgent), smoothed
    classifier: Any
    kinds: Any  # a second classifier: which kind, for what the rules do not name
    direct: _Direct | None = None

    # The scikit-learn path: any number of texts, one sparse matrix (the bench's cross-validation, the test).
    def tfidf(self, texts: list[str]) -> Any:
        return self.vectorizer.transform([_prepare(t) for t in texts])

    def scaled(self, x: Any) -> Any:
        x = x.copy()
        x.data *= self.ratio[x.indices]
        return x

    def scores(self, texts: list[str]) -> Any:
        """Probabilities of an emergency, one per text, through scikit-learn."""
        import numpy as np

        z = self.classifier.decision_function(self.scaled(self.tfidf(texts)))
        return 1.0 / (1.0 + np.exp(-z))


class _Direct:
    """The learned layer for one text without scikit-learn's per-call machinery (about 0.5 ms a text there): the
    text's character n-grams as the vectorizer cuts them (lower case, each space-separated word padded with a
    space, every 1..n-gram inside it), then tf-idf, the l2 norm, the NB scaling and the dot products in plain
    Python over the text's own n-grams, in the order scikit-learn and scipy compute them (columns sorted; sum of
    squares, square root, division; the matrix product's running sum from 0.0), so the floats are the same
    (test_urgency_direct compares both paths on every labelled text). Built once per trained model."""

    def __init__(self, m: _Model) -> None:
        import numpy as np

        v = m.vectorizer
        # The n-grams below are char_wb's for these settings only; anything else would need its analyzer.
        assert v.analyzer == "char_wb" and v.lowercase and v.preprocessor is None and v.ngram_range[0] == 1
        self.sizes = range(1, v.ngram_range[1] + 1)
        self.vocabulary: dict[str, int] = {str(g): int(j) for g, j in v.vocabulary_.items()}
        self.names = [""] * len(self.vocabulary)
        for gram, j in self.vocabulary.items():
            self.names[j] = gram
        self.idf: list[float] = v.idf_.tolist()
        self.ratio: list[float] = m.ratio.tolist()
        self.coef: list[float] = m.classifier.coef_[0].tolist()
        self.intercept = float(m.classifier.intercept_[0])
        # 1 + log(count) as numpy computes it for scikit-learn's sublinear tf (a count is rarely above a few).
        self.tf: list[float] = (np.log(np.arange(1, 65, dtype=np.float64)) + 1.0).tolist()
        self.kind_classes = [str(k) for k in m.kinds.classes_]
        self.kind_coef: list[list[float]] = m.kinds.coef_.T.tolist()  # per n-gram: one weight per kind row
        self.kind_intercept: list[float] = m.kinds.intercept_.tolist()

    def grams(self, text: str) -> list[str]:
        out: list[str] = []
        for word in _prepare(text).lower().split():
            w = f" {word} "
            # A padded word has at least 3 characters; an n longer than the word adds nothing, as in char_wb.
            out += [w[i : i + n] for n in self.sizes for i in range(len(w) - n + 1)]
        return out

    def row(self, text: str) -> tuple[list[int], list[float]]:
        """The text's tf-idf row: columns in increasing order and their l2-normalised values."""
        vocabulary = self.vocabulary
        counts: dict[int, int] = {}
        for gram, c in Counter(self.grams(text)).items():
            j = vocabulary.get(gram)
            if j is not None:
                counts[j] = c
        items = sorted(counts.items())
        tf, idf = self.tf, self.idf
        cols = [j for j, _ in items]
        values = [(tf[c - 1] if c <= 64 else math.log(c) + 1.0) * idf[j] for j, c in items]
        total = 0.0
        for value in values:
            total += value * value
        if total != 0.0:
            norm = math.sqrt(total)
            values = [value / norm for value in values]
        return cols, values

    def score(self, cols: list[int], values: list[float]) -> float:
        ratio, coef = self.ratio, self.coef
        z = 0.0
        for j, value in zip(cols, values, strict=True):
            z += (value * ratio[j]) * coef[j]
        return _sigmoid(z + self.intercept)

    def kind(self, cols: list[int], values: list[float]) -> str:
        scores = [0.0] * len(self.kind_intercept)
        for j, value in zip(cols, values, strict=True):
            weights = self.kind_coef[j]
            for k in range(len(scores)):
                scores[k] += value * weights[k]
        scores = [s + b for s, b in zip(scores, self.kind_intercept, strict=True)]
        if len(scores) == 1:  # two kinds only: scikit-learn's binary decision
            return self.kind_classes[int(scores[0] > 0)]
        return self.kind_classes[max(range(len(scores)), key=scores.__getitem__)]

    def pushes(self, cols: list[int], values: list[float]) -> list[tuple[float, str]]:
        ratio, coef, names = self.ratio, self.coef, self.names
        return [((value * ratio[j]) * coef[j], names[j]) for j, value in zip(cols, values, strict=True)]


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def training_rows(path: Path = TRAIN_FILE) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def train(
    rows: list[dict[str, Any]], *, c: float = C, ngrams: tuple[int, int] = NGRAMS, nb: bool = NB
) -> _Model:
    """Fit the learned layer on labelled rows ({"text", "urgent", "kind"}); deterministic, about a second."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=ngrams, sublinear_tf=True, min_df=2)
    x = vectorizer.fit_transform([_prepare(r["text"]) for r in rows])
    y = np.array([bool(r["urgent"]) for r in rows])
    present = (x > 0).astype(np.float64)
    p = 1.0 + np.asarray(present[y].sum(axis=0)).ravel()
    q = 1.0 + np.asarray(present[~y].sum(axis=0)).ravel()
    # Without NB scaling the ratio is 1.0 everywhere: multiplying by it changes no bit, on either path.
    ratio = np.log((p / p.sum()) / (q / q.sum())) if nb else np.ones(x.shape[1])
    m = _Model(vectorizer, ratio, None, None)
    m.classifier = LogisticRegression(C=c, class_weight="balanced", solver="liblinear").fit(m.scaled(x), y)
    urgent = np.flatnonzero(y)
    m.kinds = LinearSVC(C=1.0).fit(x[urgent], [rows[i]["kind"] for i in urgent])
    m.direct = _Direct(m)
    return m


_extra: list[Callable[[], list[dict[str, Any]]]] = []


def register_extra_rows(source: Callable[[], list[dict[str, Any]]]) -> None:
    """More labelled rows for the learned layer: dispatch registers the dispatchers' corrections (issue 23)."""
    if source not in _extra:
        _extra.append(source)


def _extra_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for source in _extra:
        try:
            rows.extend(source())
        except Exception:  # no database here (the bench, a test without one): the repository's set alone
            log.warning("urgency: extra training rows unavailable", exc_info=True)
    # An urgent row without a kind teaches the kind classifier nothing.
    return [r for r in rows if r.get("text") and (r.get("kind") or not r.get("urgent"))]


_model: _Model | None = None
_lock = threading.Lock()


def model() -> _Model:
    """The learned layer, trained at first use from the repository's synthetic set and the dispatchers'
    corrections (once per process; `use_model(None)` trains again at next use)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = train(training_rows() + _extra_rows())
    return _model


def use_model(m: _Model | None) -> None:
    """Replace the learned layer (the bench trains on other rows; None: train again at next use)."""
    global _model
    _model = m


def _explain(pushes: list[tuple[float, str]], top: int) -> list[str]:
    words: list[str] = []
    for weight, gram in sorted(pushes, reverse=True):
        if weight <= 0 or len(words) >= top:
            break
        if len(gram) < 2 or " " in gram or any(gram in w or w in gram for w in words):
            continue  # single characters and overlapping n-grams say little
        words.append(gram)
    return words


def model_score(text: str, *, top: int = 3, direct: bool = True) -> tuple[float, str, list[str]]:
    """(probability of an emergency, likely kind, the character n-grams that pushed it most). `direct=False`
    takes scikit-learn's path (the same figures, slower: the test and the bench compare both)."""
    m = model()
    if direct:
        assert m.direct is not None
        cols, values = m.direct.row(text)
        return (
            m.direct.score(cols, values),
            m.direct.kind(cols, values),
            _explain(m.direct.pushes(cols, values), top),
        )
    x = m.tfidf([text])
    xs = m.scaled(x)
    p = _sigmoid(float(m.classifier.decision_function(xs)[0]))
    kind = str(m.kinds.predict(x)[0])
    coef = m.classifier.coef_[0]
    names = m.direct.names if m.direct is not None else m.vectorizer.get_feature_names_out()
    row = xs.tocoo()
    pushes = [(float(v * coef[j]), str(names[j])) for j, v in zip(row.col, row.data, strict=True)]
    return p, kind, _explain(pushes, top)


def _probability(text: str, *, direct: bool) -> float:
    m = model()
    if direct:
        assert m.direct is not None
        return m.direct.score(*m.direct.row(text))
    return _sigmoid(float(m.classifier.decision_function(m.scaled(m.tfidf([text])))[0]))


# --- the decision -----------------------------------------------------------------------------------------------
@dataclass
class Assessment:
    emergency: bool
    kind: str = ""
    source: str = ""  # "answer" | "rule" | "model" | ""
    reason: str = ""  # shown with the appeal (Appeal.urgency_reason)
    score: float = 0.0
    words: list[str] = field(default_factory=list)


def assess(
    text: str,
    *,
    definitions: list[dict[str, Any]] | None = None,
    answers: dict[str, Any] | None = None,
    use_learned: bool = True,
    direct: bool = True,
) -> Assessment:
    """Answer first (the resident said so), then the rule layer's phrase, then the learned layer. Called once per
    appeal at intake: the learned layer takes its direct path for one text (`direct=False`: scikit-learn's)."""
    answer = emergency_answer(definitions, answers)
    if answer is not None:
        kind, reason = answer
        return Assessment(True, kind, "answer", f"回答：{reason}")
    hit = detect_rule(text)
    if hit is not None:
        return Assessment(True, hit[0], "rule", f"关键词：{hit[1]}")
    if not use_learned or not learned_counts(text):
        return Assessment(False)
    m = model()
    if direct and m.direct is not None:
        cols, values = m.direct.row(text)
        p = m.direct.score(cols, values)
        if p < THRESHOLD:  # most texts: no kind or explanation needed
            return Assessment(False, score=p)
        kind, words = m.direct.kind(cols, values), _explain(m.direct.pushes(cols, values), 3)
    else:
        p = _probability(text, direct=False)
        if p < THRESHOLD:
            return Assessment(False, score=p)
        p, kind, words = model_score(text, direct=False)
    return Assessment(True, kind, "model", f"模型 {p:.2f}：{'、'.join(words)}", p, words)
