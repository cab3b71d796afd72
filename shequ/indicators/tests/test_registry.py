"""The registry's helpers count what lies under each area, in one query, against a hand count."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from shequ.geo.models import Area
from shequ.indicators.registry import (
    Figure,
    count_places_under,
    figure_get,
    register_figure,
    sum_under,
    unregister_figure,
)

from .tree import add, build_tree


@pytest.fixture
def tree(db, cast):
    return build_tree()


def test_sum_under_adds_each_place_to_every_ancestor(tree, django_assert_num_queries):
    # Buildings under 东社区 (2, one in a grid) and 北社区 (1): the street, district and city add them up.
    grid = add(tree["T0A1a"], "T0A1a01", "grid")
    add(grid, "T0A1a01E", "estate")
    add(tree["T0A1a"], "T0A1a02", "grid")
    add(tree["T0B1a"], "T0B1a01", "grid")
    areas = list(
        Area.objects.filter(code__startswith="T0", level__in=["city", "district", "street", "community"])
    )
    with django_assert_num_queries(1):
        got = sum_under(areas, Area.objects.filter(level__in=["grid", "estate"]), path_field="path")
    assert got == {
        "T0": 4, "T0A": 3, "T0A1": 3, "T0A1a": 3, "T0A1b": 0, "T0A2": 0, "T0A2a": 0, "T0B": 1, "T0B1": 1, "T0B1a": 1,
    }  # fmt: skip


def test_count_places_under_counts_communities_that_have_one_not_rows(tree):
    # Two grids in 东社区 count as one community; a street-level row counts for no community.
    add(tree["T0A1a"], "T0A1a01", "grid")
    add(tree["T0A1a"], "T0A1a02", "grid")
    add(tree["T0B1a"], "T0B1a01", "grid")
    areas = list(Area.objects.filter(code__startswith="T0"))
    got = count_places_under(areas, Area.objects.filter(level="grid"), level="community", path_field="path")
    assert (got["T0"], got["T0A"], got["T0A1"], got["T0A1a"], got["T0A1b"], got["T0B1a"]) == (
        2,
        1,
        1,
        1,
        0,
        1,
    )
    streets = count_places_under(areas, Area.objects.filter(level="grid"), level="street", path_field="path")
    assert (streets["T0"], streets["T0A"], streets["T0B"], streets["T0A2"]) == (2, 1, 1, 0)


def test_geo_figures_are_registered_and_count_communities(tree):
    areas = list(Area.objects.filter(code__startswith="T0"))
    communities = figure_get("geo.communities")
    assert communities is not None
    got = communities.compute(areas)
    assert (got["T0"], got["T0A"], got["T0A1"], got["T0B"]) == (4, 3, 2, 1)
    population = figure_get("geo.population")
    assert population is not None and population.compute(areas)["T0A1b"] == 15_000


def test_a_second_figure_under_one_key_is_refused():
    def one(areas):
        return {}

    def other(areas):
        return {}

    register_figure(Figure(key="tests.one", label="x", unit="x", source="x", compute=one))
    try:
        register_figure(
            Figure(key="tests.one", label="x", unit="x", source="x", compute=one)
        )  # same: harmless
        with pytest.raises(ImproperlyConfigured):
            register_figure(Figure(key="tests.one", label="x", unit="x", source="x", compute=other))
    finally:
        unregister_figure("tests.one")


def test_a_key_without_its_app_is_refused():
    with pytest.raises(ImproperlyConfigured):
        Figure(key="nodot", label="x", unit="x", source="x", compute=lambda areas: {})
