"""Reads of appeals, always scoped: the area under the user's grants, the units he acts for, or his own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple, overload

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Lower, Replace, TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from shequ.access.scoping import scope_for, user_roles
from shequ.accounts.models import Grant
from shequ.accounts.roles import Action, Role
from shequ.core.db import ContainsByBigrams, InArray, RefCache
from shequ.core.errors import NotFound
from shequ.geo.choices import LEVEL_DEPTH, AreaLevel
from shequ.geo.models import Area

from .choices import SUPERVISED_STATUSES
from .models import (
    OVERDUE,
    SUPERVISED,
    Appeal,
    Assignment,
    Category,
    Extension,
    KpiAreaDaily,
    KpiDaily,
    KpiMonthly,
    Photo,
)

# Categories are read by code on every intake and edited seldom: all active ones are kept for 30 s
# (shequ.core.db.refcache).
_ACTIVE_CATEGORY: RefCache[Category] = RefCache(
    Category, ttl=30, preload=lambda: [((c.code,), c) for c in Category.objects.filter(is_active=True)]
)


def active_category(code: str) -> Category | None:
    """The active category with this code (a copy of a process-cached row, at most 30 s old), or None."""
    return _ACTIVE_CATEGORY.get((code,), lambda: Category.objects.filter(code=code, is_active=True).first())


def _unit_ids(user) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Grant.objects.active().filter(user=user, unit__isnull=False).values_list("unit_id", flat=True)
    )


def _scope(user, *, by_index: bool, units: list[int] | None = None) -> Q:
    """Who may see an appeal: its requester, staff whose grants cover its area, the units that lead it or are
    assigned to it. Two shapes of the same condition (the same rows, tested on SQLite and PostgreSQL):

    - for walking a list newest first (`by_index=False`): the areas and the assignments as subqueries PostgreSQL
      hashes once and tests on each row it walks, which stops after a page;
    - for counting (`by_index=True`): every arm an index condition (`InArray`, `= ANY(ARRAY(…))` on PostgreSQL),
      so that the count reads the requester's, the areas', the units' and the assignments' appeals by their own
      indexes and ORs the bitmaps. Under the other shape one subquery arm made the whole OR a scan of every appeal
      (a street officer's count: 228 ms against 14 ms at 200,000 appeals, issue 22). A scope over a whole
      top-level area (the city) keeps the hashed subquery: nearly every appeal is in it, and its capped count
      stops after the cap's rows (appeal_listing_for).
    """
    condition = Q(requester=user)
    paths = sorted(scope_for(user, Action.APPEALS_VIEW).paths)
    if paths:
        # The areas as a subquery on geo_area (one range scan of its path index each), not a join: with the
        # join, "mine OR under these areas" spans two tables and PostgreSQL falls back to a row-by-row loop
        # for the list's count (bench/pages/RESULTS.md). Without a sort: `.values("pk")` would keep
        # Area.Meta.ordering, and sorting the city's 26,000 areas by path spilled to disk on every use (issue 22).
        under = Q(pk__in=[])
        for path in paths:
            under |= Q(path__prefix=path)
        if _covers_every_area(paths, under):
            # The city's administrator or dispatcher sees every appeal: no condition at all, so that a list walks
            # the newest-first index and a count stops at its cap, instead of first hashing the city's 26,000
            # areas (30-80 ms at every use on the city tree, issue 22).
            return Q()
        areas = Area.objects.filter(under).order_by().values("pk")
        condition |= Q(InArray(F("area_id"), areas)) if by_index else Q(area_id__in=Subquery(areas))
    units = _unit_ids(user) if units is None else units
    if units:
        active = Assignment.objects.filter(unit_id__in=units, active=True)
        if by_index:
            assigned: Any = InArray(F("id"), active.order_by().values("appeal_id"))
        else:
            assigned = Exists(active.filter(appeal=OuterRef("pk")))
        condition = condition | Q(lead_unit_id__in=units) | Q(assigned)
    return condition


def _covers_every_area(paths: list[str], under: Q) -> bool:
    """Whether these scope paths hold the whole area tree: one of them is a top-level area ("/440300/") and no
    other top-level area lies outside them (a second city's pack). One small query, only for such a scope."""
    if not any(path.count("/") <= 2 for path in paths):
        return False
    return not Area.objects.filter(parent__isnull=True).exclude(under).exists()


def visible_appeals(user) -> QuerySet[Appeal]:
    if not getattr(user, "is_authenticated", False):
        return Appeal.objects.none()
    return Appeal.objects.filter(_scope(user, by_index=False))


def appeal_may_list(*, user) -> bool:
    """Staff list the appeals of their areas and units, residents their own; anyone else is refused (403), as
    every protected endpoint refuses a user without the role (DESIGN.md §8)."""
    if not scope_for(user, Action.APPEALS_VIEW).empty or _unit_ids(user):
        return True
    return Role.RESIDENT in user_roles(user) or Appeal.objects.filter(requester=user).exists()


QUEUES = {
    "to_dispatch": Q(status="submitted"),
    "to_sign": Q(status="dispatched"),
    "in_progress": Q(status__in=["signed_for", "in_progress"]),
    "replied": Q(status="replied"),
    "near_due": Q(
        status__in=["dispatched", "signed_for", "in_progress"],
        warned_at__isnull=False,
        overdue_at__isnull=True,
    ),
    "overdue": OVERDUE,
    "returned": Q(status="submitted", return_count__gt=0),
    "supervised": SUPERVISED,
    # Requests for more time waiting for the dispatcher's decision (延期审批); one lapses when its appeal is replied
    # to or given back (services._withdraw_extensions), so only appeals still being worked on can have one.
    "extensions": Q(status__in=SUPERVISED_STATUSES)
    & Q(Exists(Extension.objects.filter(appeal=OuterRef("pk"), status="pending"))),
}


def appeal_queue_counts(*, user, queues: list[str], my_units: bool = False) -> dict[str, int]:
    """How many appeals wait in each of these queues for the user (what appeal_list_for would list, with the
    same scope): one query, a conditional count per queue."""
    qs = visible_appeals(user)
    if my_units:
        qs = qs.filter(lead_unit_id__in=_unit_ids(user))
    # Every queue holds only appeals still being worked on (SUPERVISED_STATUSES): counting those reads the open
    # appeals by the status index, not the whole history (issue 22: 1.5 s at 200,000 appeals for the city).
    counts = (
        qs.filter(status__in=SUPERVISED_STATUSES)
        .order_by()
        .aggregate(**{name: Count("pk", filter=QUEUES[name]) for name in queues})
    )
    return {name: int(counts[name] or 0) for name in queues}


def _list_filters(
    *,
    user,
    status: str | None = None,
    category: str | None = None,
    area: str | None = None,
    unit: str | None = None,
    channel: str | None = None,
    urgency: str | None = None,
    queue: str | None = None,
    q: str | None = None,
    created_from=None,
    created_to=None,
    mine: bool = False,
    my_units: bool = False,
    units: list[int] | None = None,
) -> tuple[Q, Q]:
    """The list's filters (beside the scope) as one condition, in each of the scope's shapes (_scope): for the
    walk down the list and for its count. NotFound for an unknown category, area or queue."""
    where = Q()
    area_walk = area_count = Q()
    if my_units:  # a handler's to-do: what his units lead, not everything of his district he may read
        where &= Q(lead_unit_id__in=_unit_ids(user) if units is None else units)
    if status:
        where &= Q(status=status)
    if category:
        # The category and its sub-categories as ids (one query): a plain `category_id IN (…)` on the appeals
        # instead of a join to the categories under an OR.
        ids = list(
            Category.objects.filter(Q(code=category) | Q(parent__code=category)).values_list("pk", flat=True)
        )
        if not ids:
            raise NotFound(f"Unknown category {category!r}.", fields={"category": category})
        where &= Q(category_id__in=ids)
    if area:
        path = Area.objects.filter(code=area).values_list("path", flat=True).first()
        if path is None:
            raise NotFound(f"No area has the code {area!r}.", fields={"area": area})
        if not _covers_every_area([path], Q(path__prefix=path)):  # the whole city filters nothing
            areas = Area.objects.filter(path__prefix=path).order_by().values("pk")
            area_walk, area_count = Q(area_id__in=Subquery(areas)), Q(InArray(F("area_id"), areas))
    if unit:
        where &= Q(lead_unit__code=unit)
    if channel:
        where &= Q(channel=channel)
    if urgency:
        where &= Q(urgency=urgency)
    if queue:
        if queue not in QUEUES:
            raise NotFound(f"Unknown queue {queue!r}.", fields={"queue": queue})
        where &= QUEUES[queue]
    if q:
        # By the text's bigram index on PostgreSQL (migration 0017), not a scan of every appeal's text. Numbers are
        # ASCII (SQ20261128000123): a Chinese query is only a text search, whose index condition then stands alone
        # instead of being evaluated again on every row under an OR with the number.
        in_text = Q(ContainsByBigrams(F("text"), q))
        where &= (Q(number=q) | in_text) if q.isascii() else in_text
    if created_from:
        where &= Q(created_at__gte=created_from)
    if created_to:
        where &= Q(created_at__lt=created_to)
    if mine:
        where &= Q(requester=user)
    return where & area_walk, where & area_count


def appeal_list_for(*, user, **filters) -> QuerySet[Appeal]:
    """The appeals the user may see that match the filters (_list_filters), newest first."""
    return _rows(visible_appeals(user), _list_filters(user=user, **filters)[0])


def _rows(visible: QuerySet[Appeal], where: Q) -> QuerySet[Appeal]:
    return (
        visible.filter(where).select_related("category", "area", "lead_unit").order_by("-created_at", "-id")
    )


# A list counts its rows up to this many and then says "more than" (超过 10,000 条): an exact count of everything
# a dispatcher may see reads every appeal of the city, and nobody pages through more than this; filters narrow it.
COUNT_CAP = 10_000


class AppealListing:
    """A list of appeals for a paginator (Django's or the API's): the rows, sliced one page at a time, and their
    number counted up to `cap` by the count's own shape of the scope (_scope(by_index=True)). `capped` says the
    count stopped at the cap (known once count() ran)."""

    ordered = True

    def __init__(self, rows: QuerySet[Appeal], counted: QuerySet[Appeal], cap: int) -> None:
        self.rows, self._counted, self.cap = rows, counted, cap
        self._count: int | None = None
        self.capped = False

    def count(self) -> int:
        if self._count is None:
            # SELECT count(*) FROM (SELECT id … LIMIT cap + 1): stops reading after the cap's rows.
            n = self._counted.order_by().values("pk")[: self.cap + 1].count()
            self.capped = n > self.cap
            self._count = min(n, self.cap)
        return self._count

    @property
    def cap_shown(self) -> str:
        """The cap as the page writes it: 10,000."""
        return f"{self.cap:,}"

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Appeal]:
        return iter(self.rows)

    @overload
    def __getitem__(self, item: int) -> Appeal: ...
    @overload
    def __getitem__(self, item: slice) -> QuerySet[Appeal]: ...
    def __getitem__(self, item):
        return self.rows[item]


def appeal_listing_for(*, user, cap: int | None = None, **filters) -> AppealListing:
    """appeal_list_for's rows with a count that reads the scope by index and stops at `cap` (COUNT_CAP unless
    given; the console's list, the API's list)."""
    cap = COUNT_CAP if cap is None else cap
    if not getattr(user, "is_authenticated", False):
        return AppealListing(Appeal.objects.none(), Appeal.objects.none(), cap)
    units = _unit_ids(user)
    where, count_where = _list_filters(user=user, units=units, **filters)
    rows = _rows(Appeal.objects.filter(_scope(user, by_index=False, units=units)), where)
    counted = Appeal.objects.filter(_scope(user, by_index=True, units=units)).filter(count_where)
    return AppealListing(rows, counted, cap)


def appeal_pending_extension(appeal: Appeal) -> Extension | None:
    """The request for more time that waits for the dispatcher's decision, if any (at most one: a constraint)."""
    return appeal.extensions.filter(status="pending").select_related("requested_by").first()


def appeal_ids_with_pending_extension(ids: list[int]) -> set[int]:
    """Of these appeal ids (a page of a list), those with a request for more time waiting: one query."""
    return set(
        Extension.objects.filter(appeal_id__in=ids, status="pending").values_list("appeal_id", flat=True)
    )


def appeal_get_for(*, user, pk: int) -> Appeal:
    appeal = (
        visible_appeals(user)
        .select_related("category", "category__parent", "area", "lead_unit", "merged_into")
        .filter(pk=pk)
        .first()
    )
    if appeal is None:
        raise NotFound(gettext("No appeal with this id."))
    return appeal


def photo_get_for(*, user, pk: int) -> Photo:
    """A photo of an appeal the user may see (staff in scope, the resident who submitted it); otherwise, as for a
    photo that does not exist, NotFound (404)."""
    photo = Photo.objects.filter(pk=pk, appeal__in=visible_appeals(user).values("pk")).first()
    if photo is None:
        raise NotFound(gettext("No photo with this id."))
    return photo


# --- system reads for the early-warning detector (shequ.earlywarning) ---------------------------------------------
# These are aggregates for a daily batch job, not a user's view: they are not scoped (the warnings they produce are,
# through earlywarning.selectors). Personal data leaves masked: a person is a keyed hash, a masked phone, numbers.
# Not counted: rejected appeals (not valid) and proactive ones (未诉先办 tasks made from warnings would feed back).
_NOT_SIGNALS = Q(status="rejected") | Q(channel="proactive")


class DailyCount(NamedTuple):
    day: date
    category_code: str
    street_code: str
    community_code: str | None  # None: located at street level only
    received: int
    synthetic: int  # how many of them are synthetic (demo or bench data)


def _street_and_community(path: str) -> tuple[str | None, str | None]:
    codes = [c for c in path.split("/") if c]
    street = codes[LEVEL_DEPTH[AreaLevel.STREET]] if len(codes) > LEVEL_DEPTH[AreaLevel.STREET] else None
    community = (
        codes[LEVEL_DEPTH[AreaLevel.COMMUNITY]] if len(codes) > LEVEL_DEPTH[AreaLevel.COMMUNITY] else None
    )
    return street, community


def appeal_daily_counts(*, since: date, until: date) -> list[DailyCount]:
    """Appeals received per Shenzhen day × category × street × community, `since` to `until` inclusive.

    One GROUP BY in the database (day, category, area path); grids, estates and buildings are folded into their
    community here. Appeals with no category, or located only at district or city level, are left out: they
    belong to no cell.
    """
    start = timezone.make_aware(datetime.combine(since, time.min))
    end = timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))
    rows = (
        Appeal.objects.filter(created_at__gte=start, created_at__lt=end, category__isnull=False)
        .exclude(_NOT_SIGNALS)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "category__code", "area__path")
        .annotate(n=Count("id"), synthetic_n=Sum(Case(When(synthetic=True, then=1), default=0)))
        .order_by()
    )
    folded: dict[tuple, list[int]] = {}
    for r in rows:
        street, community = _street_and_community(r["area__path"])
        if street is None:
            continue
        acc = folded.setdefault((r["day"], r["category__code"], street, community), [0, 0])
        acc[0] += r["n"]
        acc[1] += int(r["synthetic_n"] or 0)
    return [
        DailyCount(day, cat, street, community, n, syn)
        for (day, cat, street, community), (n, syn) in sorted(folded.items(), key=lambda kv: str(kv[0]))
    ]


class AppealPoint(NamedTuple):
    id: int
    number: str
    created_at: datetime
    lat: float
    lng: float
    category_code: str
    area_path: str
    synthetic: bool


def appeal_points(*, since: datetime, until: datetime) -> list[AppealPoint]:
    """Located appeals (with a point) received in [since, until), for the space-time cluster search."""
    rows = (
        Appeal.objects.filter(
            created_at__gte=since,
            created_at__lt=until,
            category__isnull=False,
            lat__isnull=False,
            lng__isnull=False,
        )
        .exclude(_NOT_SIGNALS)
        .order_by("created_at", "id")
        .values_list("id", "number", "created_at", "lat", "lng", "category__code", "area__path", "synthetic")
    )
    # lat and lng are not null here (filtered above); float() tells the type checker so.
    return [AppealPoint(r[0], r[1], r[2], float(r[3] or 0), float(r[4] or 0), r[5], r[6], r[7]) for r in rows]


class RepeatMember(NamedTuple):
    id: int
    number: str
    created_at: datetime
    category_code: str | None
    area_path: str
    synthetic: bool


@dataclass
class RepeatGroup:
    """Appeals from one person (kind "person") or one address (kind "address") inside a window."""

    kind: str
    key: str  # a stable digest of the identity: never the phone or the address itself
    label: str  # what staff see: a masked phone, "user #id", or the address as the appeals show it
    members: list[RepeatMember]


_ADDRESS_NOISE = (" ", "\u3000", "-", "—", "－", ",", "，", ".", "。", "#", "号")
MIN_ADDRESS_LENGTH = 6  # shorter addresses ("福田区") are places, not one address


def _normalized_address():
    """lower(address) without spaces and punctuation, in SQL: the same expression groups and filters."""
    expr: Any = Lower("address")
    for ch in _ADDRESS_NOISE:
        expr = Replace(expr, Value(ch), Value(""))
    return expr


def appeal_repeats(*, since: datetime, until: datetime, min_count: int) -> list[RepeatGroup]:
    """Groups of at least `min_count` appeals in [since, until) from one person or one (normalised) address.

    A person is the contact phone's keyed hash, or the signed-in requester when no phone was given. The grouping
    is done in the database (GROUP BY … HAVING), then one query per kind fetches the members of the groups found.
    """
    import hashlib

    from shequ.core.masking import mask_phone, redact

    base = Appeal.objects.filter(created_at__gte=since, created_at__lt=until).exclude(_NOT_SIGNALS).order_by()
    fields = ("id", "number", "created_at", "category__code", "area__path", "synthetic")
    groups: list[RepeatGroup] = []

    def digest(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    hashes = list(
        base.exclude(contact_phone_hash="")
        .values("contact_phone_hash")
        .annotate(n=Count("id"))
        .filter(n__gte=min_count)
        .values_list("contact_phone_hash", flat=True)
    )
    if hashes:
        by_hash: dict[str, list[RepeatMember]] = {}
        phones: dict[str, str] = {}
        for a in (
            base.filter(contact_phone_hash__in=hashes)
            .select_related("area", "category")
            .order_by("created_at", "id")
        ):
            by_hash.setdefault(a.contact_phone_hash, []).append(
                RepeatMember(a.pk, a.number, a.created_at, _code(a), a.area.path, a.synthetic)
            )
            phones.setdefault(a.contact_phone_hash, mask_phone(a.contact_phone))
        for h, members in by_hash.items():
            groups.append(RepeatGroup("person", digest("phone:" + h), phones[h], members))
    requesters = list(
        base.filter(contact_phone_hash="", requester__isnull=False)
        .values("requester")
        .annotate(n=Count("id"))
        .filter(n__gte=min_count)
        .values_list("requester", flat=True)
    )
    if requesters:
        by_user: dict[int, list[RepeatMember]] = {}
        for r in (
            base.filter(contact_phone_hash="", requester__in=requesters)
            .order_by("created_at", "id")
            .values_list("requester", *fields)
        ):
            by_user.setdefault(r[0], []).append(RepeatMember(*r[1:]))
        for uid, members in by_user.items():
            groups.append(RepeatGroup("person", digest(f"user:{uid}"), f"user #{uid}", members))
    located = base.exclude(address="").annotate(norm=_normalized_address())
    addresses = [
        a
        for a in located.values("norm")
        .annotate(n=Count("id"))
        .filter(n__gte=min_count)
        .values_list("norm", flat=True)
        if len(a) >= MIN_ADDRESS_LENGTH
    ]
    if addresses:
        by_address: dict[str, list[RepeatMember]] = {}
        labels: dict[str, str] = {}
        for r in (
            located.filter(norm__in=addresses)
            .order_by("created_at", "id")
            .values_list("norm", "address", *fields)
        ):
            by_address.setdefault(r[0], []).append(RepeatMember(*r[2:]))
            labels.setdefault(r[0], redact(r[1]))  # the label is stored with the warning and shown
        for norm, members in by_address.items():
            groups.append(RepeatGroup("address", digest("address:" + norm), labels[norm], members))
    return groups


def _code(appeal: Appeal) -> str | None:
    return appeal.category.code if appeal.category is not None else None


class ReceivedCount(NamedTuple):
    category_code: str
    category_name: str
    area_path: str  # the community (or the coarser area an appeal was located at)
    received: int


def appeal_received_by_place(*, since: date, until: date, paths: list[str]) -> list[ReceivedCount]:
    """Appeals received per top-level category × community under `paths`, `since`..`until` inclusive.

    Read from the KPI rollups (one GROUP BY, never a rescan of the appeals): the monthly top-problems list
    (每月一题) is asked for on a request. A whole calendar month is read from its monthly rows.
    """
    where = Q(pk__in=[])
    for p in paths:
        where |= Q(area_path__prefix=p)
    whole_month = (
        since.day == 1
        and (until + timedelta(days=1)).day == 1
        and (since.year, since.month)
        == (
            until.year,
            until.month,
        )
    )
    source = (
        KpiMonthly.objects.filter(month=since)
        if whole_month
        else KpiDaily.objects.filter(day__gte=since, day__lte=until)
    )
    rows = (
        source.filter(where, category__isnull=False)
        .values("category__code", "category__name", "area_path")
        .annotate(n=Sum("received"))
        .filter(n__gt=0)
        .order_by()
    )
    return [
        ReceivedCount(r["category__code"], r["category__name"], r["area_path"], int(r["n"])) for r in rows
    ]


def appeal_ids_in_cell(*, day: date, category_code: str, area_path: str) -> list[tuple[int, str]]:
    """(id, number) of the appeals of one category received on one Shenzhen day under one area: a rise's evidence."""
    return list(
        Appeal.objects.filter(
            created_at__gte=timezone.make_aware(datetime.combine(day, time.min)),
            created_at__lt=timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min)),
            category__code=category_code,
            area__path__prefix=area_path,
        )
        .exclude(_NOT_SIGNALS)
        .order_by("created_at", "id")
        .values_list("id", "number")
    )


def category_lookup(*, codes: set[str] | list[str]) -> dict[str, Category]:
    """Categories by code (one query), for modules that refer to categories by their code."""
    return {c.code: c for c in Category.objects.filter(code__in=list(codes)).select_related("parent")}


def appeal_ratings_by_community(*, path: str, since: date, until: date) -> dict[str, tuple[int, int]]:
    """好差评 per community under `path`, `since`..`until` inclusive: {community code: (satisfied, rated)}. Read
    from the area rollups (one GROUP BY): shequ/surveys puts them beside its satisfaction surveys."""
    rows = (
        KpiAreaDaily.objects.filter(area_path__prefix=path, day__gte=since, day__lte=until)
        .values("area_path")
        .annotate(satisfied=Sum("satisfied"), rated=Sum("rated"))
        .order_by()
    )
    out: dict[str, tuple[int, int]] = {}
    for r in rows:
        codes = [c for c in r["area_path"].split("/") if c]
        if len(codes) < 4 or not r["rated"]:
            continue
        satisfied, rated = out.get(codes[3], (0, 0))
        out[codes[3]] = (satisfied + int(r["satisfied"]), rated + int(r["rated"]))
    return out


def appeal_outcomes_under(*, path: str, since: datetime, until: datetime) -> dict[str, Any]:
    """How the appeals about a place (an estate) ended, for shequ/credit: received in the period, closed,
    resolved per the requester, rated satisfied, rated dissatisfied (差评), overdue; and their numbers."""
    rows = Appeal.objects.filter(area__path__prefix=path, created_at__gte=since, created_at__lt=until)
    figures = rows.aggregate(
        received=Count("pk"),
        closed=Count("pk", filter=Q(status="closed")),
        resolved=Count("pk", filter=Q(resolved=True)),
        satisfied=Count("pk", filter=Q(rating__gte=3)),
        dissatisfied=Count("pk", filter=Q(rating__lte=2)),
        overdue=Count("pk", filter=Q(overdue_at__isnull=False)),
    )
    figures["numbers"] = list(rows.order_by("created_at").values_list("number", flat=True)[:20])
    return figures
