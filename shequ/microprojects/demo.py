"""Synthetic demo data for 民生微实事 (flagged synthetic): in 华富街道 and 粤海街道 (the cast's streets, two districts)
last year's round finished and disclosed (proposals from the community's needs where there are some, ballots online
and a paper batch, the meeting's minutes, contractors, spending, acceptance), and this year's round open for voting.
Made through the services, so ballots are chained like real ones. Idempotent: a street with a synthetic round is
left as it is."""

from __future__ import annotations

import io
import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from PIL import Image

from shequ.accounts.models import User
from shequ.audit.context import audit_context
from shequ.geo.models import Area
from shequ.residents.models import Resident

from . import services
from .choices import PHASE_ORDER, Phase
from .models import Proposal, Round

STREETS = ("华富街道", "粤海街道")
PAPER = 30  # paper ballots per finished round
IDEAS = [
    ("长者休闲座椅与遮阳棚", "社区公园缺少座椅，老人散步后无处休息。", 38_000),
    ("楼道感应灯更换", "老旧楼道灯损坏，夜间出行不便。", 26_000),
    ("儿童游乐设施翻新", "游乐设施老化，存在安全隐患。", 85_000),
    ("社区长者饭堂助餐设备", "为长者饭堂添置保温餐车与消毒柜。", 52_000),
    ("垃圾分类投放点改造", "投放点无雨棚，气味大，需加装洗手池。", 64_000),
    ("篮球场地面重铺", "场地开裂，青少年运动易受伤。", 120_000),
]


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _png(rng: random.Random) -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), (rng.randint(60, 200), rng.randint(120, 200), rng.randint(60, 160))).save(
        buf, "PNG"
    )
    buf.seek(0)
    buf.name = "acceptance.png"
    return buf


def _needs(area: Area) -> list:
    need_model = Proposal._meta.get_field("need").related_model
    assert isinstance(need_model, type)
    return list(
        need_model._default_manager.filter(area__path__startswith=area.path).order_by("pk")[: len(IDEAS)]
    )


def _staff(street: Area) -> User | None:
    for username in ("lina", "wangqiang", "chenjing"):
        user = User.objects.filter(username=username).first()
        if user is not None and services.can_at(user, "microprojects.manage", street.path):
            return user
    return None


def _voters(street: Area) -> list[User]:
    residents = Resident.objects.filter(
        area__path__startswith=street.path, user__isnull=False
    ).select_related("user")
    return [r.user for r in residents.order_by("pk")[:120] if r.user is not None]


def _proposer(voters: list[User]) -> User | None:
    return voters[0] if voters else None


def _plan(days: list[date]) -> list[tuple[str, date, date]]:
    return [
        (p, days[i], days[i + 1] - timedelta(days=1 if i + 1 < len(days) - 1 else 0))
        for i, p in enumerate(PHASE_ORDER)
    ]


def seed_microprojects(*, seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    counts = {"rounds": 0, "ballots": 0, "projects": 0}
    today = timezone.localdate()
    with audit_context(channel="command"):
        for street in Area.objects.filter(level="street", name__in=STREETS).order_by("code"):
            if Round.objects.filter(area=street, synthetic=True).exists():
                continue
            staff, voters = _staff(street), _voters(street)
            proposer = _proposer(voters)
            if staff is None or proposer is None:
                continue
            counts["rounds"] += 2
            second = User.objects.filter(username="chenjing").first()
            clerks = [staff, second] if second is not None and second != staff else [staff]
            counts["ballots"] += _finished_round(rng, street, staff, voters, today.year - 1, counts, clerks)
            counts["ballots"] += _open_round(rng, street, staff, voters, today)
    return counts


def _proposals(rnd: Round, proposer: User, needs: list, when: datetime) -> list[Proposal]:
    out = []
    for i, (title, text, _price) in enumerate(IDEAS):
        need = needs[i] if i < len(needs) and needs[i].area.path.startswith(rnd.area.path) else None
        out.append(
            services.proposal_submit(
                user=proposer, rnd=rnd, title=title, description=text, need=need, synthetic=True
            )
        )
        Proposal.objects.filter(pk=out[-1].pk).update(created_at=when)
    return out


def _review(rnd: Round, staff: User, proposals: list[Proposal]) -> list[Proposal]:
    feasible = []
    for p, (_t, _d, price) in zip(proposals, IDEAS, strict=True):
        if price > 100_000:
            services.proposal_review(
                actor=staff, proposal=p, feasible=False, reason="超出单个微实事项目金额上限（10万元）"
            )
        else:
            services.proposal_review(
                actor=staff, proposal=p, feasible=True, price=price, feasibility="场地与产权已核实"
            )
            feasible.append(p)
    return feasible


def _vote(rng, rnd: Round, voters: list[User], feasible: list[Proposal], when: datetime, clerks) -> int:
    """Online ballots from the residents with an account, and a paper batch from neighbours without one, each sheet
    entered twice by two members of staff, as the console does."""
    n = 0
    weights = [5, 4, 3, 2, 1][: len(feasible)]

    def pick() -> set[int]:
        return {p.pk for p in rng.choices(feasible, weights=weights, k=rng.randint(1, rnd.max_approvals))}

    for user in voters:
        try:
            services.ballot_cast_online(user=user, rnd=rnd, choices=pick(), now=when)
            n += 1
        except services.ShequError:
            continue  # a household already voted, or a resident outside the area
    paper = Resident.objects.filter(area__path__startswith=rnd.area.path, user__isnull=True).order_by("pk")
    paper = paper[:PAPER] if len(clerks) == 2 else paper.none()  # a sheet needs two different clerks
    for i, resident in enumerate(paper):
        choices, sheet = pick(), {"batch": "第1批", "sheet": f"{i + 1:03d}", "id_number": resident.id_number}
        try:
            for clerk in clerks:
                services.paper_entry_submit(actor=clerk, rnd=rnd, choices=choices, now=when, **sheet)
            n += 1
        except services.ShequError:
            continue
    return n


def _finished_round(
    rng, street: Area, staff: User, voters: list[User], year: int, counts: dict, clerks
) -> int:
    days = [date(year, m, 1) for m in (1, 4, 5, 6, 7, 11, 12)] + [date(year, 12, 31)]
    rnd = services.round_create(
        actor=staff,
        area=street,
        year=year,
        title=f"{street.name}{year}年民生微实事",
        budget=150_000,
        ballot_kind="approval",
        max_approvals=3,
        method="equal_shares",
        eligibility="resident",
        phases=_plan(days),
        synthetic=True,
    )
    proposals = _proposals(rnd, voters[0], _needs(street), _moment(date(year, 2, 10)))
    services.round_advance(actor=staff, rnd=rnd)
    feasible = _review(rnd, staff, proposals)
    services.round_advance(actor=staff, rnd=rnd)
    ballots = _vote(rng, rnd, voters, feasible, _moment(date(year, 5, 12)), clerks)
    rnd = services.round_advance(actor=staff, rnd=rnd)
    projects = services.round_approve(
        actor=staff,
        rnd=rnd,
        meeting_date=date(year, 6, 12),
        minutes=f"{street.name}党工委会议审议{year}年民生微实事投票结果，同意按投票结果实施，资金从街道民生微实事专项列支。",
    )
    services.round_advance(actor=staff, rnd=rnd)
    for i, project in enumerate(projects):
        services.project_update(
            actor=staff, project=project, contractor=f"深圳市{'安居宜民'[i % 4]}建设工程有限公司"
        )
        services.milestone_add(
            actor=staff, project=project, title="施工进场", progress=30, on=date(year, 7, 20)
        )
        services.milestone_add(
            actor=staff, project=project, title="主体完工", progress=90, on=date(year, 9, 15)
        )
        services.spending_record(
            actor=staff, project=project, amount=project.budget // 2, purpose="首期款", on=date(year, 7, 25)
        )
        services.spending_record(
            actor=staff,
            project=project,
            amount=project.budget * 2 // 5,
            purpose="进度款",
            on=date(year, 9, 20),
        )
    services.round_advance(actor=staff, rnd=rnd)
    for project in projects:
        services.acceptance_record(
            actor=staff,
            project=project,
            representatives="居民代表 王芳、李明、陈秀英",
            rating=rng.randint(4, 5),
            accepted=True,
            opinion="按方案完成，质量良好，居民满意。",
            on=date(year, 11, 18),
            photos=[_png(rng)],
        )
    services.round_advance(actor=staff, rnd=rnd)
    counts["projects"] += len(projects)
    return ballots


def _open_round(rng, street: Area, staff: User, voters: list[User], today: date) -> int:
    start = date(today.year, 1, 1)
    vote_from = max(start + timedelta(days=2), today - timedelta(days=3))
    days = [start, vote_from - timedelta(days=1), vote_from, today + timedelta(days=20)]
    days += [days[-1] + timedelta(days=30 * i) for i in (1, 2, 3, 4)]
    plan = [
        (Phase.COLLECT, days[0], days[0]),
        (Phase.REVIEW, days[1], days[1]),
        (Phase.VOTE, days[2], days[3]),
        (Phase.APPROVE, days[4], days[4] + timedelta(days=10)),
        (Phase.IMPLEMENT, days[5], days[6] - timedelta(days=1)),
        (Phase.ACCEPT, days[6], days[6] + timedelta(days=10)),
        (Phase.DISCLOSE, days[7], days[7] + timedelta(days=20)),
    ]
    rnd = services.round_create(
        actor=staff,
        area=street,
        year=today.year,
        title=f"{street.name}{today.year}年民生微实事",
        budget=200_000,
        ballot_kind="knapsack",
        method="greedy",
        eligibility="household",
        phases=[(str(p), s, e) for p, s, e in plan],
        synthetic=True,
    )
    proposals = _proposals(rnd, voters[0], _needs(street), _moment(start))
    services.round_advance(actor=staff, rnd=rnd)
    feasible = _review(rnd, staff, proposals)
    services.round_advance(actor=staff, rnd=rnd)
    # Some of the street's residents have voted already; the cast's 张伟 has not (his vote is the demo's to cast).
    others = [u for u in voters if u.username != "zhangwei"][: max(1, len(voters) // 3)]
    n = 0
    for user in others:
        chosen, total = set(), 0
        for p in rng.sample(feasible, len(feasible)):
            if total + (p.price or 0) <= rnd.budget and rng.random() < 0.6:
                chosen.add(p.pk)
                total += p.price or 0
        if not chosen:
            chosen = {feasible[0].pk}
        try:
            services.ballot_cast_online(user=user, rnd=rnd, choices=chosen)
            n += 1
        except services.ShequError:
            continue
    return n
