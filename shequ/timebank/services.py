"""Writes of the time bank: earn, transfer, donate, issue, help requests with escrow, redeem, expire, inherit.

Every service runs in one transaction: the ledger's lock first (ledger.lock), then the checks, then the postings,
then the audit entry (STYLE.md §3); messages to people leave after COMMIT. A refused call writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext

from shequ.access.scoping import can_at
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record
from shequ.core.crypto import hash_lookup
from shequ.core.errors import NotFound, ShequError
from shequ.core.idnumbers import normalize_phone
from shequ.core.masking import mask_name
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area
from shequ.messages.services import message_send
from shequ.residents.models import Resident

from . import ledger, workflow
from .choices import AccountKind, HelpKind, HelpStatus, LinkBasis, LinkStatus, TransferKind
from .ledger import format_credits
from .models import (
    MINUTES_PER_CREDIT,
    Account,
    Earning,
    FamilyLink,
    Goods,
    HelpRequest,
    Redemption,
    Store,
    TimebankRule,
    Transfer,
)
from .rules import ELDERLY_AGE, Rule, age_on, community_of, home_community, rule_for
from .selectors import volunteers_for

if TYPE_CHECKING:
    from shequ.accounts.models import User

# Residents with one of these tags (or aged 80 and over) are key elderly (重点老人) to whom credits may be issued.
KEY_ELDERLY_TAGS = ("elderly_alone", "elderly_80", "dibao", "disabled", "tekun")
HOURS_REF = "volunteers.hours"
HELP_REF = "timebank.help"
# Transfers a resident makes of his own will, which the daily transfer cap limits.
CAPPED_OUTGOING = (TransferKind.FAMILY, TransferKind.DONATION)


# --- amounts ---------------------------------------------------------------------------------------------------


def minutes_of(amount: Any) -> int:
    """An amount in 时间币 ("1.5", 2, Decimal) as whole minutes of credit; a negative, zero, non-numeric or
    below-one-minute amount (0.01 时间币 is 0.6 minute) is a clear error."""
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise ShequError(
            gettext("Enter an amount in 时间币, for example 1.5."), fields={"amount": "not a number"}
        ) from None
    if not value.is_finite():
        raise ShequError(
            gettext("Enter an amount in 时间币, for example 1.5."), fields={"amount": "not a number"}
        )
    if value <= 0:
        raise ShequError(gettext("The amount must be more than zero."), fields={"amount": "not positive"})
    minutes = value * MINUTES_PER_CREDIT
    if minutes < 1:
        raise ShequError(
            gettext("The amount must be at least one minute (0.02 时间币)."),
            fields={"amount": "below a minute"},
        )
    if minutes != minutes.to_integral_value():
        raise ShequError(
            gettext("The amount must be a whole number of minutes (1 时间币 = 60 minutes)."),
            fields={"amount": "fraction of a minute"},
        )
    return int(minutes)


# --- accounts --------------------------------------------------------------------------------------------------


def _get_or_create(lookup: dict[str, Any], defaults: dict[str, Any]) -> Account:
    """An account by its natural key; two concurrent first uses meet at the unique constraint, and the loser
    reads the winner's row."""
    found = Account.objects.filter(**lookup).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Account.objects.create(**lookup, **defaults)
    except IntegrityError:
        return Account.objects.get(**lookup)


def account_open(*, user: User) -> Account:
    """The resident's own account, opened at first use in his home community."""
    if user is None or not user.is_authenticated:
        raise ShequError(gettext("Sign in to use the time bank."), status=401, code="unauthorized")
    account = Account.objects.filter(kind=AccountKind.RESIDENT, owner=user).first()
    if account is not None:
        return account
    return _get_or_create(
        {"kind": AccountKind.RESIDENT, "owner": user},
        {
            "name": mask_name(user.display_name or user.username),
            "area": home_community(user),
            "synthetic": getattr(user, "synthetic", False),
        },
    )


def pool_account(*, area: Area) -> Account:
    """A community's pool (社区互助池): group hours and donations go here; the community spends it on help."""
    community = community_of(area)
    assert community is not None
    return _get_or_create(
        {"kind": AccountKind.POOL, "area": community}, {"name": f"{community.name}互助池", "synthetic": False}
    )


def team_account(*, team_id: int, name: str, area: Area | None) -> Account:
    return _get_or_create(
        {"kind": AccountKind.TEAM, "team_ref": team_id}, {"name": name[:100], "area": community_of(area)}
    )


_SYSTEM_NAMES: dict[str, str] = {
    AccountKind.ISSUER: "时间银行发行账户",
    AccountKind.GOVERNMENT: "政府发放账户",
    AccountKind.ESCROW: "互助托管账户",
}


def system_account(kind: str) -> Account:
    floor = None if kind in (AccountKind.ISSUER, AccountKind.GOVERNMENT) else 0
    return _get_or_create({"kind": kind}, {"name": _SYSTEM_NAMES[kind], "floor": floor})


def _resident_of(user) -> Resident | None:
    return Resident.objects.filter(user=user).first() if user is not None else None


def _audit(
    *, action: str, actor, transfer: Transfer | None = None, obj=None, changes=None, purpose: str = ""
):
    target = obj if obj is not None else transfer
    base = {}
    if transfer is not None:
        base = {
            "kind": {"after": transfer.kind},
            "minutes": {"after": transfer.minutes},
            "from_account": {"after": transfer.debit_id},
            "to_account": {"after": transfer.credit_id},
        }
    audit_record(
        action=action,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        actor_username="" if actor is not None and getattr(actor, "is_authenticated", False) else "system",
        obj=target,
        object_repr=f"{target._meta.model_name} #{target.pk}" if target is not None else "",
        changes={**base, **(changes or {})},
        purpose=purpose,
    )


# --- earning ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    """What the time bank reads of a confirmed-hours record of shequ.volunteers."""

    ref: str
    user: Any
    minutes: int
    is_group: bool
    confirmed_at: datetime
    team_id: int | None = None
    team_name: str = ""
    team_area: Area | None = None
    place: Area | None = None
    what: str = ""


def _area_or_none(value: Any) -> Area | None:
    return value if isinstance(value, Area) else None


def hours_of(record: Any) -> Hours:
    """Read the record that shequ.volunteers.hooks passes (id, user, minutes, team, is_group, confirmed_at, activity)."""
    team = getattr(record, "team", None)
    activity = getattr(record, "activity", None)
    user = getattr(record, "user", None)
    if user is None:
        user = getattr(getattr(record, "volunteer", None), "user", None)
    place = _area_or_none(getattr(activity, "area", None)) or _area_or_none(getattr(team, "area", None))
    return Hours(
        ref=str(record.id),
        user=user,
        minutes=int(record.minutes),
        is_group=bool(getattr(record, "is_group", False)),
        confirmed_at=getattr(record, "confirmed_at", None) or timezone.now(),
        team_id=team.pk if team is not None else None,
        team_name=str(getattr(team, "name", "")) if team is not None else "",
        team_area=_area_or_none(getattr(team, "area", None)),
        place=place,
        what=str(getattr(activity, "title", "") or getattr(activity, "name", "") or ""),
    )


def timebank_earn_for_hours(record: Any) -> Earning | None:
    """Credits for a confirmed-hours record (the hook shequ.volunteers calls inside its confirming transaction).

    Idempotent per record id: a second call does nothing and answers None. Individual hours are credited to the
    volunteer at the rate of his rule, up to the daily and lifetime caps (what lies beyond is recorded as capped,
    not credited: the confirmation itself never fails on a cap). Group hours are donation-only: credited to the
    team's account, or to the community pool when no team is named, never to the person (南京)."""
    return timebank_earn(hours=hours_of(record))


def timebank_earn(*, hours: Hours) -> Earning | None:
    with transaction.atomic():
        ledger.lock()
        if Earning.objects.filter(hours_ref=hours.ref).exists():
            return None
        issuer = system_account(AccountKind.ISSUER)
        if hours.is_group:
            if hours.team_id is not None:
                target = team_account(
                    team_id=hours.team_id,
                    name=hours.team_name or f"team {hours.team_id}",
                    area=hours.team_area,
                )
            else:
                area = hours.place or home_community(hours.user)
                if area is None:
                    raise ShequError(gettext("Group hours need a team or a community to go to."))
                target = pool_account(area=area)
            rule = rule_for(target.area)
            credited, capped = rule.credits_for(hours.minutes), 0
            kind = TransferKind.GROUP_EARN
        else:
            target = account_open(user=hours.user)
            rule = rule_for(target.area)
            wanted = rule.credits_for(hours.minutes)
            room = wanted
            if rule.daily_earn_cap is not None:
                today = (
                    Transfer.objects.filter(
                        credit=target, kind=TransferKind.EARN, day=timezone.localdate(hours.confirmed_at)
                    ).aggregate(s=Sum("minutes"))["s"]
                    or 0
                )
                room = min(room, max(0, rule.daily_earn_cap - today))
            if rule.lifetime_earn_cap is not None:
                target.refresh_from_db(fields=["earned_total"])
                room = min(room, max(0, rule.lifetime_earn_cap - target.earned_total))
            credited, capped = room, wanted - room
            kind = TransferKind.EARN
        transfer = None
        if credited > 0:
            transfer = ledger.post(
                kind=kind,
                debit=issuer,
                credit=target,
                minutes=credited,
                memo=hours.what,
                ref_type=HOURS_REF,
                ref_id=hours.ref,
                area=community_of(hours.place) or target.area,
                at=hours.confirmed_at,
            )
            if kind == TransferKind.EARN:
                Account.objects.filter(pk=target.pk).update(earned_total=F("earned_total") + credited)
        earning = Earning.objects.create(
            hours_ref=hours.ref,
            account=target,
            service_minutes=hours.minutes,
            credited=credited,
            capped=capped,
            is_group=hours.is_group,
            transfer=transfer,
        )
        _audit(
            action="timebank.earn",
            actor=None,
            obj=earning,
            transfer=None,
            changes={
                "hours": {"after": hours.ref},
                "account": {"after": target.pk},
                "credited": {"after": credited},
                "capped": {"after": capped},
                "group": {"after": hours.is_group},
            },
        )
    return earning


# --- family, transfers, donations ------------------------------------------------------------------------------


def _same_household(a, b) -> bool:
    households = set(Resident.objects.filter(user__in=[a, b]).values_list("user_id", "household_id"))
    ha = {h for u, h in households if u == a.pk}
    hb = {h for u, h in households if u == b.pk}
    return bool(ha & hb)


def _user_by_phone(phone: str):
    from django.contrib.auth import get_user_model

    model = get_user_model()
    normal = normalize_phone(phone)  # never fails: anything unrecognisable is its digits
    if not normal:
        return None
    return model.objects.filter(**hash_lookup(model, "phone", normal), is_active=True).first()


def family_link_declare(*, actor: User, phone: str, relation: str) -> FamilyLink:
    """Declare a family member by his phone. Proven at once when both live in one household of the residents
    register; otherwise it waits until the family member confirms it."""
    relation = (relation or "").strip()
    if not relation:
        raise ShequError(gettext("Say how you are related."), fields={"relation": "required"})
    relative = _user_by_phone(phone)
    if relative is None:
        raise ShequError(
            gettext("No resident with this phone number uses the platform."), fields={"phone": "not found"}
        )
    if relative.pk == actor.pk:
        raise ShequError(gettext("You cannot declare yourself as family."), fields={"phone": "yourself"})
    with transaction.atomic():
        existing = FamilyLink.objects.filter(person=actor, relative=relative).first()
        if existing is not None:
            return existing
        household = _same_household(actor, relative)
        link = FamilyLink.objects.create(
            person=actor,
            relative=relative,
            relation=relation[:20],
            status=LinkStatus.CONFIRMED if household else LinkStatus.PENDING,
            basis=LinkBasis.HOUSEHOLD if household else "",
            confirmed_at=timezone.now() if household else None,
        )
        _audit(
            action="timebank.family_declare",
            actor=actor,
            obj=link,
            changes={"relative": {"after": relative.pk}, "status": {"after": link.status}},
        )
        if not household:
            transaction.on_commit(
                lambda: message_send(
                    person=relative,
                    kind="timebank.family",
                    title=gettext("A family member asks you to confirm a family link"),
                    link="/me/timebank/family/",
                )
            )
    return link


def family_link_confirm(*, actor: User, link: FamilyLink) -> FamilyLink:
    if link.relative_id != actor.pk:
        raise NotFound(gettext("Not found."))
    with transaction.atomic():
        updated = FamilyLink.objects.filter(pk=link.pk, status=LinkStatus.PENDING).update(
            status=LinkStatus.CONFIRMED, basis=LinkBasis.CONFIRMED, confirmed_at=timezone.now()
        )
        link.refresh_from_db()
        if updated:
            _audit(
                action="timebank.family_confirm",
                actor=actor,
                obj=link,
                changes={"status": {"before": LinkStatus.PENDING, "after": LinkStatus.CONFIRMED}},
            )
    return link


def is_family(a, b) -> bool:
    """Whether credits may go from `a` to `b` as a family transfer: a confirmed link either way, or one household."""
    linked = FamilyLink.objects.filter(
        status=LinkStatus.CONFIRMED, person__in=[a, b], relative__in=[a, b]
    ).exists()
    return linked or _same_household(a, b)


def _check_daily_transfer_cap(account: Account, minutes: int) -> None:
    rule = rule_for(account.area)
    if rule.daily_transfer_cap is None:
        return
    today = (
        Transfer.objects.filter(debit=account, kind__in=CAPPED_OUTGOING, day=timezone.localdate()).aggregate(
            s=Sum("minutes")
        )["s"]
        or 0
    )
    if today + minutes > rule.daily_transfer_cap:
        raise ShequError(
            gettext(
                "This is beyond the daily limit of %(cap)s 时间币 for transfers and donations (%(left)s left today)."
            )
            % {
                "cap": format_credits(rule.daily_transfer_cap),
                "left": format_credits(max(0, rule.daily_transfer_cap - today)),
            },
            code="cap_exceeded",
            status=409,
            fields={"amount": "beyond the daily cap"},
        )


def timebank_transfer_to_family(
    *, actor: User, to_account: Account, minutes: int, memo: str = ""
) -> Transfer:
    """A transfer to a family member (上海: 时间币转赠家人)."""
    with transaction.atomic():
        ledger.lock()
        source = account_open(user=actor)
        if to_account.pk == source.pk:
            raise ShequError(gettext("You cannot transfer credits to yourself."), fields={"to": "yourself"})
        if to_account.kind != AccountKind.RESIDENT or not is_family(actor, to_account.owner):
            raise ShequError(
                gettext("Credits go only to a family member: declare the family link first."),
                code="not_family",
                fields={"to": "not family"},
            )
        _check_daily_transfer_cap(source, minutes)
        transfer = ledger.post(
            kind=TransferKind.FAMILY,
            debit=source,
            credit=to_account,
            minutes=minutes,
            actor=actor,
            memo=memo,
            area=to_account.area,
        )
        _audit(action="timebank.transfer", actor=actor, transfer=transfer)
    recipient = to_account.owner
    assert recipient is not None  # a resident's account has its owner
    transaction.on_commit(
        lambda: message_send(
            person=recipient,
            kind="timebank.received",
            title=gettext("You received %(amount)s 时间币 from family") % {"amount": format_credits(minutes)},
            link="/me/timebank/",
        )
    )
    return transfer


def timebank_donate(
    *, actor: User, minutes: int, pool_area: Area | None = None, elder_phone: str = "", memo: str = ""
) -> Transfer:
    """A donation to a community's pool (any community of the city) or to a named elderly person (by phone)."""
    with transaction.atomic():
        ledger.lock()
        source = account_open(user=actor)
        if elder_phone:
            elder = _user_by_phone(elder_phone)
            resident = _resident_of(elder)
            if (
                elder is None
                or resident is None
                or age_on(resident.birth_date, timezone.localdate()) < ELDERLY_AGE
            ):
                raise ShequError(
                    gettext("No elderly resident (60 or older) with this phone number uses the platform."),
                    fields={"elder_phone": "not found"},
                )
            if elder.pk == actor.pk:
                raise ShequError(
                    gettext("You cannot transfer credits to yourself."), fields={"to": "yourself"}
                )
            target = account_open(user=elder)
        elif pool_area is not None:
            if pool_area.level != AreaLevel.COMMUNITY:
                raise ShequError(gettext("Choose a community."), fields={"pool": "not a community"})
            target = pool_account(area=pool_area)
        else:
            raise ShequError(
                gettext("Choose a community pool or an elderly person."), fields={"to": "required"}
            )
        _check_daily_transfer_cap(source, minutes)
        transfer = ledger.post(
            kind=TransferKind.DONATION,
            debit=source,
            credit=target,
            minutes=minutes,
            actor=actor,
            memo=memo,
            area=target.area,
        )
        _audit(action="timebank.donate", actor=actor, transfer=transfer)
    return transfer


def is_key_elderly(resident: Resident) -> bool:
    age = age_on(resident.birth_date, timezone.localdate())
    if age < ELDERLY_AGE:
        return False
    # tags.all(): the prefetched tags when the caller read a list (the issue page), one query otherwise.
    return age >= 80 or any(tag.code in KEY_ELDERLY_TAGS for tag in resident.tags.all())


def timebank_issue(*, actor: User, resident: Resident, minutes: int, reason: str) -> Transfer:
    """Credits issued by the government to a key elderly resident (南京: 政府为重点老人发放), from the government's
    issuing account, by staff with timebank.issue over the resident's area, with a stated reason, audited."""
    if not can_at(actor, Action.TIMEBANK_ISSUE, resident.area.path):
        raise NotFound(gettext("Not found."))
    reason = (reason or "").strip()
    if not reason:
        raise ShequError(gettext("Give the reason for issuing credits."), fields={"reason": "required"})
    if not is_key_elderly(resident):
        raise ShequError(
            gettext(
                "Credits are issued only to key elderly residents (60 or older, living alone, 80 or older …)."
            ),
            fields={"resident": "not key elderly"},
        )
    if resident.user is None:
        raise ShequError(
            gettext("This resident has no account on the platform yet: register the resident first."),
            fields={"resident": "no account"},
        )
    with transaction.atomic():
        ledger.lock()
        target = account_open(user=resident.user)
        transfer = ledger.post(
            kind=TransferKind.ISSUE,
            debit=system_account(AccountKind.GOVERNMENT),
            credit=target,
            minutes=minutes,
            actor=actor,
            memo=reason,
            area=target.area,
        )
        _audit(action="timebank.issue", actor=actor, transfer=transfer, purpose=reason)
    return transfer


# --- help requests ---------------------------------------------------------------------------------------------


def help_request_create(
    *, actor: User, kind: str, description: str, minutes: int, wanted_at: datetime | None = None
) -> HelpRequest:
    """A resident asks for help and offers credits; they are held when a helper accepts."""
    description = (description or "").strip()
    if not description:
        raise ShequError(gettext("Say what help you need."), fields={"description": "required"})
    if kind not in HelpKind.values:
        raise ShequError(gettext("Choose the kind of help."), fields={"kind": "unknown"})
    if minutes < 1:
        raise ShequError(gettext("The amount must be at least one minute."), fields={"amount": "too small"})
    with transaction.atomic():
        account = account_open(user=actor)
        if account.balance < minutes:
            raise ledger.InsufficientCredits(
                gettext("Not enough credits: the balance is %(balance)s 时间币.")
                % {"balance": format_credits(account.balance)},
                fields={"amount": "beyond the balance"},
            )
        area = account.area or home_community(actor) or Area.objects.get(level=AreaLevel.CITY)
        request = HelpRequest.objects.create(
            requester=actor,
            kind=kind,
            description=description[:300],
            minutes=minutes,
            wanted_at=wanted_at,
            area=area,
        )
        _audit(
            action="timebank.help_create",
            actor=actor,
            obj=request,
            changes={"kind": {"after": kind}, "minutes": {"after": minutes}, "area": {"after": area.code}},
        )
        transaction.on_commit(lambda: help_request_notify_matched(request=request))
    return request


MATCHED_TOLD = 5


def help_request_notify_matched(*, request: HelpRequest) -> int:
    """The volunteers matched to a new help request (skill, service area, availability; the best few) are told
    through the message centre, with a text message if they want them. The message names the kind of help and the
    community, never the requester. Answers how many were told."""
    told = 0
    kind = HelpKind(request.kind).label
    for person in volunteers_for(request, limit=MATCHED_TOLD):
        message_send(
            person=person,
            kind="timebank.help_matched",
            title=gettext("Someone in %(area)s asks for help: %(kind)s")
            % {"area": request.area.name, "kind": kind},
            body=request.description,
            link="/timebank/help/",
            sms_body=gettext("[Shequ] Someone in %(area)s asks for help (%(kind)s); see it in the time bank.")
            % {"area": request.area.name, "kind": kind},
        )
        told += 1
    return told


def _transition(actor: User, request: HelpRequest, action: str) -> HelpRequest:
    """Lock the request, check the workflow's table, answer the locked row (refusals write nothing)."""
    locked = HelpRequest.objects.select_for_update().get(pk=request.pk)
    if workflow.role_in(locked, actor) == workflow.OTHER and locked.status != HelpStatus.OPEN:
        raise NotFound(gettext("Not found."))  # someone else's request, no longer open: not his to see
    if not workflow.allowed(locked, actor, action):
        raise ShequError(
            gettext("This help request cannot be changed that way now."), code="conflict", status=409
        )
    return locked


def _help_ref(request: HelpRequest) -> str:
    return f"{request.pk}.{request.accept_count}"


def help_request_act(*, actor: User, request: HelpRequest, action: str) -> HelpRequest:
    """Take a workflow action on a help request: accept (credits held in escrow), withdraw (returned), complete
    (paid to the helper), cancel (returned if held)."""
    now = timezone.now()
    with transaction.atomic():
        ledger.lock()
        locked = _transition(actor, request, action)
        escrow = system_account(AccountKind.ESCROW)
        before = locked.status
        transfer = None
        if action == "accept":
            locked.accept_count += 1
            transfer = ledger.post(
                kind=TransferKind.HOLD,
                debit=account_open(user=locked.requester),
                credit=escrow,
                minutes=locked.minutes,
                actor=actor,
                ref_type=HELP_REF,
                ref_id=_help_ref(locked),
                area=locked.area,
            )
            account_open(user=actor)  # the helper is paid into it later
            locked.helper = actor
            locked.accepted_at = now
            if locked.response_seconds is None:
                locked.response_seconds = int((now - locked.created_at).total_seconds())
        elif action in ("withdraw", "cancel") and before == HelpStatus.ACCEPTED:
            transfer = ledger.post(
                kind=TransferKind.RETURN,
                debit=escrow,
                credit=account_open(user=locked.requester),
                minutes=locked.minutes,
                actor=actor,
                ref_type=HELP_REF,
                ref_id=_help_ref(locked),
                area=locked.area,
            )
            if action == "withdraw":
                locked.helper = None
                locked.accepted_at = None
        elif action == "complete":
            assert locked.helper is not None  # accepted: the workflow guarantees a helper
            transfer = ledger.post(
                kind=TransferKind.RELEASE,
                debit=escrow,
                credit=account_open(user=locked.helper),
                minutes=locked.minutes,
                actor=actor,
                ref_type=HELP_REF,
                ref_id=_help_ref(locked),
                area=locked.area,
            )
            locked.completed_at = now
        if action == "cancel":
            locked.cancelled_at = now
        locked.status = workflow.TRANSITIONS[action].target
        locked.save()
        _audit(
            action=f"timebank.help_{action}",
            actor=actor,
            obj=locked,
            changes={
                "status": {"before": before, "after": locked.status},
                **({"transfer": {"after": transfer.pk}} if transfer else {}),
            },
        )
        _notify_help(locked, action)
    return locked


def _notify_help(request: HelpRequest, action: str) -> None:
    link = f"/me/timebank/help/{request.pk}/"
    if action in ("accept", "withdraw"):
        person = request.requester
        title = (
            gettext("A helper accepted your help request")
            if action == "accept"
            else gettext("Your helper cannot come: the request is open again")
        )
    elif action == "complete" and request.helper is not None:
        person = request.helper
        title = gettext("You were paid %(amount)s 时间币 for your help") % {
            "amount": format_credits(request.minutes)
        }
    elif action == "cancel" and request.helper is not None:
        person, title = request.helper, gettext("A help request you accepted was cancelled")
    else:
        return
    transaction.on_commit(
        lambda: message_send(person=person, kind=f"timebank.help_{action}", title=title, link=link)
    )


# --- the love supermarket --------------------------------------------------------------------------------------


def store_open(*, actor: User | None, name: str, area: Area, synthetic: bool = False) -> Store:
    if actor is not None and not can_at(actor, Action.TIMEBANK_MANAGE, area.path):
        raise NotFound(gettext("Not found."))
    with transaction.atomic():
        account = Account.objects.create(
            kind=AccountKind.STORE, name=name[:100], area=area, synthetic=synthetic
        )
        store = Store.objects.create(name=name[:100], area=area, account=account, synthetic=synthetic)
        _audit(action="timebank.store_open", actor=actor, obj=store, changes={"area": {"after": area.code}})
    return store


def goods_add(*, actor: User | None, store: Store, name: str, price: int, stock: int) -> Goods:
    if actor is not None and not can_at(actor, Action.TIMEBANK_MANAGE, store.area.path):
        raise NotFound(gettext("Not found."))
    if price < 1 or stock < 0:
        raise ShequError(gettext("The price must be positive and the stock not negative."))
    with transaction.atomic():
        goods = Goods.objects.create(store=store, name=name[:100], price=price, stock=stock)
        _audit(
            action="timebank.goods_add",
            actor=actor,
            obj=goods,
            changes={"price": {"after": price}, "stock": {"after": stock}},
        )
    return goods


def goods_restock(*, actor: User, goods: Goods, quantity: int) -> Goods:
    if not can_at(actor, Action.TIMEBANK_MANAGE, goods.store.area.path):
        raise NotFound(gettext("Not found."))
    if quantity < 1:
        raise ShequError(gettext("Add at least one."), fields={"quantity": "too small"})
    with transaction.atomic():
        Goods.objects.filter(pk=goods.pk).update(stock=F("stock") + quantity)
        goods.refresh_from_db()
        _audit(
            action="timebank.goods_restock", actor=actor, obj=goods, changes={"stock": {"after": goods.stock}}
        )
    return goods


def goods_redeem(*, actor: User, goods: Goods, quantity: int = 1) -> Redemption:
    """Take goods for points: the stock is taken by a conditional UPDATE (never below zero, whatever the
    concurrency) and the points paid in the same transaction; sold out or too few credits writes nothing."""
    if quantity < 1:
        raise ShequError(gettext("Take at least one."), fields={"quantity": "too small"})
    with transaction.atomic():
        ledger.lock()
        taken = Goods.objects.filter(pk=goods.pk, is_active=True, stock__gte=quantity).update(
            stock=F("stock") - quantity
        )
        if not taken:
            raise ShequError(gettext("Sold out: not enough left in stock."), code="sold_out", status=409)
        goods = Goods.objects.select_related("store__account").get(pk=goods.pk)
        transfer = ledger.post(
            kind=TransferKind.REDEEM,
            debit=account_open(user=actor),
            credit=goods.store.account,
            minutes=goods.price * quantity,
            actor=actor,
            memo=f"{goods.name} × {quantity}",
            area=goods.store.area,
        )
        redemption = Redemption.objects.create(
            goods=goods, person=actor, quantity=quantity, transfer=transfer
        )
        _audit(
            action="timebank.redeem", actor=actor, transfer=transfer, changes={"goods": {"after": goods.pk}}
        )
    return redemption


# --- expiry and inheritance (switches, off by default) -------------------------------------------------------


def timebank_expire(*, now: datetime | None = None) -> int:
    """Where the rule's expiry switch is on: credits not spent within `expiry_days` of being received go back to
    the issuing account. Spending takes the oldest credits first, so what is older than the window is the balance
    beyond what came in within it. Answers how many accounts lost credits."""
    now = now or timezone.now()
    touched = 0
    rules: dict[int | None, Rule] = {}  # per home community: one rule query per community, not per account
    for account in Account.objects.filter(
        kind=AccountKind.RESIDENT, balance__gt=0, is_active=True
    ).select_related("area"):
        if account.area_id not in rules:
            rules[account.area_id] = rule_for(account.area)
        rule = rules[account.area_id]
        if not rule.expiry_enabled:
            continue
        since = now - timedelta(days=rule.expiry_days)
        with transaction.atomic():
            ledger.lock()
            account.refresh_from_db()
            recent = (
                account.movements.filter(amount__gt=0, at__gte=since).aggregate(s=Sum("amount"))["s"] or 0
            )
            old = account.balance - recent
            if old <= 0:
                continue
            transfer = ledger.post(
                kind=TransferKind.EXPIRE,
                debit=account,
                credit=system_account(AccountKind.ISSUER),
                minutes=old,
                at=now,
            )
            _audit(action="timebank.expire", actor=None, transfer=transfer)
            touched += 1
    return touched


def timebank_inherit(*, actor: User, from_user: User, to_user: User, reason: str) -> Transfer:
    """Where the rule's inheritance switch is on: the whole balance of a resident who died goes to a family member,
    and the account is closed; by staff with timebank.manage over the account's area, audited with the reason."""
    with transaction.atomic():
        ledger.lock()
        source = Account.objects.filter(kind=AccountKind.RESIDENT, owner=from_user).first()
        if (
            source is None
            or source.area is None
            or not can_at(actor, Action.TIMEBANK_MANAGE, source.area.path)
        ):
            raise NotFound(gettext("Not found."))
        if not rule_for(source.area).inheritance_enabled:
            raise ShequError(
                gettext("Inheritance of credits is switched off here."), code="switched_off", status=409
            )
        if not (reason or "").strip():
            raise ShequError(gettext("Give the reason."), fields={"reason": "required"})
        if not is_family(from_user, to_user):
            raise ShequError(
                gettext("Credits are inherited only by a family member."), fields={"to": "not family"}
            )
        source.refresh_from_db()
        if source.balance < 1:
            raise ShequError(gettext("There is nothing to inherit."), code="empty", status=409)
        transfer = ledger.post(
            kind=TransferKind.INHERIT,
            debit=source,
            credit=account_open(user=to_user),
            minutes=source.balance,
            actor=actor,
            memo=reason,
        )
        Account.objects.filter(pk=source.pk).update(is_active=False)
        _audit(action="timebank.inherit", actor=actor, transfer=transfer, purpose=reason)
    return transfer


# --- the console: goods of the 爱心超市 and the rules (issue 24) -------------------------------------------------


def goods_update(*, actor: User, goods: Goods, name: str, price: int, is_active: bool) -> Goods:
    """A store keeper changes a good's name, price (minutes) or takes it off the shelf; audited before/after."""
    if not can_at(actor, Action.TIMEBANK_MANAGE, goods.store.area.path):
        raise NotFound(gettext("Not found."))
    name = name.strip()
    if not name:
        raise ShequError(gettext("Give the name of the goods."), fields={"name": "empty"})
    if price < 1:
        raise ShequError(
            gettext("The price must be positive and the stock not negative."), fields={"price": "low"}
        )
    with transaction.atomic():
        goods = Goods.objects.select_for_update().get(pk=goods.pk)
        after = {"name": name[:100], "price": price, "is_active": is_active}
        changes = {
            k: {"before": getattr(goods, k), "after": v} for k, v in after.items() if getattr(goods, k) != v
        }
        for k, v in after.items():
            setattr(goods, k, v)
        goods.save(update_fields=list(after))
        if changes:
            _audit(action="timebank.goods_update", actor=actor, obj=goods, changes=changes)
    return goods


RULE_FIELDS = (
    "name",
    "rate",
    "daily_earn_cap",
    "lifetime_earn_cap",
    "daily_transfer_cap",
    "expiry_enabled",
    "expiry_days",
    "inheritance_enabled",
)


def _city_root() -> Area | None:
    return Area.objects.filter(parent__isnull=True).order_by("path").first()


def rule_may_edit(actor: User, area: Area | None) -> bool:
    """An area's rule: timebank.manage over that area. The city's default (no area): over the whole city."""
    if area is None:
        root = _city_root()
        return root is not None and can_at(actor, Action.TIMEBANK_MANAGE, root.path)
    return can_at(actor, Action.TIMEBANK_MANAGE, area.path)


def rule_save(*, actor: User, area: Area | None, **fields: Any) -> TimebankRule:
    """Set the rules of an area (or the city's default): the rate, the caps, the expiry and inheritance switches.
    Creates the area's own rule on first save; every changed field is audited before/after."""
    if not rule_may_edit(actor, area):
        raise NotFound(gettext("Not found."))
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"not rule fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    name = str(fields.get("name", "")).strip()
    if not name:
        errors["name"] = gettext("Give the rule a name.")
    rate = fields.get("rate")
    if not isinstance(rate, Decimal) or not (Decimal("0.01") <= rate <= Decimal("100")):
        errors["rate"] = gettext("The rate is between 0.01 and 100 时间币 an hour.")
    for cap in ("daily_earn_cap", "lifetime_earn_cap", "daily_transfer_cap"):
        value = fields.get(cap)
        if value is not None and value < 1:
            errors[cap] = gettext("A cap is at least one minute; leave it empty for no cap.")
    if not 1 <= int(fields.get("expiry_days") or 0) <= 36500:
        errors["expiry_days"] = gettext("Credits expire after 1 to 36,500 days.")
    if errors:
        raise ShequError(next(iter(errors.values())), fields=errors)
    fields["name"] = name[:60]
    with transaction.atomic():
        rule = (
            TimebankRule.objects.select_for_update().filter(area=area).first()
            if area is not None
            else TimebankRule.objects.select_for_update().filter(area__isnull=True).first()
        )
        created = rule is None
        if rule is None:
            rule = TimebankRule(area=area)
        changes = {}
        for k in RULE_FIELDS:
            before = None if created else getattr(rule, k)
            if created or before != fields[k]:
                changes[k] = {"before": None if before is None else str(before), "after": str(fields[k])}
            setattr(rule, k, fields[k])
        rule.save()
        if changes:
            _audit(
                action="timebank.rule_create" if created else "timebank.rule_update",
                actor=actor,
                obj=rule,
                changes=changes,
            )
    return rule
