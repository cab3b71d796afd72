"""Safety words that raise an appeal to emergency at intake (issue 5: measured in bench/urgency/RESULTS.md).

The text is cut into clauses (at ，。！？； and line breaks). A danger phrase counts unless, in its own clause,
- it is negated right before it ("没有人被困", "无人触电", "打不着火"), or
- the clause is about the past or about paperwork, not about now ("上次火灾后的赔偿", "打人事件的处理结果",
  "防触电安全讲座", "上周电梯困人的事", "之前的塌陷已经修好了").
The phrase that counted is returned and shown with the appeal. False alarms cost a dispatcher a look; a missed
emergency costs more, so a clause is dropped only on these explicit signs.
"""

from __future__ import annotations

import re
import unicodedata

_PEOPLE = r"(?:人|老人|小孩|孩子|儿童|婴儿|学生|工人|行人|路人)"
_CHILD = r"(?:儿童|小孩|孩子|婴儿|小朋友)"
_ELDER = r"(?:老人|老太太?|老伯|老大爷|奶奶|爷爷|外婆|外公)"

# Phrases of danger to life or property, by kind; the first kind that matches wins.
PATTERNS = [
    # gas
    r"燃气泄漏|煤气泄漏|天然气泄漏|闻到(?:煤气|燃气|天然气)味?|(?:煤气|燃气|天然气)味"
    r"|漏气|液化气.{0,10}?漏|(?:燃气|煤气|天然气)(?:管道?|管线)?.{0,4}?(?:挖断|破裂|断裂)|刺鼻.{0,4}?气体",
    # fire, explosion
    r"起火|着火|失火|火灾|烧起来|大火|火势|爆炸|浓烟|冒黑烟|烟雾很大|放火|纵火"
    r"|(?:电箱|电线|插座|配电|电表|电器|电动车|充电).{0,4}?冒烟",
    # collapse
    r"坍塌|倒塌|塌方|塌陷|塌了|塌下来|滑坡|脚手架.{0,2}?倒|墙体开裂.{0,6}?(?:掉落|倒)"
    r"|(?:外墙|天花板|墙皮|广告牌|招牌|玻璃).{0,6}?(?:掉|砸|坠)|砸(?:到|伤)了?" + _PEOPLE,
    # electricity
    r"触电|漏电|被电(?:到|了|击)|电到了|(?:电线|高压线|电缆).{0,6}?(?:掉|断|垂|泡|火花)|冒火花"
    r"|水.{0,2}?(?:漫|淹|灌)进?.{0,3}?(?:配电|电房|电箱|变电)",
    # people trapped
    r"被困|困在|困人|电梯.{0,4}?关了?人|(?:卡|停)在.{0,4}?(?:层|楼)?中间|被(?:反)?锁在|锁在车里|"
    + _PEOPLE
    + r".{0,3}?出不来",
    # self-harm
    r"轻生|自杀|跳楼|割腕|不想活|寻死|结束(?:自己的)?生命|想?往下跳|要跳(?:楼|河|桥)?",
    # violence
    r"家暴|打人|砍人|持刀|拿着?刀|持械|斗殴|群架|打架.{0,8}?(?:流血|受伤)|流血|喊救命|救命"
    r"|打(?:老婆|妻子|孩子|小孩|老人)",
    # children and the elderly in danger
    _CHILD
    + r".{0,8}?(?:走失|走丢|昏迷|晕倒|无人照看|找不到|联系不上|没回家|没大人|没有大人|掉进|落水|爬到|窗台外)"
    r"|找不到(?:家长|大人)",
    _ELDER + r".{0,8}?(?:走失|走丢|倒在|摔倒|起不来|昏迷|晕倒|没出门|没有回应|没回来)"
    r"|昏迷|晕倒|没有意识|失去意识|有人受伤|受伤了",
    # water
    r"溺水|落水|掉进.{0,3}?(?:河|水|井|海|湖)",
]
# Lazy gaps (.{0,n}?): the phrase shown is the shortest that says it ("老人倒在", not the whole sentence).
_COMPILED = [re.compile(p) for p in PATTERNS]
# Any of them, anywhere: most texts hold none, and one search of the whole text says so. A phrase found in a
# clause is found in the text too (the clause is part of it), so no match here means no match below.
_ANY = re.compile("|".join(f"(?:{p})" for p in PATTERNS))

_CLAUSES = re.compile(r"[，,。.！!？?；;\n\r]+")
# Right before the phrase: a negation ("没有人被困", "无人触电", "未发现漏气"), or 不 / 防 directly ("打不着火",
# "防触电").
# Only these few words may stand between: "没想到着火了" is not a negation.
_NEGATED = re.compile(r"(?:没有|没|无|未|并非|不是|排除)(?:人|有人|发现|出现|发生|造成)?$|[不防]$")
# The clause is about the past or about paperwork, not about a danger now.
_NOT_NOW = re.compile(
    r"上次|上周|上个月|去年|前年|之前|以前|曾经|那场|那次|赔偿|理赔|保险|处理结果|调查结果|原因|讲座|宣传|演习|演练"
    r"|培训|知识|事件|说法|补贴|报名|预防|防范|已经(?:修好|处理|解决|找到|结束|扑灭)|找到了"
)


def _counts(clause: str, match: re.Match[str]) -> bool:
    if _NEGATED.search(clause[: match.start()]):
        return False
    return not _NOT_NOW.search(clause)


def detect_urgency(text: str) -> str | None:
    """The first safety phrase in the text that is not negated or about the past, or None."""
    text = unicodedata.normalize("NFKC", text or "")
    if not _ANY.search(text):
        return None
    clauses = [c for c in _CLAUSES.split(text) if c]
    for pattern in _COMPILED:
        for clause in clauses:
            for match in pattern.finditer(clause):
                if _counts(clause, match):
                    return match.group(0)
    return None
