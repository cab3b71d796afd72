"""A labelled set of appeal pairs for duplicate detection (并单): SYNTHETIC, made from templates with a seed.

    .venv/bin/python bench/duplicates/generate.py [--scenes 240] [--seed 20261129] [--out bench/duplicates/labelled.jsonl]

Every text here is invented from the templates below; none is a citizen's message. A *scene* is a new appeal and
the open appeals around it (its pool), as the detector sees them at intake. Each (new, other) pair is labelled:

    dup            the same incident reported again: other words for the object and the problem, another way of
                   saying where, extra detail, typos, a point 0–120 m away, within the category's time window
    neg_problem    same category, same place (estate/gate), another problem
    neg_spot       same category, same object and problem, another gate/building of the same street (50–250 m)
    neg_near_estate same words, the estate next door (within the radius)
    neg_far        same words, another street (0.6–3 km away)
    neg_family     same place and time, a category of another family (e.g. noise beside the bins)
    neg_old        the same object and problem at the same place, but older than the category's window

One line per pair: {"synthetic": true, "scene": n, "kind": ..., "label": 0|1, "new": {...}, "other": {...}}, where
an appeal is {"id", "text", "category", "group", "lat", "lng", "community", "hours_before"} (hours before the
new appeal; the new one has 0).
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

SYNTHETIC = True

# Windows of config/settings/base.py SHEQU_DUPLICATE_WINDOWS, by group (what the generator needs to place pairs
# inside or outside them).
WINDOW_HOURS = {
    "city_management": 72,
    "traffic": 72,
    "environment": 168,
    "utilities": 48,
    "housing_property": 168,
}

# category → (group, objects (synonyms), problems (each a list of paraphrases), details)
TOPICS: dict[str, tuple[str, list[list[str]], list[list[str]], list[str]]] = {
    "sanitation": (
        "city_management",
        [["垃圾桶", "垃圾箱", "分类垃圾桶"], ["垃圾收集点", "垃圾站", "垃圾房"]],
        [
            ["满了没人清运", "满出来好几天没人收", "堆满了一直没人来清理", "溢出来了没人管"],
            ["臭味很大", "臭气熏天", "味道特别难闻", "发臭了苍蝇很多"],
            ["被人推倒了垃圾撒了一地", "倒在地上垃圾散落一地", "翻倒了满地都是垃圾"],
        ],
        ["夏天天气热更严重", "老人小孩经过都要捂着鼻子", "晚上还有老鼠出没", "已经影响到旁边的早餐店"],
    ),
    "street_vending": (
        "city_management",
        [["流动摊贩", "小商贩", "摆摊的"], ["夜宵摊", "烧烤摊", "宵夜档"]],
        [
            ["占道经营把路都堵了", "占用人行道摆摊", "把整条人行道占满了"],
            ["油烟很大熏得人受不了", "烧烤油烟飘进家里", "油烟呛人窗户都不敢开"],
            ["半夜还在营业吵得睡不着", "凌晨两三点还很吵", "深夜喧哗扰民"],
        ],
        ["行人只能走到机动车道上", "地上全是油污", "城管来了就跑走了又回来"],
    ),
    "road_damage": (
        "traffic",
        [
            ["井盖", "下水道井盖", "窨井盖"],
            ["人行道地砖", "人行道砖", "路面地砖"],
            ["路灯", "路边的路灯", "街灯"],
        ],
        [
            ["不见了留下一个大洞", "丢失了很危险", "缺失了没有任何警示"],
            ["松动了踩上去会晃", "翘起来了容易绊倒人", "破损松动一踩就响"],
            ["晚上不亮黑漆漆的", "坏了好几盏不亮", "一到晚上就不亮"],
        ],
        ["昨天晚上有老人差点摔倒", "电动车经过很危险", "附近有小学孩子很多", "下雨天看不见更危险"],
    ),
    "parking": (
        "traffic",
        [["共享单车", "共享自行车", "单车"], ["私家车", "小汽车", "车辆"]],
        [
            ["乱停乱放堵住了通道", "堆在门口进出不方便", "停得乱七八糟挡住路"],
            ["占用盲道", "停在盲道上", "把盲道全占了"],
            ["堵住了消防通道", "停在消防通道上", "长期占用消防通道"],
        ],
        ["轮椅和婴儿车都过不去", "早上上班高峰特别严重", "多次反映没有改善"],
    ),
    "noise": (
        "environment",
        [["工地", "建筑工地", "施工现场"], ["广场舞", "跳广场舞的", "广场舞音响"]],
        [
            ["晚上十点以后还在施工", "夜间施工噪音很大", "半夜还在打桩"],
            ["音响声音太大", "放音乐太吵了", "音量开得特别大"],
        ],
        ["家里有高考的孩子", "老人睡不着觉", "周末早上七点就开始", "关上窗户也听得很清楚"],
    ),
    "water_supply": (
        "utilities",
        [["自来水", "家里的水", "供水"], ["水管", "供水管", "地下水管"]],
        [
            ["突然停水了也没有通知", "停水一整天了", "没有任何通知就停水"],
            ["爆裂了水一直往外冒", "破了水漫到路上", "爆管了路面全是水"],
            ["出来是黄色的", "水质发黄有异味", "水很浑浊不能喝"],
        ],
        ["整栋楼都没水", "老人做饭都成问题", "物业说不归他们管"],
    ),
    "elevator": (
        "housing_property",
        [["电梯", "客梯", "楼里的电梯"]],
        [
            ["坏了一个星期没人修", "停运好几天了", "故障停用一直不修"],
            ["运行时有很大的异响", "上下的时候咣咣响", "一直有奇怪的响声"],
            ["门关不上", "电梯门关不严", "门老是关不上"],
        ],
        ["楼上住着行动不便的老人", "我们住在二十多楼", "物业一直推脱"],
    ),
    "property_service": (
        "housing_property",
        [["楼道", "楼梯间", "走廊"], ["门禁", "小区门禁", "单元门禁"]],
        [
            ["很久没人打扫了", "堆满了杂物没人清理", "卫生很差物业不管"],
            ["坏了谁都能进来", "刷卡没反应", "坏了好久一直不修"],
        ],
        ["交了物业费却没人管", "存在安全隐患", "找物业好几次了"],
    ),
}
# (object, problem) pairs that make sense; a category not listed takes every pair.
COMBOS = {
    "road_damage": [(0, 0), (1, 1), (2, 2)],
    "street_vending": [(0, 0), (0, 2), (1, 1), (1, 2)],
    "noise": [(0, 0), (1, 1)],
    "water_supply": [(0, 0), (0, 2), (1, 1)],
    "property_service": [(0, 0), (1, 1)],
}


def combos(category: str) -> list[tuple[int, int]]:
    _, objects, problems, _ = TOPICS[category]
    return COMBOS.get(category) or [(o, p) for o in range(len(objects)) for p in range(len(problems))]


FAMILY_OTHER = {  # a category of another family for neg_family
    "city_management": "noise",
    "traffic": "sanitation",
    "environment": "parking",
    "utilities": "property_service",
    "housing_property": "street_vending",
}

STREETS = ["华富路", "彩田路", "新洲路", "红荔路", "莲花路", "福中路", "景田路", "香梅路", "梅林路", "上步路"]
ESTATES = [
    "华新花园",
    "景华苑",
    "莲花北村",
    "彩田村",
    "香梅花园",
    "梅林一村",
    "新洲小区",
    "福华大厦",
    "红荔苑",
    "上步南苑",
]
SPOTS = [
    "东门",
    "南门",
    "西门",
    "北门",
    "3栋",
    "5栋",
    "8栋",
    "12栋",
    "地下车库入口",
    "幼儿园门口",
    "公交站旁",
    "菜市场旁",
]
OPENERS = ["", "", "你好，", "您好，", "反映一个问题：", "我是附近居民，", "投诉：", ""]
WHEN = ["", "", "今天早上", "这两天", "从昨天开始", "最近", "已经三天了", "刚刚"]
ASKS = [
    "",
    "请尽快处理",
    "麻烦派人来看看",
    "希望有关部门管一管",
    "请相关部门尽快解决",
    "谢谢",
    "多次反映没有结果",
]
TYPOS = {"垃圾": "拉圾", "清运": "青运", "井盖": "井概", "电梯": "电第", "施工": "施公", "停水": "亭水", "门禁": "门进",
         "油烟": "油湮", "占用": "占有", "盲道": "忙道", "噪音": "燥音", "路灯": "路登", "单车": "单车子"}  # fmt: skip

# Futian around 华富街道; each estate gets a site, spots are 40–150 m from its centre.
BASE = (22.5480, 114.0720)


def offset(lat: float, lng: float, metres: float, bearing: float) -> tuple[float, float]:
    dlat = metres * math.cos(bearing) / 111_320
    dlng = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return lat + dlat, lng + dlng


class Maker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.next_id = 1
        r = self.rng
        # Streets 1.2 km apart on a grid; estates on their street, neighbours 150–250 m apart.
        self.estates: dict[str, dict] = {}
        for i, street in enumerate(STREETS):
            s_lat, s_lng = offset(*BASE, 1200 * (i % 4), 0.0)
            s_lat, s_lng = offset(s_lat, s_lng, 1200 * (i // 4), math.pi / 2)
            for j, estate in enumerate(ESTATES[i : i + 3] + ESTATES[: max(0, i + 3 - len(ESTATES))]):
                e_lat, e_lng = offset(s_lat, s_lng, (150 + r.random() * 100) * j, math.pi / 2)
                key = f"{street}|{estate}"
                self.estates[key] = {
                    "street": street,
                    "estate": estate,
                    "no": r.randint(1, 300),
                    "lat": e_lat,
                    "lng": e_lng,
                    "community": f"C{i:02d}{j}",  # one community per estate (synthetic)
                }

    # --- incidents and reports --------------------------------------------------------------------------------------
    def incident(self, category: str | None = None, estate: str | None = None) -> dict:
        r = self.rng
        category = category or r.choice(list(TOPICS))
        group = TOPICS[category][0]
        oi, pi = r.choice(combos(category))
        estate = estate or r.choice(list(self.estates))
        return {"category": category, "group": group, "object": oi, "problem": pi, "estate": estate,
                "spot": r.choice(SPOTS)}  # fmt: skip

    def where(self, inc: dict) -> str:
        r = self.rng
        e = self.estates[inc["estate"]]
        forms = [
            f"{e['estate']}{inc['spot']}",
            f"{e['street']}{e['no']}号{e['estate']}{inc['spot']}",
            f"{e['street']}{e['estate']}{inc['spot']}附近",
            f"我们小区（{e['estate']}）{inc['spot']}",
            f"{e['estate']}小区{inc['spot']}那里",
        ]
        return r.choice(forms)

    def text(self, inc: dict, *, detail: bool | None = None, typo: bool | None = None) -> str:
        r = self.rng
        _, objects, problems, details = TOPICS[inc["category"]]
        obj = r.choice(objects[inc["object"]])
        problem = r.choice(problems[inc["problem"]])
        parts = [
            r.choice(OPENERS),
            r.choice(WHEN),
            self.where(inc),
            "的" if r.random() < 0.6 else "",
            obj,
            problem,
        ]
        text = "".join(parts)
        if detail if detail is not None else r.random() < 0.5:
            text += "，" + r.choice(details)
        ask = r.choice(ASKS)
        if ask:
            text += "，" + ask
        text += "。"
        if typo if typo is not None else r.random() < 0.2:
            present = [k for k in TYPOS if k in text]
            if present:
                k = r.choice(present)
                text = text.replace(k, TYPOS[k], 1)
        return text

    def appeal(self, inc: dict, *, hours_before: float, metres: float | None = None, point: bool = True,
               text: str | None = None) -> dict:  # fmt: skip
        r = self.rng
        e = self.estates[inc["estate"]]
        lat = lng = None
        if point:
            lat, lng = offset(e["lat"], e["lng"], metres if metres is not None else r.random() * 60,
                              r.random() * 2 * math.pi)  # fmt: skip
        row = {
            "id": self.next_id,
            "text": text or self.text(inc),
            "category": inc["category"],
            "group": inc["group"],
            "lat": lat,
            "lng": lng,
            "community": e["community"],
            "hours_before": round(hours_before, 2),
        }
        self.next_id += 1
        return row

    # --- a scene ------------------------------------------------------------------------------------------------
    def scene(self, n: int) -> list[dict]:
        r = self.rng
        inc = self.incident()
        window = WINDOW_HOURS[inc["group"]]
        point = r.random() < 0.8  # a fifth of the appeals have no point, only their community
        new = self.appeal(inc, hours_before=0, point=point)
        rows: list[tuple[str, int, dict]] = []
        if r.random() < 0.85:
            rows.append(("dup", 1, self.appeal(inc, hours_before=r.random() * window * 0.9, point=point,
                                                metres=r.random() * 120)))  # fmt: skip
        kinds = ["neg_problem", "neg_spot", "neg_near_estate", "neg_far", "neg_family", "neg_old"]
        for kind in r.sample(kinds, r.randint(2, 4)):
            other = self.negative(kind, inc, window, point)
            if other is not None:
                rows.append((kind, 0, other))
        return [
            {"synthetic": True, "scene": n, "kind": kind, "label": label, "new": new, "other": other}
            for kind, label, other in rows
        ]

    def negative(self, kind: str, inc: dict, window: float, point: bool) -> dict | None:
        r = self.rng
        hours = r.random() * window * 0.9
        if kind == "neg_problem":
            choices = [c for c in combos(inc["category"]) if c != (inc["object"], inc["problem"])]
            o, p = r.choice(choices)
            other = {**inc, "object": o, "problem": p}
            return self.appeal(other, hours_before=hours, point=point)
        if kind == "neg_spot":
            other = {**inc, "spot": r.choice([s for s in SPOTS if s != inc["spot"]])}
            return self.appeal(other, hours_before=hours, point=point, metres=50 + r.random() * 200)
        if kind == "neg_near_estate":
            street = self.estates[inc["estate"]]["street"]
            neighbours = [k for k, e in self.estates.items() if e["street"] == street and k != inc["estate"]]
            other = {**inc, "estate": r.choice(neighbours)}
            return self.appeal(other, hours_before=hours, point=point)
        if kind == "neg_far":
            street = self.estates[inc["estate"]]["street"]
            far = [k for k, e in self.estates.items() if e["street"] != street]
            other = {**inc, "estate": r.choice(far)}
            return self.appeal(other, hours_before=hours, point=point)
        if kind == "neg_family":
            other = self.incident(FAMILY_OTHER[inc["group"]], inc["estate"])
            other["spot"] = inc["spot"]
            return self.appeal(other, hours_before=hours, point=point)
        if kind == "neg_old":
            return self.appeal(inc, hours_before=window * (1.1 + r.random()), point=point)
        return None


def generate(scenes: int, seed: int) -> list[dict]:
    maker = Maker(seed)
    rows: list[dict] = []
    for n in range(scenes):
        rows.extend(maker.scene(n))
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenes", type=int, default=240)
    p.add_argument("--seed", type=int, default=20261129)
    p.add_argument("--out", default=str(Path(__file__).with_name("labelled.jsonl")))
    args = p.parse_args()
    rows = generate(args.scenes, args.seed)
    with open(args.out, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for row in rows:
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
    print(f"{len(rows)} pairs in {args.scenes} scenes → {args.out}: {dict(sorted(kinds.items()))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
