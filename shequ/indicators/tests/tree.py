"""A small hand-built area tree for counting by hand, apart from the Shenzhen pack the suite loads:

测试市 T0 (pop 100,000)
├── 甲区 T0A (60,000)
│   ├── 一街道 T0A1 (40,000)
│   │   ├── 东社区 T0A1a (25,000)
│   │   └── 西社区 T0A1b (15,000)
│   └── 二街道 T0A2 (20,000)
│       └── 南社区 T0A2a (20,000)
└── 乙区 T0B (40,000)
    └── 三街道 T0B1 (40,000)
        └── 北社区 T0B1a (40,000)
"""

from __future__ import annotations

from shequ.geo.models import Area

LAYOUT = [
    # code, level, name, parent, population
    ("T0", "city", "测试市", None, 100_000),
    ("T0A", "district", "甲区", "T0", 60_000),
    ("T0A1", "street", "一街道", "T0A", 40_000),
    ("T0A1a", "community", "东社区", "T0A1", 25_000),
    ("T0A1b", "community", "西社区", "T0A1", 15_000),
    ("T0A2", "street", "二街道", "T0A", 20_000),
    ("T0A2a", "community", "南社区", "T0A2", 20_000),
    ("T0B", "district", "乙区", "T0", 40_000),
    ("T0B1", "street", "三街道", "T0B", 40_000),
    ("T0B1a", "community", "北社区", "T0B1", 40_000),
]


def build_tree() -> dict[str, Area]:
    areas: dict[str, Area] = {}
    for code, level, name, parent, population in LAYOUT:
        areas[code] = Area.objects.create(
            code=code,
            level=level,
            name=name,
            parent=areas[parent] if parent else None,
            population=population,
            synthetic=True,
            population_synthetic=True,
        )
    return areas


def add(parent: Area, code: str, level: str, name: str = "") -> Area:
    return Area.objects.create(code=code, level=level, name=name or code, parent=parent, synthetic=True)
