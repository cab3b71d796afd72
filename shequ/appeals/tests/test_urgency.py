"""The safety-word check at intake: danger now raises urgency and shows its phrase; negations, the past and
paperwork do not (issue 5; figures in bench/urgency/RESULTS.md). Texts are invented (SYNTHETIC)."""

import pytest

from shequ.appeals.urgency import detect_urgency


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        # what the first version caught is still caught, with the same phrase
        ("楼道里煤气泄漏了，味道很浓", "煤气泄漏"),
        ("有人被困在电梯里出不来了", "被困"),
        ("小区隔壁工地脚手架坍塌了", "坍塌"),
        ("楼道里闻到煤气了", "闻到煤气"),
        ("电梯又关人了", "电梯又关人"),
        ("电线断了掉在地上", "电线断"),
        # what it missed
        ("整栋楼都是煤气味，大家都跑到楼下了", "煤气味"),
        ("电动车在楼道里充电烧起来了", "烧起来"),
        ("餐馆后厨爆炸了，有人受伤", "爆炸"),
        ("邻居说不想活了，站在天台边上", "不想活"),
        ("丈夫喝醉了打老婆，女的在喊救命", "打老婆"),
        ("独居老人倒在家门口起不来了", "老人倒在"),
        ("一个小孩被锁在车里，天很热", "被锁在"),
        ("水管爆了水漫进了配电房", "水漫进了配电"),
    ],
)
def test_danger_now_is_urgent_and_the_phrase_is_returned(text, phrase):
    assert detect_urgency(text) == phrase


@pytest.mark.parametrize(
    "text",
    [
        "煤气费怎么交，营业厅在哪里",
        "燃气灶打不着火，是不是要换电池",  # 不 right before 着火
        "消防通道被占用了，车停得满满的",
        "上次火灾后的赔偿到现在还没有落实",  # the past, and paperwork
        "去年那场火灾的原因调查结果出来了吗",
        "投诉烧烤摊油烟很大，冒烟熏到家里",  # smoke from a grill is not a fire
        "社区组织的防触电安全讲座什么时候报名",
        "电梯检修已经结束了，没有人被困",  # negated
        "上周电梯困人的事物业给个说法",
        "打人事件的处理结果什么时候公布",
        "邻居家的狗打架很吵",
        "之前反映的塌陷路面已经修好了，谢谢",
        "上次走失的老人已经找到了，谢谢社区",
    ],
)
def test_hard_negatives_are_not_urgent(text):
    assert detect_urgency(text) is None


def test_a_negation_or_the_past_in_one_clause_does_not_hide_danger_in_another():
    assert detect_urgency("上次火灾的赔偿还没落实，现在楼下又着火了") == "着火"
    assert detect_urgency("没有人受伤，但是3楼还在着火") == "着火"


def test_a_word_before_the_danger_is_not_taken_for_a_negation():
    assert detect_urgency("没想到着火了") == "着火"
