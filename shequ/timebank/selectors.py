"""Reads of the time bank, always scoped: a resident sees his own account, requests and family; staff see what
lies under their grants (timebank.manage); anything else is 404 like a missing object (STYLE.md §2)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from shequ.access.scoping import scope_for, visible_to
from shequ.accounts.roles import Action
from shequ.core.errors import NotFound
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area
from shequ.residents.models import Resident
from shequ.residents.selectors import resident_get_for, resident_list_for
from shequ.volunteers.selectors import volunteers_matching

from .choices import AccountKind, HelpStatus, LinkStatus, TransferKind
from .models import Account, FamilyLink, Goods, HelpRequest, Movement, Store, Transfer
from .rules import ELDERLY_AGE


def account_of(user) -> Account | None:
    if user is None or not user.is_authenticated:
        return None
    return Account.objects.filter(kind=AccountKind.RESIDENT, owner=user).select_related("area").first()


def movements_of(account: Account | None, *, limit: int = 50) -> list[Movement]:
    if account is None:
        return []
    return list(
        Movement.objects.filter(account=account)
        .select_related("transfer", "transfer__area")
        .order_by("-seq")[:limit]
    )


@dataclass
class FamilyMember:
    user: Any
    relation: str
    status: str
    basis: str
    account: Account | None


def family_of(user) -> list[FamilyMember]:
    """The family members the user declared or who declared him (confirmed or waiting), with their accounts."""
    links = list(
        FamilyLink.objects.filter(Q(person=user) | Q(relative=user))
        .select_related("person", "relative")
        .order_by("created_at")
    )
    others = [link.relative if link.person_id == user.pk else link.person for link in links]
    accounts = {
        a.owner_id: a
        for a in Account.objects.filter(kind=AccountKind.RESIDENT, owner__in=[o.pk for o in others])
    }
    return [
        FamilyMember(other, link.relation, link.status, link.basis, accounts.get(other.pk))
        for link, other in zip(links, others, strict=True)
    ]


def family_accounts(user) -> list[FamilyMember]:
    """Family members credits may go to now (a confirmed link), each with an account."""
    return [m for m in family_of(user) if m.status == LinkStatus.CONFIRMED]


def links_waiting_for(user) -> QuerySet[FamilyLink]:
    return FamilyLink.objects.filter(relative=user, status=LinkStatus.PENDING).select_related("person")


def family_link_get_for(*, user, pk: int) -> FamilyLink:
    link = FamilyLink.objects.filter(pk=pk, relative=user).first()
    if link is None:
        raise NotFound(gettext("Not found."))
    return link


# --- help requests ---------------------------------------------------------------------------------------------


def help_requests_of(user) -> QuerySet[HelpRequest]:
    return HelpRequest.objects.filter(requester=user).select_related("helper", "area")


def help_requests_helping(user) -> QuerySet[HelpRequest]:
    return HelpRequest.objects.filter(helper=user).select_related("requester", "area")


def help_requests_open_for(user, *, limit: int = 50) -> list[HelpRequest]:
    """Open requests a person might take, nearest first: his community, his street, then the city (通存通兑)."""
    home = account_of(user)
    rows = list(
        HelpRequest.objects.filter(status=HelpStatus.OPEN)
        .exclude(requester=user)
        .select_related("area")
        .order_by("created_at")[:500]
    )
    path = home.area.path if home is not None and home.area is not None else ""
    street = path.rsplit("/", 2)[0] + "/" if path else ""

    def nearness(r: HelpRequest) -> int:
        if path and r.area.path.startswith(path):
            return 0
        if street and r.area.path.startswith(street):
            return 1
        return 2

    return sorted(rows, key=nearness)[:limit]


def help_request_get_for(*, user, pk: int) -> HelpRequest:
    """The requester's own, the helper's, an open one for anyone signed in, or any under staff's grants; else 404."""
    request = HelpRequest.objects.select_related("requester", "helper", "area").filter(pk=pk).first()
    if request is None:
        raise NotFound(gettext("Not found."))
    if user.pk in (request.requester_id, request.helper_id) or request.status == HelpStatus.OPEN:
        return request
    if scope_for(user, Action.TIMEBANK_MANAGE).covers_path(request.area.path):
        return request
    raise NotFound(gettext("Not found."))


# Which volunteer skills (shequ.volunteers' skill codes) each kind of help asks for.
HELP_SKILLS = {"visit": ["elder_care"], "shopping": [], "hospital": ["elder_care"], "other": []}


def volunteers_for(request: HelpRequest, *, limit: int = 10) -> list[Any]:
    """The volunteers matched to a help request by skill, service area and availability
    (shequ.volunteers.selectors.volunteers_matching), best first, as their platform accounts; never the
    requester himself."""
    found = volunteers_matching(
        HELP_SKILLS.get(request.kind, []), request.area, request.wanted_at, limit=limit + 1
    )
    return [v.user for v in found if v.user_id is not None and v.user_id != request.requester_id][:limit]


def helpers_for(request: HelpRequest, *, limit: int = 10) -> list[Any]:
    """Who could help, best first: volunteers matched by skill, service area and availability
    (shequ.volunteers.selectors.volunteers_matching), then residents with a time bank account in the requester's
    community and street (by area only). The one door through which matching goes."""
    users = volunteers_for(request, limit=limit)
    area = request.area
    street = area.parent.path if area.parent is not None else area.path
    seen = {u.pk for u in users}
    accounts = (
        Account.objects.filter(kind=AccountKind.RESIDENT, area__path__prefix=street, is_active=True)
        .exclude(owner=request.requester_id)
        .exclude(owner__in=seen)
        .select_related("owner", "area")
    )
    ranked = sorted(accounts[:200], key=lambda a: (a.area_id != area.pk, a.pk))
    return (users + [a.owner for a in ranked])[:limit]


# --- the love supermarket --------------------------------------------------------------------------------------


def stores_for(user) -> list[Store]:
    """Every open 爱心超市 of the city (points work city-wide), the resident's own community first."""
    home = account_of(user)
    stores = list(Store.objects.filter(is_active=True).select_related("area", "area__parent"))
    home_area = home.area_id if home is not None else None
    return sorted(stores, key=lambda s: (s.area_id != home_area, s.area.path, s.name))


def goods_of(stores: list[Store]) -> dict[int, list[Goods]]:
    by_store: dict[int, list[Goods]] = defaultdict(list)
    for g in Goods.objects.filter(store__in=stores, is_active=True).order_by("price", "name"):
        by_store[g.store_id].append(g)
    return by_store


def goods_get(*, pk: int) -> Goods:
    goods = Goods.objects.select_related("store", "store__area").filter(pk=pk, is_active=True).first()
    if goods is None:
        raise NotFound(gettext("Not found."))
    return goods


# --- staff -----------------------------------------------------------------------------------------------------


def accounts_for_staff(
    user, *, kinds=(AccountKind.POOL, AccountKind.TEAM, AccountKind.STORE)
) -> QuerySet[Account]:
    # Organisations' accounts have no owner: visible_to's owner term adds nothing to the areas of the grants.
    return visible_to(
        Account.objects.filter(kind__in=kinds).select_related("area"), user, Action.TIMEBANK_MANAGE
    )


def stores_for_staff(user) -> QuerySet[Store]:
    return visible_to(Store.objects.select_related("area", "account"), user, Action.TIMEBANK_MANAGE)


def goods_get_for_staff(*, user, pk: int) -> Goods:
    goods = (
        Goods.objects.filter(pk=pk, store__in=stores_for_staff(user))
        .select_related("store", "store__area")
        .first()
    )
    if goods is None:
        raise NotFound(gettext("Not found."))
    return goods


def elders_for_issue(user, *, limit: int = 200) -> list[Any]:
    """Residents 60 or older with a platform account under the user's grants (timebank.issue), oldest first: whom
    credits may be issued to (the service checks the key-elderly rule). Scoped by the residents' own selector."""
    today = timezone.localdate()
    try:
        born_by = today.replace(year=today.year - ELDERLY_AGE)
    except ValueError:  # 29 February
        born_by = today.replace(year=today.year - ELDERLY_AGE, day=28)
    return list(
        resident_list_for(user=user, action=Action.TIMEBANK_ISSUE)
        .filter(birth_date__lte=born_by, user__isnull=False)
        .order_by("birth_date")[:limit]
    )


def elder_get_for_issue(*, user, pk: int) -> Resident:
    return resident_get_for(user=user, pk=pk, action=Action.TIMEBANK_ISSUE)


def transfers_for_staff(user, *, limit: int | None = 200) -> QuerySet[Transfer]:
    """Transfers touching an account or happening in an area under the user's grants, newest first."""
    scope = scope_for(user, Action.TIMEBANK_MANAGE)
    condition = Q(pk__in=[])
    for p in scope.paths:
        condition |= (
            Q(area__path__prefix=p) | Q(debit__area__path__prefix=p) | Q(credit__area__path__prefix=p)
        )
    qs = Transfer.objects.filter(condition).select_related("debit", "credit", "area").order_by("-id")
    return qs[:limit] if limit else qs


# --- 通存通兑: the settlement report -----------------------------------------------------------------------------

EARNED_KINDS = (TransferKind.EARN, TransferKind.RELEASE)
# A resident's spending: held for help (less what came back), redeemed, donated.
SPENT_KINDS = (TransferKind.HOLD, TransferKind.RETURN, TransferKind.REDEEM, TransferKind.DONATION)


@dataclass
class SettlementRow:
    area: Area
    earned_home: int = 0
    earned_elsewhere: int = 0  # this community's residents, in other communities
    spent_home: int = 0
    spent_elsewhere: int = 0
    others_earned_here: int = 0  # residents of other communities, here
    others_spent_here: int = 0
    children: list[SettlementRow] = field(default_factory=list)

    @property
    def net(self) -> int:
        """What came in from elsewhere less what went out: residents' earnings elsewhere and others' spending here,
        less residents' spending elsewhere and others' earnings here."""
        return self.earned_elsewhere + self.others_spent_here - self.spent_elsewhere - self.others_earned_here

    def add(self, other: SettlementRow) -> None:
        for name in (
            "earned_home",
            "earned_elsewhere",
            "spent_home",
            "spent_elsewhere",
            "others_earned_here",
            "others_spent_here",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def settlement_for(user) -> list[SettlementRow]:
    """Per street (with its communities) under the user's grants: what its residents earned and spent at home and
    elsewhere in the city, and what residents of elsewhere earned and spent here. One grouped query over the
    residents' movements."""
    scope = scope_for(user, Action.TIMEBANK_MANAGE)
    if scope.empty:
        return []
    in_scope = Q(pk__in=[])
    for p in scope.paths:
        in_scope |= Q(account__area__path__prefix=p) | Q(transfer__area__path__prefix=p)
    grouped = (
        Movement.objects.filter(
            in_scope,
            account__kind=AccountKind.RESIDENT,
            transfer__kind__in=(*EARNED_KINDS, *SPENT_KINDS),
            account__area__isnull=False,
            transfer__area__isnull=False,
        )
        .values_list("account__area_id", "transfer__area_id", "transfer__kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    rows: dict[int, SettlementRow] = {}
    needed: set[int] = set()
    data = list(grouped)
    for home, where, _kind, _total in data:
        needed.update((home, where))
    areas = Area.objects.in_bulk(list(needed))

    def row(area_id: int) -> SettlementRow:
        if area_id not in rows:
            rows[area_id] = SettlementRow(area=areas[area_id])
        return rows[area_id]

    for home, where, kind, total in data:
        earned = total if kind in EARNED_KINDS else 0
        spent = -total if kind in SPENT_KINDS else 0
        if home == where:
            row(home).earned_home += earned
            row(home).spent_home += spent
        else:
            row(home).earned_elsewhere += earned
            row(home).spent_elsewhere += spent
            row(where).others_earned_here += earned
            row(where).others_spent_here += spent
    communities = [r for r in rows.values() if scope.covers_path(r.area.path)]
    streets: dict[int, SettlementRow] = {}
    street_areas = Area.objects.in_bulk([r.area.parent_id for r in communities if r.area.parent_id])
    for r in sorted(communities, key=lambda r: r.area.path):
        parent = street_areas.get(r.area.parent_id) if r.area.level == AreaLevel.COMMUNITY else None
        parent = parent or r.area
        total = streets.setdefault(parent.pk, SettlementRow(area=parent))
        total.add(r)
        total.children.append(r)
    return sorted(streets.values(), key=lambda s: s.area.path)
