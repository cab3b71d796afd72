"""Is an appeal an emergency? Three reasons may make it one, each shown with the appeal (issues 5 and 23):

1. **An answer** to a category's question that the category declares an emergency (Category.attributes, Open311
   style: `{"code": "people_trapped", ..., "emergency": {"values": ["yes"], "kind": "trapped"}}`): 有人被困,
   有明火, 燃气泄漏 … (`emergency_answer`).
2. **A phrase** of the rule layer (`detect_rule`). The text is cut into clauses (at ，。！？； and line breaks). A
   danger phrase counts unless, in its own clause, it is negated right before it ("没有人被困", "打不着火") or the
   clause is about the past, paperwork or advice ("上次火灾后的赔偿", "防触电安全讲座", "着火了应该怎么办").
3. **The learned layer** (`model_score`): character 1-3-grams and a logistic regression, trained at first use from
   `data/urgency_train.jsonl` (SYNTHETIC sentences written for this project, no citizen's words; nothing is
   downloaded). It catches what people write that no phrase lists ("停在两层之间，里面好像有人", "三天没见人，门口有股
   臭味"); its reason is the character n-grams that pushed the score most.

A false alarm costs a dispatcher a look and one click to lower it (services.appeal_lower_urgency); a missed
emergency costs more. bench/urgency/evaluate_v2.py measures both layers on `data/urgency_heldout.jsonl`, which is
never trained on. Plain Python and scikit-learn: no Django import, so the bench runs without settings.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import unicodedata
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
THRESHOLD = 0.5


@dataclass
class _Model:
    vectorizer: Any
    classifier: Any
    kinds: Any  # a second classifier: which kind, for what the rules do not name
    names: Any = None  # the vectorizer's feature names, for the explanation


_model: _Model | None = None
_lock = threading.Lock()


def training_rows(path: Path = TRAIN_FILE) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


_PUNCT = re.compile(r"[，,。.！!？?；;：:、\s]+")
# Questions about procedure, money or upkeep: the learned layer's score does not count in such a text (the rule
# layer's phrases still do). Chosen by 5-fold cross-validation on the training file, never on the held-out one.
_ADVICE = re.compile(
    r"怎么|如何|请问|申请|什么时候|能不能|能否|多少钱|在哪|哪里|补贴|收费|费用|电费|水费|建议|希望(?:增加|纳入|整治|安装|改造|修|多)"
    r"|太(?:吵|少|贵|多|脏|慢|高)|不方便|谢谢社区|已经(?:修好|找到|查过)|预约|报销|宣传|讲座|过期|年检|维保"
)


def _prepare(text: str) -> str:
    # Punctuation becomes a word boundary: n-grams stay within a clause (char_wb).
    return f" {_PUNCT.sub(' ', normalise(text))} "


def train(rows: list[dict[str, Any]]) -> _Model:
    """Fit the learned layer on labelled rows ({"text", "urgent", "kind"}); deterministic, well under a second."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    x = vectorizer.fit_transform([_prepare(r["text"]) for r in rows])
    y = [bool(r["urgent"]) for r in rows]
    classifier = LogisticRegression(C=8.0, class_weight="balanced", solver="liblinear").fit(x, y)
    urgent = [i for i, r in enumerate(rows) if r["urgent"]]
    kinds = LinearSVC(C=1.0).fit(x[urgent], [rows[i]["kind"] for i in urgent])
    return _Model(vectorizer, classifier, kinds, vectorizer.get_feature_names_out())


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


def _sigmoid(m: _Model, x: Any) -> float:
    import math

    z = float(
        m.classifier.decision_function(x)[0]
    )  # the positive class is True (classes_ sorted: False, True)
    return 1.0 / (1.0 + math.exp(-z))


def model_score(text: str, *, top: int = 3) -> tuple[float, str, list[str]]:
    """(probability of an emergency, likely kind, the character n-grams that pushed it most)."""
    m = model()
    x = m.vectorizer.transform([_prepare(text)])
    p = _sigmoid(m, x)
    kind = str(m.kinds.predict(x)[0])
    row = x.tocoo()
    coef = m.classifier.coef_[0]
    names = m.names
    pushes = sorted(
        ((v * coef[j], str(names[j])) for j, v in zip(row.col, row.data, strict=True)), reverse=True
    )
    words: list[str] = []
    for weight, gram in pushes:
        if weight <= 0 or len(words) >= top:
            break
        if len(gram) < 2 or " " in gram or any(gram in w or w in gram for w in words):
            continue  # single characters and overlapping n-grams say little
        words.append(gram)
    return p, kind, words


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
) -> Assessment:
    """Answer first (the resident said so), then the rule layer's phrase, then the learned layer."""
    answer = emergency_answer(definitions, answers)
    if answer is not None:
        kind, reason = answer
        return Assessment(True, kind, "answer", f"回答：{reason}")
    hit = detect_rule(text)
    if hit is not None:
        return Assessment(True, hit[0], "rule", f"关键词：{hit[1]}")
    if not use_learned or len(normalise(text).strip()) < 4 or _ADVICE.search(normalise(text)):
        return Assessment(False)
    m = model()
    p = _sigmoid(m, m.vectorizer.transform([_prepare(text)]))
    if p < THRESHOLD:  # most texts: one transform and one dot product, no explanation needed
        return Assessment(False, score=p)
    p, kind, words = model_score(text)
    return Assessment(True, kind, "model", f"模型 {p:.2f}：{'、'.join(words)}", p, words)
