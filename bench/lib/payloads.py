"""Realistic, synthetic appeal texts and request bodies (deterministic for a seed).

Texts are put together from a place, a problem of the category, how long it has lasted and what the resident
asks, so that no two requests in a step carry the same text; about 2% carry a safety phrase (urgency detection
raises them to emergency). Areas are real communities of the loaded city pack; a quarter of the requests give a
point inside a district instead (the district boundary lookup). Phones are synthetic, in the shapes people type.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

PLACES = [
    "小区东门",
    "3栋楼下",
    "地铁站B出口",
    "菜市场旁边",
    "学校门口",
    "公交站台",
    "社区公园",
    "老旧小区内部道路",
    "商业街路口",
    "城中村巷子里",
    "幼儿园附近",
    "河道边的步道",
    "停车场入口",
    "社康中心门前",
    "工业园宿舍区",
]
DURATIONS = [
    "已经一个星期了",
    "两三天了",
    "最近一个月经常这样",
    "今天早上开始",
    "持续半年多",
    "每天晚上都这样",
]
ASKS = [
    "希望尽快处理。",
    "请相关部门来看一下。",
    "多次反映没有结果，希望有人跟进。",
    "麻烦给个答复。",
    "希望社区协调解决。",
    "请派人核实。",
]
# (category code, problems, attributes the category requires)
PROBLEMS: list[tuple[str | None, list[str], dict]] = [
    (
        "sanitation",
        ["垃圾堆积没人清运，气味很大", "垃圾桶满了溢出来，苍蝇很多", "建筑垃圾堆在路边无人清理"],
        {},
    ),
    ("street_vending", ["流动摊贩占道经营，行人无法通行", "夜市摊位堵住了消防通道"], {}),
    ("illegal_construction", ["有人在楼顶搭建违章建筑", "一楼商户私自扩建占用公共空间"], {}),
    ("noise", ["工地夜间施工噪音很大", "商铺音响声音太大吵到深夜"], {"time_of_day": "night"}),
    ("parking", ["道路两侧乱停车，公交车过不去", "消防通道被私家车长期占用"], {}),
    ("road_damage", ["人行道地砖松动，老人容易摔倒", "井盖破损，有安全隐患", "路面坑洼积水"], {}),
    ("elevator", ["电梯经常故障停运，老人上下楼困难", "电梯门关不严"], {"people_trapped": "no"}),
    ("property_service", ["物业不处理楼道漏水", "物业费上涨没有公示"], {}),
    ("water_supply", ["整栋楼停水没有通知", "自来水发黄有异味"], {"households": 40}),
    ("drainage", ["下雨后路口积水严重", "下水道堵塞，污水漫到路面"], {}),
    ("elderly_care", ["想给独居老人申请长者助餐，不知道去哪办", "长者服务站开放时间太短"], {}),
    ("neighbourhood_dispute", ["楼上漏水到我家天花板，协商不成", "邻居在楼道堆放杂物影响通行"], {}),
    ("wage_arrears", ["公司拖欠三个月工资不发"], {"workers": 23, "employer": "某某电子厂"}),
    ("food_safety", ["小餐馆卫生很差，吃完肚子不舒服"], {}),
    ("school_enrolment", ["孩子入学学位申请一直没有结果"], {}),
    ("public_transport", ["公交车班次太少，早高峰等不到车"], {}),
    ("greening", ["绿化带树木倒伏没人处理", "草坪被车辆碾压严重"], {}),
    (None, ["路灯坏了好几盏，晚上很黑", "小区门禁系统坏了外人随便进出", "共享单车乱停放堵住盲道"], {}),
]
SAFETY = ["楼道里闻到燃气味，怀疑漏气", "电动车充电冒烟了", "有老人被困在电梯里"]


def phone(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.7:
        return f"1{rng.choice('3589')}{rng.randrange(10)}{rng.randrange(10**8):08d}"
    if kind < 0.85:
        d = f"1{rng.choice('3589')}{rng.randrange(10)}{rng.randrange(10**8):08d}"
        return f"{d[:3]} {d[3:7]} {d[7:]}"
    if kind < 0.95:
        return f"0755-{rng.randrange(2, 9)}{rng.randrange(10**7):07d}"
    return ""


def text(rng: random.Random, problems: list[str]) -> str:
    if rng.random() < 0.02:
        return f"{rng.choice(PLACES)}{rng.choice(SAFETY)}，请马上派人来！"
    return f"{rng.choice(PLACES)}{rng.choice(problems)}，{rng.choice(DURATIONS)}，{rng.choice(ASKS)}"


def area_data() -> tuple[list[str], list[tuple[float, float, float, float, object]]]:
    """Community codes of the pack and (bbox, prepared shape) of the districts. Needs Django set up."""
    from shapely.geometry import shape
    from shapely.prepared import prep
    from shequ.geo.models import Area

    communities = list(Area.objects.filter(level="community").order_by("code").values_list("code", flat=True))
    districts = []
    for a in Area.objects.filter(level="district", boundary__isnull=False):
        geom = shape(a.boundary)
        districts.append((*geom.bounds, prep(geom)))
    return communities, districts


def point_in(rng: random.Random, districts: list) -> tuple[float, float]:
    from shapely.geometry import Point

    while True:
        minx, miny, maxx, maxy, geom = rng.choice(districts)
        lng, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if geom.contains(Point(lng, lat)):
            return round(lat, 6), round(lng, 6)


def write_payloads(path: Path, *, n: int, seed: int, peer_path: Path | None = None) -> None:
    """n JSON bodies for POST /api/v1/appeals (and the same texts for the peer's POST /api/appeals)."""
    rng = random.Random(seed)
    communities, districts = area_data()
    # A few communities are much busier than most, as in any city.
    weights = [1.0 / (1 + i) ** 0.6 for i in range(len(communities))]
    rng.shuffle(weights)
    ours, peers = [], []
    for _ in range(n):
        code, problems, attrs = rng.choice(PROBLEMS)
        t = text(rng, problems)
        body: dict = {
            "text": t,
            "category": code,
            "channel": "portal" if rng.random() < 0.8 else "api",
            "contact_phone": phone(rng),
            "anonymous": rng.random() < 0.1,
            "urgency": None,
        }
        if attrs:
            body["attributes"] = attrs
        if rng.random() < 0.75 or not districts:
            body["area"] = rng.choices(communities, weights)[0]
        else:
            body["lat"], body["lng"] = point_in(rng, districts)
        ours.append(json.dumps(body, ensure_ascii=False))
        peers.append(json.dumps({"content": t, "source": "居民上报"}, ensure_ascii=False))
    path.write_text("\n".join(ours) + "\n", encoding="utf-8")
    if peer_path is not None:
        peer_path.write_text("\n".join(peers) + "\n", encoding="utf-8")
