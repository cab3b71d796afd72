"""Duplicate detection (并单 suggestions, issue 5): is a new appeal the same incident as an open one?

A new appeal is compared with the open appeals (not closed, rejected or merged) of the same or a related category
(same parent category) that were created within the category's time window before it and lie within its radius.
Each pair gets a score:

    score = text similarity × (1 − PLACE_DISCOUNT · distance / radius) × (1 − TIME_DISCOUNT · hours / window)

Text similarity is the cosine of character 1–2-gram TF-IDF vectors (scikit-learn). The document frequencies are
fitted on the new appeal, its candidates and a fixed set of generic appeal phrasing (`BACKGROUND`): words every
nearby appeal of the category shares ("垃圾", "请尽快处理") weigh little, words of the incident itself ("3栋",
"井盖", "漏水") much. Place and time only discount; they never make different texts alike. Without two points,
two appeals filed in the same community (or grid, estate, building inside it) count as near, at half the
radius; an appeal located no finer than its street or district is compared with nothing, since "near" cannot be
told.

Pairs scoring at least `threshold()` become DuplicateCandidate rows (services.duplicates_find). The threshold and
the windows are settings (SHEQU_DUPLICATE_THRESHOLD, SHEQU_DUPLICATE_WINDOWS); the threshold's figures are in
bench/duplicates/RESULTS.md.

`score_candidates` works on plain `Facts`, with no database: the service and the bench call the same function.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from shequ.appeals.choices import OPEN_STATUSES
from shequ.appeals.models import Appeal

# The threshold measured in bench/duplicates/RESULTS.md (used when the setting is absent).
DEFAULT_THRESHOLD = 0.22
# Hours and metres per category code: a category's own entry, else its parent's, else "default". The settings'
# SHEQU_DUPLICATE_WINDOWS (config/settings/base.py) holds the real table; this is what it falls back on.
DEFAULT_WINDOWS: dict[str, dict[str, float]] = {"default": {"hours": 7 * 24, "radius_m": 500}}
PLACE_DISCOUNT = 0.25  # at the edge of the radius a pair keeps three quarters of its text score
TIME_DISCOUNT = 0.15
SAME_AREA_DISTANCE = 0.5  # share of the radius assumed for two appeals in one community without points
MAX_POOL = 200  # candidates read per intake, newest first
MAX_KEPT = 5  # candidates stored per appeal, best first
MAX_CHARS = 1000
NGRAMS = (1, 2)  # character n-grams (bench/duplicates/RESULTS.md compares others)

# Generic appeal phrasing (invented for this purpose, not taken from any data set): it takes part in every fit, so
# that boilerplate is down-weighted even when an appeal has only one or two candidates.
BACKGROUND = (
    "请相关部门尽快处理",
    "希望有关部门管一管，谢谢",
    "居民意见很大，多次反映都没有结果",
    "麻烦派人过来看看，尽快解决",
    "小区门口楼下路边附近",
    "已经好几天了，一直没有人管",
    "严重影响居民正常生活和出行",
    "请问这个问题归哪个部门管",
    "强烈要求整改，给居民一个说法",
    "从上周开始每天都这样",
)

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Window:
    hours: float
    radius_m: float


@dataclass(frozen=True)
class Facts:
    """What the detector knows of an appeal: its text, category, place and time."""

    pk: int | None
    text: str
    category: str | None  # category code
    group: str | None  # the parent category's code (its own code for a top-level category)
    created_at: datetime
    lat: float | None = None
    lng: float | None = None
    community_path: str | None = None  # the path of its community, when located at community level or below


@dataclass(frozen=True)
class Scored:
    other: Facts
    score: float
    text_score: float
    distance_m: float | None
    hours_apart: float


def threshold() -> float:
    return float(getattr(settings, "SHEQU_DUPLICATE_THRESHOLD", DEFAULT_THRESHOLD))


def window_for(category: str | None, group: str | None) -> Window:
    windows = {**DEFAULT_WINDOWS, **getattr(settings, "SHEQU_DUPLICATE_WINDOWS", {})}
    row = windows.get(category or "") or windows.get(group or "") or windows["default"]
    return Window(hours=float(row["hours"]), radius_m=float(row["radius_m"]))


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def normalise(text: str) -> str:
    """NFKC, lower case, no whitespace or punctuation (digits stay: "3栋" and "5栋" are different places)."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text or "").lower())[:MAX_CHARS]


def text_similarities(
    text: str, others: Sequence[str], *, ngram_range: tuple[int, int] = NGRAMS, sublinear_tf: bool = True
) -> list[float]:
    """Cosine similarity of `text` with each of `others`, on character n-gram TF-IDF."""
    if not others:
        return []
    docs = [normalise(text), *(normalise(o) for o in others)]
    if len(docs[0]) < ngram_range[0]:  # nothing to compare
        return [0.0] * len(others)
    vectorizer = TfidfVectorizer(
        analyzer="char", ngram_range=ngram_range, sublinear_tf=sublinear_tf, lowercase=False
    )
    vectorizer.fit([*docs, *(normalise(b) for b in BACKGROUND)])
    matrix = vectorizer.transform(docs)
    return [float(s) for s in cosine_similarity(matrix[0], matrix[1:])[0]]


def related(a: Facts, b: Facts) -> bool:
    """Same category, or two categories under the same parent. An appeal without a category is compared with
    every category (its text decides)."""
    if a.category is None or b.category is None:
        return True
    return a.category == b.category or (a.group is not None and a.group == b.group)


def where_apart(a: Facts, b: Facts, window: Window) -> tuple[bool, float | None]:
    """(near?, metres apart or None when judged by community)."""
    if None not in (a.lat, a.lng, b.lat, b.lng):
        d = haversine_m(a.lat, a.lng, b.lat, b.lng)  # type: ignore[arg-type]
        return d <= window.radius_m, d
    if a.community_path and b.community_path and a.community_path == b.community_path:
        return True, None
    return False, None


def score_candidates(
    new: Facts,
    pool: Sequence[Facts],
    *,
    window: Window | None = None,
    similarity: Callable[[str, Sequence[str]], list[float]] = text_similarities,
) -> list[Scored]:
    """Every appeal of `pool` that is related, near and within the window, with its score, best first.
    (`similarity` is there for the bench, which compares text measures on the same pairs.)"""
    window = window or window_for(new.category, new.group)
    eligible: list[tuple[Facts, float | None, float]] = []
    for other in pool:
        if other.pk is not None and other.pk == new.pk:
            continue
        hours = (new.created_at - other.created_at).total_seconds() / 3600
        if hours < 0 or hours > window.hours or not related(new, other):
            continue
        near, metres = where_apart(new, other, window)
        if near:
            eligible.append((other, metres, hours))
    sims = similarity(new.text, [o.text for o, _, _ in eligible])
    scored = []
    for (other, metres, hours), sim in zip(eligible, sims, strict=True):
        place = SAME_AREA_DISTANCE if metres is None else metres / window.radius_m
        score = sim * (1 - PLACE_DISCOUNT * place) * (1 - TIME_DISCOUNT * hours / window.hours)
        scored.append(Scored(other, round(score, 4), round(sim, 4), metres, round(hours, 2)))
    scored.sort(key=lambda s: s.score, reverse=True)
    return scored


# --- from appeals to facts ----------------------------------------------------------------------------------------
def community_path(path: str, level: str) -> str | None:
    """The path of the community an area lies in (itself, or an ancestor), or None above community level."""
    from shequ.geo.choices import LEVEL_DEPTH

    if LEVEL_DEPTH.get(level, -1) < LEVEL_DEPTH["community"]:
        return None
    codes = [c for c in path.split("/") if c]
    return "/" + "/".join(codes[: LEVEL_DEPTH["community"] + 1]) + "/"


def facts_of(appeal: Appeal) -> Facts:
    """An appeal (with category__parent and area selected) as the detector sees it."""
    category = appeal.category
    group = None
    if category is not None:
        group = category.parent.code if category.parent_id and category.parent else category.code
    return Facts(
        pk=appeal.pk,
        text=appeal.text,
        category=category.code if category else None,
        group=group,
        created_at=appeal.created_at,
        lat=appeal.lat,
        lng=appeal.lng,
        community_path=community_path(appeal.area.path, appeal.area.level),
    )


def pool_for(appeal: Appeal, new: Facts, window: Window) -> list[Appeal]:
    """The open appeals that may be duplicates of `appeal`: newest first, at most MAX_POOL.

    The time window and the open statuses are the leading columns of appeals' (status, created_at) index; the
    category and the place (a bounding box around the point, or the community's path prefix) narrow it further.
    """
    start = appeal.created_at - timedelta(hours=window.hours)
    qs = Appeal.objects.filter(
        status__in=OPEN_STATUSES, created_at__gte=start, created_at__lte=appeal.created_at
    ).exclude(pk=appeal.pk)
    if new.category is not None:
        qs = qs.filter(Q(category__code=new.group) | Q(category__parent__code=new.group) | Q(category=None))
    places: list[Q] = []
    if new.lat is not None and new.lng is not None:
        dlat = window.radius_m / 111_320
        dlng = window.radius_m / (111_320 * max(0.01, math.cos(math.radians(new.lat))))
        places.append(
            Q(lat__range=(new.lat - dlat, new.lat + dlat), lng__range=(new.lng - dlng, new.lng + dlng))
        )
    if new.community_path:
        places.append(Q(area__path__prefix=new.community_path))
    if not places:
        return []  # located no finer than a street: "near" cannot be told
    place = places[0] if len(places) == 1 else places[0] | places[1]
    return list(
        qs.filter(place)
        .select_related("category", "category__parent", "area")
        .order_by("-created_at", "-id")[:MAX_POOL]
    )
