"""Is an appeal an emergency? Three reasons may make it one, each shown with the appeal (issues 5 and 23):

1. **An answer** to a category's question that the category declares an emergency (Category.attributes, Open311
   style: `{"code": "people_trapped", ..., "emergency": {"values": ["yes"], "kind": "trapped"}}`): 有人被困,
   有明火, 燃气泄漏 … (`emergency_answer`).
2. **A phrase** of the rule layer (`detect_rule`). The text is cut into clauses (at ，。！？； and line breaks). A
   danger phrase counts unless, in its own clause, it is negated right before it ("没有人被困", "打不着火") or the
   clause is about the past, paperwork, advice or a worry ("上次火灾后的赔偿", "防触电安全讲座", "着火了应该怎么办",
   "万一摔倒了"). An elder or a child named in one clause is carried into the next ("奶奶有失智症，刚才走丢了").
3. **The learned layer** (`model_score`): character 1-3-grams (tf-idf) and a logistic regression, trained at
   first use from `data/urgency_train.jsonl` (SYNTHETIC sentences written for this project, no citizen's words;
   nothing is downloaded) and the dispatchers' corrections. It catches what people write that no phrase lists
   ("停在两层之间，里面好像有人", "三天没见人，门口有股臭味"). It scores the whole message and each two adjacent
   clauses (UNITS) and takes the highest, so a short danger sentence among requests is not diluted by them; a span
   that asks for advice or speaks of the past or a worry does not count. Its reason is the character n-grams that
   pushed the best span's score most. Its threshold and settings were chosen by cross-validation on the training
   file alone (bench/urgency/tune.py). Intake scores one text through a direct path in plain Python (`_Direct`,
   about a tenth of scikit-learn's per-call cost) that gives the same floats as scikit-learn's.

A false alarm costs a dispatcher a look and one click to lower it (services.appeal_lower_urgency); a missed
emergency costs more. bench/urgency/evaluate_v3.py measures both layers on `data/urgency_heldout_v3.jsonl`
(written before the third pass changed anything, never trained or tuned on) and on the first held-out file. Plain
Python and scikit-learn: no Django import, so the bench runs without settings.
"""

from __future__ import annotations

import itertools
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
        r"|刺鼻.{0,4}?气体|臭鸡蛋味|(?:燃气|煤气)热水器.{0,12}?晕|煤气中毒|一氧化碳",
    ),
    (
        "fire",
        r"起火|着火|失火|火灾|烧起来|燒起來|大火|火势|爆炸|浓烟|黑烟|冒火(?!花)|明火|火光|火苗|自燃|烟雾很大|放火|纵火"
        r"|(?:电箱|电线|插座|配电|电表|电器|电动车|充电).{0,4}?冒烟",
    ),
    (
        "structure",
        r"坍塌|倒塌|塌方|塌陷|塌了|塌下来|滑坡|脚手架.{0,2}?倒|墙体开裂.{0,6}?(?:掉落|倒)|要倒了?|陷下去"
        r"|(?:外墙|天花板|墙皮|广告牌|招牌|玻璃).{0,8}?(?:掉下|往下掉|砸|坠)|砸(?:到|伤|中)了?" + _PEOPLE,
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
        r"轻生|自杀|跳楼|割腕|[不唔]想活|寻死|去死|结束(?:自己的?)?生命|结束自己|想?往下跳|要跳(?:楼|河|桥)?|遗书|安眠药"
        r"|喝(?:敌敌畏|百草枯)|[吃吞]了(?:很多|好多|一整瓶|一瓶)的?药"
        r"|(?:天台|楼顶|栏杆)(?:的)?(?:边上|边缘|外面)",
    ),
    # Water before violence and the rest: a child fallen into a pond is told 119, not 120 or 110.
    (
        "water",
        r"溺水|落水|掉(?:进|到|落)了?.{0,3}?(?:河|水|井|海|湖|塘|池|江|潭)|被(?:浪|水|洪水|河水)(?:卷|冲)走"
        r"|沉下去",
    ),
    (
        "violence",
        r"家暴|打人|砍人|捅了?人|持刀|拿着?(?:菜)?刀|持械|斗殴|群架|打架.{0,8}?(?:流血|受伤)"
        r"|打(?:老婆|妻子|孩子|小孩|老人|我)|闯进",
    ),
    (
        "missing_unwell",
        _CHILD + r".{0,8}?(?:走失|走丢|昏迷|晕倒|无人照看|找不到|联系不上|没回家|没到家|没大人|没有大人)"
        r"|找不到(?:家长|大人)|"
        + _ELDER
        + r".{0,8}?(?:走失|走丢|倒在|摔倒|起不来|昏迷|晕倒|没出门|没有回应|没回来|没见人)"
        r"|昏迷|晕倒|晕过去|叫不醒|没有意识|失去意识|没有呼吸|口吐白沫|抽搐|有人受伤|受伤了|脸发[青紫]|嘴唇发[紫青]",
    ),
    (
        "fall_injury",
        r"摔下来|掉下去|掉进去|坠楼|从.{0,6}?(?:摔|掉|坠)下|(?:窗户|阳台|栏杆)外面|流了?(?:很多|好多)?血|被车撞|"
        + _CHILD
        + r".{0,8}?(?:爬到|爬上|窗台外|窗户外|阳台外|栏杆外)",
    ),
    # A call for help (not "救命啊，…" as a sigh before a complaint) names no kind: the police's number, and only when nothing more telling was said.
    ("violence", r"(?:喊|叫|呼)救命|救救(?:我|我们|他|她|孩子)|求救"),
]
# Lazy gaps (.{0,n}?): the phrase shown is the shortest that says it ("老人倒在", not the whole sentence).
_COMPILED = [(kind, re.compile(p)) for kind, p in RULES]
# An elder or a child named in one clause and what happened to them in the next ("奶奶有失智症，刚才在门口走丢了"):
# the subject is carried over one clause, for the missing_unwell phrases that need one.
_SUBJECT = re.compile(f"{_ELDER}|{_CHILD}")
_CARRIED = re.compile(
    r"走失|走丢|不见了|没回来|没回家|没到家|联系不上|昏迷|晕倒|晕过去|叫不醒|倒在地|摔倒|起不来|没有回应|没反应"
)
# Any of them, anywhere: most texts hold none, and one search of the whole text says so.
_ANY = re.compile("|".join(f"(?:{p})" for _, p in RULES) + f"|{_CARRIED.pattern}")

_CLAUSES = re.compile(r"[，,。.！!？?；;\n\r]+")
# Right before the phrase: a negation ("没有人被困", "无人触电", "未发现漏气"), or 不 / 防 directly ("打不着火").
_NEGATED = re.compile(r"(?:没有|没|无|未|并非|不是|排除)(?:人|有人|发现|出现|发生|造成)?$|[不防]$|气[到得]?$")
# The clause is about the past, paperwork, advice or a worry, not about a danger now.
_NOT_NOW = re.compile(
    r"上次|上周|上个月|去年|前年|之前|以前|曾经|那场|那次|赔偿|理赔|保险|处理结果|调查结果|原因|讲座|宣传|演习|演练"
    r"|培训|知识|事件|说法|补贴|报名|预防|防范|已经(?:修好|处理|解决|找到|结束|扑灭)|找到了"
    r"|应该(?:先)?(?:做什么|怎么|打|找|去)|怎么(?:办理|申请|处理|检查|买)"
    r"|前晚|昨晚|前段时间|前几天|那天|当时|后来|被劝下来"  # the past
    r"|万一|哪天|担心|要是|如果|假如|的话|会不会|可怎么|就麻烦|后果不堪|隐患|以防|怕(?:有人|哪天|万一|会)"  # a worry
    r"|正常吗|想咨询|咨询一下|想了解|了解一下|可以去哪|去哪里求助|哪个电话|打什么电话|找哪个部门"  # advice
)
# A pet or a thing that fell or fell into water is not a person in danger ("我家猫从阳台掉下去了").
_THING = re.compile(r"猫|狗|宠物|玩具|手机|钥匙|鸽子|东西|衣服")
_THING_KINDS = ("fall_injury", "water")


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
                if _counts(clause, match) and not (
                    kind in _THING_KINDS and _THING.search(clause[: match.start()])
                ):
                    return kind, match.group(0)
    for before, clause in itertools.pairwise(clauses):
        subject = _SUBJECT.search(before)
        if subject is None or _SUBJECT.search(clause) or _NOT_NOW.search(before):
            continue
        for match in _CARRIED.finditer(clause):
            # "走丢过" is the past, as "上次" would say
            if _counts(clause, match) and not clause[match.end() :].startswith("过"):
                return "missing_unwell", f"{subject.group(0)}…{match.group(0)}"
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
# Chosen on the training file only, never on a held-out one: bench/urgency/tune.py (stratified group
# cross-validation by sentence, 5 folds x 3) compares the settings and takes the highest threshold whose
# out-of-fold recall is still >= 0.95, i.e. the fewest false alarms that keep the recall goal.
THRESHOLD = 0.80
C = 32.0
NGRAMS = (1, 3)
NB = False
# What the learned layer scores (the highest score counts): "text" the whole message only; "clause" the whole
# message and each clause; "pair" the whole message and each two adjacent clauses. A short danger sentence in a
# long message is otherwise diluted by the sentences around it.
UNITS = "pair"
# In "clause" and "pair" modes a span does not count if one of its clauses asks for advice, speaks of the past or
# of a worry (the rule layer's _NOT_NOW), nor, with ADVICE_REACH 1, if the clause beside it asks ("着火了，怎么办").
ADVICE_REACH = 0


_PUNCT = re.compile(r"[，,。.！!？?；;：:、\s]+")
# Questions about procedure, money or upkeep: the learned layer's score does not count for them (the rule
# layer's phrases still do), neither for the clause that asks nor for the clauses beside it; in a long message a
# request elsewhere does not hide a danger. "怎么叫都不醒" is not a question: 怎么 … 都/也 is "however much".
_ADVICE = re.compile(
    r"怎么(?![^，。！？\s]{0,3}?[都也])|如何|请问|申请|什么时候|能不能|能否|多少钱|在哪|哪里|补贴|收费|费用|电费|水费|建议"
    r"|希望(?:增加|纳入|整治|安装|改造|修|多)"
    r"|太(?:吵|少|贵|多|脏|慢|高)|不方便|谢谢社区|已经(?:修好|找到|查过)|预约|报销|宣传|讲座|过期|年检|维保"
)


def _prepare(text: str) -> str:
    # Punctuation becomes a word boundary: n-grams stay within a clause (char_wb).
    return f" {_PUNCT.sub(' ', normalise(text))} "


def learned_counts(text: str) -> bool:
    """May the learned layer's score of the whole text count? Not for a text too short to say anything, nor for
    a question about procedure, money or upkeep."""
    text = normalise(text)
    return len(text.strip()) >= 4 and not _ADVICE.search(text)


def learned_spans(
    text: str, *, units: str | None = None, gated: bool = True, reach: int | None = None
) -> tuple[list[str], list[tuple[int, int]]]:
    """The text's clauses and the spans of them [a, b) whose learned score may count; (0, n) is the whole text.
    `gated=False`: every span of the mode, whatever it asks (the bench's "learned layer alone")."""
    text = normalise(text)
    units = units or UNITS
    reach = ADVICE_REACH if reach is None else reach
    clauses = [c for c in _CLAUSES.split(text) if _PUNCT.sub("", c)]
    n = len(clauses)
    if units == "text" or not gated:
        spans = [(0, n)] if not gated or (n and learned_counts(text)) else []
        if units == "text" or n < 2:
            return clauses, spans
    asks = [bool(_ADVICE.search(c)) for c in clauses] if gated else [False] * n
    not_now = [bool(_NOT_NOW.search(c)) for c in clauses] if gated else [False] * n
    width = 1 if units == "clause" else 2
    starts = [(0, n)] + [(a, a + width) for a in range(n - width + 1)]
    spans = [] if gated else [(0, n)]
    for a, b in starts:
        if (a, b) in spans or b > n or any(not_now[a:b]) or any(asks[max(0, a - reach) : b + reach]):
            continue
        if gated and len("".join(clauses[a:b]).strip()) < 4:
            continue
        spans.append((a, b))
    return clauses, spans


def _joined(clauses: list[str], span: tuple[int, int]) -> str:
    return "，".join(clauses[span[0] : span[1]])


@dataclass
class _Model:
    """Character 1-3-grams (tf-idf, l2), optionally scaled by their naive-Bayes log-count ratio (NB), and a
    logistic regression; a linear SVM on the plain tf-idf names the kind."""

    vectorizer: Any
    ratio: Any  # per n-gram: log of P(n-gram | urgent) / P(n-gram | not urgent), smoothed; 1.0 without NB
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
        """Probabilities of an emergency, one per text as a whole, through scikit-learn."""
        import numpy as np

        z = self.classifier.decision_function(self.scaled(self.tfidf(texts)))
        return 1.0 / (1.0 + np.exp(-z))

    def best_scores(
        self, texts: list[str], *, units: str | None = None, reach: int | None = None
    ) -> tuple[Any, list[str]]:
        """Per text, what assess compares with the threshold (the highest score of the spans that may count; 0.0
        if none may) and the kind named on that span ("" if none), through scikit-learn: the bench's path."""
        import numpy as np

        owner: list[int] = []
        strings: list[str] = []
        for i, text in enumerate(texts):
            clauses, spans = learned_spans(text, units=units, reach=reach)
            owner += [i] * len(spans)
            strings += [_joined(clauses, s) for s in spans]
        best = np.zeros(len(texts))
        kinds = [""] * len(texts)
        if not strings:
            return best, kinds
        x = self.tfidf(strings)
        p = 1.0 / (1.0 + np.exp(-self.classifier.decision_function(self.scaled(x))))
        named = self.kinds.predict(x)
        at = [-1] * len(texts)
        for row, i in enumerate(owner):
            if at[i] < 0 or p[row] > best[i]:
                best[i], at[i] = p[row], row
        for i, row in enumerate(at):
            if row >= 0:
                kinds[i] = str(named[row])
        return best, kinds


class _Direct:
    """The learned layer for one text without scikit-learn's per-call machinery (about 0.5 ms a text there): the
    text's character n-grams as the vectorizer cuts them (lower case, each space-separated word padded with a
    space, every 1..n-gram inside it), counted once per clause and added up per span, then tf-idf, the l2 norm,
    the NB scaling and the dot products in plain Python over the span's own n-grams, in the order scikit-learn
    and scipy compute them (columns sorted; sum of squares, square root, division; the matrix product's running
    sum from 0.0), so the floats are the same (test_urgency_direct compares both paths on every labelled text).
    Built once per trained model."""

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

    def counts(self, text: str) -> dict[int, int]:
        """The text's n-grams in the vocabulary: column -> count."""
        vocabulary = self.vocabulary
        counts: dict[int, int] = {}
        for gram, c in Counter(self.grams(text)).items():
            j = vocabulary.get(gram)
            if j is not None:
                counts[j] = c
        return counts

    def row_of(self, counts: dict[int, int]) -> tuple[list[int], list[float]]:
        """A tf-idf row: columns in increasing order and their l2-normalised values."""
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

    def row(self, text: str) -> tuple[list[int], list[float]]:
        return self.row_of(self.counts(text))

    def best(
        self, clauses: list[str], spans: list[tuple[int, int]]
    ) -> tuple[float, list[int], list[float]] | None:
        """The span with the highest score (the first of equals, as numpy's argmax): (score, its row)."""
        if not spans:
            return None
        per = [self.counts(c) for c in clauses]
        best: tuple[float, list[int], list[float]] | None = None
        for a, b in spans:
            if b - a == 1:
                counts = per[a]
            else:
                counts = {}
                for part in per[a:b]:
                    for j, c in part.items():
                        counts[j] = counts.get(j, 0) + c
            cols, values = self.row_of(counts)
            p = self.score(cols, values)
            if best is None or p > best[0]:
                best = (p, cols, values)
        return best

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


def _learned(
    text: str, *, direct: bool, gated: bool, threshold: float | None = None, top: int = 3
) -> tuple[float, str, list[str]] | None:
    """(the highest score of the text's spans, the kind and the n-grams that pushed it most on that span), or
    None when no span may count. Below `threshold` the kind and the words are not worked out ("", [])."""
    m = model()
    clauses, spans = learned_spans(text, gated=gated)
    if not spans:
        return None
    if direct:
        assert m.direct is not None
        found = m.direct.best(clauses, spans)
        assert found is not None
        p, cols, values = found
        if threshold is not None and p < threshold:
            return p, "", []
        return p, m.direct.kind(cols, values), _explain(m.direct.pushes(cols, values), top)
    x = m.tfidf([_joined(clauses, s) for s in spans])
    xs = m.scaled(x)
    z = m.classifier.decision_function(xs)
    i = int(z.argmax())  # the sigmoid keeps the order; numpy's argmax takes the first of equals
    p = _sigmoid(float(z[i]))
    if threshold is not None and p < threshold:
        return p, "", []
    kind = str(m.kinds.predict(x[i])[0])
    coef = m.classifier.coef_[0]
    names = m.direct.names if m.direct is not None else m.vectorizer.get_feature_names_out()
    row = xs[i].tocoo()
    pushes = [(float(v * coef[j]), str(names[j])) for j, v in zip(row.col, row.data, strict=True)]
    return p, kind, _explain(pushes, top)


def model_score(text: str, *, top: int = 3, direct: bool = True) -> tuple[float, str, list[str]]:
    """(probability of an emergency, likely kind, the character n-grams that pushed it most), on the text's span
    that scores highest, whatever the text asks. `direct=False` takes scikit-learn's path (the same figures,
    slower: the test and the bench compare both)."""
    found = _learned(text, direct=direct, gated=False, top=top)
    assert found is not None  # ungated, the whole text is always a span
    return found


def _probability(text: str, *, direct: bool) -> float:
    """The learned layer alone: the highest score of the text's spans, whatever the text asks."""
    m = model()
    clauses, spans = learned_spans(text, gated=False)
    if direct:
        assert m.direct is not None
        found = m.direct.best(clauses, spans)
        assert found is not None
        return found[0]
    z = m.classifier.decision_function(m.scaled(m.tfidf([_joined(clauses, s) for s in spans])))
    return _sigmoid(float(z.max()))


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
    """Answer first (the resident said so), then the rule layer's phrase, then the learned layer (the highest
    score of the text's spans that may count). Called once per appeal at intake: the learned layer takes its
    direct path for one text (`direct=False`: scikit-learn's)."""
    answer = emergency_answer(definitions, answers)
    if answer is not None:
        kind, reason = answer
        return Assessment(True, kind, "answer", f"回答：{reason}")
    hit = detect_rule(text)
    if hit is not None:
        return Assessment(True, hit[0], "rule", f"关键词：{hit[1]}")
    if not use_learned:
        return Assessment(False)
    found = _learned(text, direct=direct, gated=True, threshold=THRESHOLD)
    if found is None:
        return Assessment(False)
    p, kind, words = found
    if p < THRESHOLD:  # most texts: no kind or explanation needed
        return Assessment(False, score=p)
    return Assessment(True, kind, "model", f"模型 {p:.2f}：{'、'.join(words)}", p, words)
