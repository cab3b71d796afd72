"""The safety-word check at intake: danger now raises urgency and shows its phrase; negations, the past,
paperwork, worries and advice do not (issues 5 and 23; figures in bench/urgency/RESULTS.md). Texts are invented
(SYNTHETIC)."""

import pytest

from shequ.appeals.urgency import detect_rule, detect_urgency


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


# --- issue 23, third pass: the rule layer ---------------------------------------------------------------------
def test_an_elder_or_child_named_in_one_clause_is_carried_into_the_next():
    assert detect_rule("我奶奶有失智症，刚才在小区门口走丢了") == ("missing_unwell", "奶奶…走丢")
    assert detect_rule("孩子今天没去上学，到现在联系不上") == ("missing_unwell", "孩子…联系不上")


def test_the_carried_subject_does_not_make_the_past_or_another_subject_an_emergency():
    assert detect_rule("去年我外婆，走丢过一次") is None  # the past in the subject's clause
    assert detect_rule("我外婆身体还好，走丢过一次") is None  # 走丢过: the past
    assert detect_rule("老人一个人住，万一摔倒了都没人知道") is None  # a worry
    assert detect_rule("我奶奶说，邻居家的小孩走丢了") == ("missing_unwell", "小孩走丢")  # its own subject


def test_a_fall_into_water_is_named_water_and_a_child_at_a_window_a_fall():
    assert detect_rule("有个小孩掉进鱼塘了")[0] == "water"  # told 119, not 120
    assert detect_rule("有人掉进河里了，在喊救命")[0] == "water"  # not violence because of 救命
    assert detect_rule("小孩爬到窗台外面去了")[0] == "fall_injury"


def test_a_call_for_help_counts_but_a_sigh_does_not():
    assert detect_rule("楼上有个女的一直在喊救命") == ("violence", "喊救命")
    assert detect_rule("救命啊，楼下的狗又叫了一晚上") is None


@pytest.mark.parametrize(
    "text",
    [
        "我家猫从阳台掉下去了，在楼下草丛里叫",  # a pet
        "孙子把玩具掉进下水道了",  # a thing
        "井盖松动了，哪天有人掉下去就麻烦了",  # a worry
        "电梯困人的话应该打哪个电话",  # advice
        "遇到家暴可以去哪里求助",  # advice
        "前晚对面楼着火，烟飘到我们家",  # the past
        "气到爆炸，物业又把车位租给外面的人",  # a figure of speech
        "讲座结束以后能不能留资料",  # 结束 alone is not 结束生命
    ],
)
def test_worries_advice_pets_and_figures_of_speech_are_not_rule_emergencies(text):
    assert detect_rule(text) is None
