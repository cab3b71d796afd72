import importlib

import pytest


@pytest.fixture
def tags(db):
    from django.apps import apps

    from shequ.residents.models import Tag

    if not Tag.objects.exists():
        importlib.import_module("shequ.residents.migrations.0002_default_tags").load(apps, None)


@pytest.fixture
def yuehai(cast, tags):
    """王强's street: two communities' residents, one vulnerable without an account, and a grid worker."""
    from shequ.accounts.roles import Role

    from .helpers import community, person, staff, street

    a, b = community(index=0), community(index=1)
    return {
        "officer": cast["wangqiang"],
        "street": street(),
        "a": a,
        "b": b,
        "grid": staff("em_grid", Role.GRID_WORKER, a, "网格员甲"),
        "grid_b": staff("em_grid_b", Role.GRID_WORKER, b, "网格员乙"),
        "reader": person(a, account=True, phone="13900000101", name="林小红"),
        "texted": person(a, phone="13900000102", name="陈大明"),
        "elder": person(a, tags=["elderly_alone"], name="王阿婆"),
        "elder_b": person(b, tags=["dibao"], phone="13900000103", name="赵老伯"),
        "outside": person(
            community("440304", "华富街道"), account=True, phone="13900000104", name="外区居民"
        ),
    }
