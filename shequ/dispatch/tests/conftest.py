"""Fixtures of the dispatch tests: a small SYNTHETIC labelled set, model files in a temporary media root, and
appeals, rules and examples made through the real services.

The texts below are made up for these tests from the keywords of shequ/appeals/data/categories.json; they are
not citizen messages, and no test reads any file under ../shared/data (the TipDM file is for evaluation only).
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from openpyxl import Workbook

SYNTHETIC = True  # every text in this module is invented

PLACES = [
    "小区门口",
    "楼下",
    "公园旁边",
    "菜市场附近",
    "学校对面",
    "地铁站出口",
    "商场后面",
    "村口",
    "路口",
    "河边",
]
WHEN = ["最近一周", "这几天", "每天晚上", "周末", "连续三天", "这个月以来", "从上周开始", "一直"]
ASK = [
    "请相关部门尽快处理",
    "希望有人管一管",
    "居民意见很大",
    "请派人来看看",
    "麻烦尽快解决",
    "多次反映没有结果",
]
TOPICS = {
    "sanitation": (["垃圾", "垃圾桶", "保洁", "清扫"], ["味道很大", "没人清理", "苍蝇很多", "满地都是"]),
    "noise": (
        ["噪音", "施工噪声", "扰民"],
        ["晚上睡不着", "半夜还在施工", "吵得老人休息不好", "音响开得很大"],
    ),
    "parking": (
        ["乱停", "停车", "车位"],
        ["堵住了消防通道", "车辆占用人行道", "进出很困难", "私家车挡住出口"],
    ),
    "wage_arrears": (
        ["拖欠工资", "欠薪", "工资"],
        ["老板一直不给", "工地三个月没发", "公司说没钱", "找不到负责人"],
    ),
}


def synthetic_set(per_class: int = 30, seed: int = 0) -> tuple[list[str], list[str]]:
    """A few dozen made-up appeal texts per category code (SYNTHETIC)."""
    rng = random.Random(seed)
    texts, labels = [], []
    for code, (keywords, details) in TOPICS.items():
        for _ in range(per_class):
            texts.append(
                f"{rng.choice(PLACES)}{rng.choice(WHEN)}{rng.choice(keywords)}的问题，"
                f"{rng.choice(details)}，{rng.choice(ASK)}。"
            )
            labels.append(code)
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[i] for i in order], [labels[i] for i in order]


def write_jsonl(path: Path, texts: list[str], labels: list[str], *, title: bool = False) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i, (text, label) in enumerate(zip(texts, labels, strict=True)):
            row = {"title": (f"诉求{i}" if i % 2 else None) if title else None, "text": text, "label": label}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Model files go to a temporary media root; every test starts with no model cached in the process."""
    from shequ.dispatch.selectors import forget_models

    settings.MEDIA_ROOT = str(tmp_path / "media")
    forget_models()
    yield tmp_path / "media"
    forget_models()


@pytest.fixture
def examples(db, tmp_path):
    """The synthetic set imported as category training examples through the import service."""
    from shequ.dispatch.services import examples_import

    texts, labels = synthetic_set()
    return examples_import(
        actor=None, path=write_jsonl(tmp_path / "examples.jsonl", texts, labels), kind="category"
    )


@pytest.fixture
def category_model(examples):
    from shequ.dispatch.services import model_train

    return model_train(actor=None, kind="category", min_examples=20).version


# --- places, units, rules and appeals (real services) -------------------------------------------------------------
@pytest.fixture
def places(cast):
    from shequ.accounts.models import Unit
    from shequ.geo.models import Area

    huafu = Area.objects.get(parent__code="440304", name="华富街道")
    community = Area.objects.filter(parent=huafu, level="community").order_by("code").first()
    return {
        "huafu": huafu,
        "community": community,
        "station": Unit.objects.get(code=f"{community.code}-GZZ"),
        "office": Unit.objects.get(code=f"{huafu.code}-JDB"),
        "cg": Unit.objects.get(code="440304-CG"),
    }


def add_rule(category: str, area_code: str, unit_code: str) -> None:
    """A line of the responsibility list, imported as an operator would (appeals.rules.rules_import)."""
    from shequ.appeals.rules import rules_import

    out = io.BytesIO()
    wb = Workbook()
    ws = wb.active
    ws.append(["类别代码", "区域代码", "主办单位代码", "生效日期", "版本"])
    ws.append([category, area_code, unit_code, "2024-01-01", "测试版"])
    wb.save(out)
    out.seek(0)
    report = rules_import(actor=None, fileobj=out)
    assert report.ok, report.errors


def submit(text: str, area_code: str, *, category: str | None = None):
    from shequ.appeals.services import IntakeData, appeal_submit

    return appeal_submit(
        actor=None, data=IntakeData(text=text, channel="portal", category=category, area=area_code)
    )
