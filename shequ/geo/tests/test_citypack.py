import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from shequ.geo.citypack import CityPackError, load_city_pack, pack_dir
from shequ.geo.models import Area

pytestmark = pytest.mark.django_db


def test_shenzhen_pack_has_the_real_tree():
    counts = {
        lvl: Area.objects.filter(level=lvl, source="citypack:shenzhen").count()
        for lvl in ("city", "district", "street", "community")
    }
    assert counts == {"city": 1, "district": 11, "street": 78, "community": 783}


def test_dapeng_and_shenshan_are_district_level_units_with_their_own_streets():
    dapeng = Area.objects.get(name="大鹏新区")
    shenshan = Area.objects.get(name="深汕特别合作区")
    assert dapeng.level == shenshan.level == "district"
    assert not dapeng.code_official
    assert sorted(dapeng.children.values_list("name", flat=True)) == sorted(
        ["葵涌街道", "大鹏街道", "南澳街道"]
    )
    assert shenshan.children.count() == 4
    # 大鹏's streets keep their official codes under 龙岗区 although the tree puts them under 大鹏新区.
    assert dapeng.children.get(name="南澳街道").code.startswith("440307")


def test_loading_twice_gives_the_same_rows():
    before = list(Area.objects.order_by("code").values_list("pk", "code", "path", "population"))
    report = load_city_pack("shenzhen")
    after = list(Area.objects.order_by("code").values_list("pk", "code", "path", "population"))
    assert before == after
    assert report.created == 0 and report.updated == 0 and report.unchanged == 873


def test_everything_under_futian_is_one_prefix_query():
    futian = Area.objects.get(code="440304")
    under = Area.objects.under(futian, include_self=False)
    assert under.filter(level="street").count() == 10
    assert under.filter(level="community").count() > 50
    assert set(under.values_list("path", flat=True)) == {
        p for p in under.values_list("path", flat=True) if p.startswith("/440300/440304/")
    }


def test_prefix_query_uses_the_path_index():
    futian = Area.objects.get(code="440304")
    sql, params = Area.objects.under(futian).values("code").order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        else:
            cursor.execute("SET enable_seqscan = off")  # a tiny table would otherwise be seq-scanned
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
    assert "geo_area_path_prefix" in plan, plan


def test_population_carries_source_and_synthetic_flag():
    futian = Area.objects.get(code="440304")
    assert futian.population == 1_550_000
    assert futian.population_approximate and not futian.population_synthetic
    street = futian.children.first()
    assert street.population_synthetic and "synthetic" in street.population_source
    assert sum(futian.children.values_list("population", flat=True)) == futian.population


def _copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(pack_dir("shenzhen"), target)
    return target


def test_malformed_pack_gives_a_clear_error_and_writes_nothing(tmp_path):
    target = _copy_pack(tmp_path)
    areas = json.loads((target / "areas.json").read_text(encoding="utf-8"))
    areas[5]["name"] = "改过的名字"  # a change early in the file that must not land
    areas[-1]["centroid"] = [999, 999]  # and a bad entry at the very end
    (target / "areas.json").write_text(json.dumps(areas, ensure_ascii=False), encoding="utf-8")
    name_before = Area.objects.get(code=areas[5]["code"]).name
    with pytest.raises(CommandError, match="nothing written.*centroid"):
        call_command("load_city_pack", "shenzhen", path=target)
    assert Area.objects.get(code=areas[5]["code"]).name == name_before


def test_pack_with_an_orphan_is_refused(tmp_path):
    target = _copy_pack(tmp_path)
    areas = json.loads((target / "areas.json").read_text(encoding="utf-8"))
    areas[-1]["parent"] = "999999999"
    (target / "areas.json").write_text(json.dumps(areas, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CityPackError, match="names parent 999999999"):
        load_city_pack("shenzhen", directory=target)


def test_pack_that_breaks_its_promised_counts_is_refused(tmp_path):
    target = _copy_pack(tmp_path)
    areas = json.loads((target / "areas.json").read_text(encoding="utf-8"))
    (target / "areas.json").write_text(json.dumps(areas[:-1], ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CityPackError, match="manifest promises"):
        load_city_pack("shenzhen", directory=target)


def test_invalid_json_names_the_file_and_line(tmp_path):
    target = _copy_pack(tmp_path)
    (target / "pack.json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(CityPackError, match=r"pack.json: not valid JSON \(line 1"):
        load_city_pack("shenzhen", directory=target)


def test_an_unknown_pack_name_is_a_clear_error():
    with pytest.raises(CommandError, match="no city pack named 'atlantis'"):
        call_command("load_city_pack", "atlantis")
