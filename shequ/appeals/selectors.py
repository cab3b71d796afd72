"""Reads of appeals, always scoped: the area under the user's grants, the units he acts for, or his own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Lower, Replace, TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from shequ.access.scoping import scope_for, user_roles
from shequ.accounts.models import Grant
from shequ.accounts.roles import Action, Role
from shequ.core.db import RefCache
from shequ.core.errors import NotFound
from shequ.geo.choices import LEVEL_DEPTH, AreaLevel
from shequ.geo.models import Area

from .choices import SUPERVISED_STATUSES
from .models import OVERDUE, SUPERVISED, Appeal, Assignment, Category, Extension, KpiDaily, KpiMonthly, Photo

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


def visible_appeals(user) -> QuerySet[Appeal]:
    if not getattr(user, "is_authenticated", False):
        return Appeal.objects.none()
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
        condition |= Q(area_id__in=Subquery(Area.objects.filter(under).order_by().values("pk")))
    units = _unit_ids(user)
    if units:
        assigned = Exists(Assignment.objects.filter(appeal=OuterRef("pk"), unit_id__in=units, active=True))
        condition = condition | Q(lead_unit_id__in=units) | Q(assigned)
    return Appeal.objects.filter(condition)


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


def appeal_list_for(
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
) -> QuerySet[Appeal]:
    qs = visible_appeals(user)
    if my_units:  # a handler's to-do: what his units lead, not everything of his district he may read
        qs = qs.filter(lead_unit_id__in=_unit_ids(user))
    if status:
        qs = qs.filter(status=status)
    if category:
        cat = Category.objects.filter(code=category).first()
        if cat is None:
            raise NotFound(f"Unknown category {category!r}.", fields={"category": category})
        qs = qs.filter(Q(category=cat) | Q(category__parent=cat))
    if area:
        path = Area.objects.filter(code=area).values_list("path", flat=True).first()
        if path is None:
            raise NotFound(f"No area has the code {area!r}.", fields={"area": area})
        qs = qs.filter(area__path__prefix=path)
    if unit:
        qs = qs.filter(lead_unit__code=unit)
    if channel:
        qs = qs.filter(channel=channel)
    if urgency:
        qs = qs.filter(urgency=urgency)
    if queue:
        if queue not in QUEUES:
            raise NotFound(f"Unknown queue {queue!r}.", fields={"queue": queue})
        qs = qs.filter(QUEUES[queue])
    if q:
        qs = qs.filter(Q(number=q) | Q(text__contains=q))
    if created_from:
        qs = qs.filter(created_at__gte=created_from)
    if created_to:
        qs = qs.filter(created_at__lt=created_to)
    if mine:
        qs = qs.filter(requester=user)
    return qs.select_related("category", "area", "lead_unit").order_by("-created_at", "-id")


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
