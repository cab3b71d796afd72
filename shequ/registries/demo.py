"""Synthetic registry entries for the demo, in every district: the five sub-committees in most communities (so
the indicator shows gaps), legal literates and advisers, social organisations with activities, foundations and
donation points, community schools and green-community status. Flagged synthetic, source "seed_demo"; natural
keys make a re-run create nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta

from shequ.geo.models import Area

from .choices import KINDS, Register
from .models import Activity, Entry

SOURCE = "seed_demo"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高".split()
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华".split()
ORG_NAMES = ["邻里互助会", "长者合唱团", "亲子读书会", "义剪服务队", "太极拳协会", "环保志愿队", "调解工作室"]
ACTIVITIES = ["邻里节", "义诊义剪", "亲子阅读会", "垃圾分类宣传", "重阳敬老活动", "法律咨询日"]


def seed_registries(*, seed: int = 1, streets) -> int:
    """Entries for the communities of the given streets (bulk: the seed must stay fast)."""
    rng = random.Random(seed * 65537 + 29)  # noqa: S311 - reproducible demo data, not security
    communities = list(Area.objects.filter(level="community", parent__in=list(streets)).order_by("code"))
    existing_rows = list(Entry.objects.values_list("register", "community_id", "kind", "name"))
    rows: list[Entry] = []
    activities: list[tuple[tuple, list[tuple[date, str, int]]]] = []
    today = date.today()

    def person() -> str:
        return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")

    def natural_key(register: str, community_pk: int, kind: str, name: str) -> tuple:
        # As the database's unique constraints say (models.Entry.Meta).
        if register == Register.COMMITTEE:
            return (register, community_pk, kind)
        if register == Register.GREEN:
            return (register, community_pk)
        return (register, community_pk, name)

    existing = {natural_key(*row) for row in existing_rows}

    def add(register: str, community: Area, kind: str, name: str, **kw) -> bool:
        since = today - timedelta(days=rng.randint(60, 2500))  # drawn first: a re-run walks the same sequence
        key = natural_key(register, community.pk, kind, name)
        if key in existing:
            return False
        existing.add(key)
        rows.append(
            Entry(
                register=register,
                community=community,
                kind=kind,
                name=name,
                since=since,
                synthetic=True,
                source=SOURCE,
                **kw,
            )
        )
        return True

    for c in communities:
        complete = rng.random() < 0.85
        for i, (kind, label) in enumerate(KINDS[Register.COMMITTEE]):
            if complete or i < 3:
                add(
                    Register.COMMITTEE,
                    c,
                    kind,
                    label,
                    contact=f"主任委员 {person()}",
                    members=rng.randint(3, 9),
                )
        if rng.random() < 0.9:
            add(Register.LEGAL, c, "literate", person(), contact=f"{c.name}居委会")
        if rng.random() < 0.8:
            add(
                Register.LEGAL,
                c,
                "adviser",
                person(),
                contact=f"{rng.choice(['广和', '华商', '金杜', '卓建'])}律师事务所",
            )
        for n in range(rng.randint(0, 3)):
            name = f"{c.name}{ORG_NAMES[(n + rng.randint(0, 6)) % len(ORG_NAMES)]}"
            kind = rng.choice(KINDS[Register.SOCIAL_ORG])[0]
            made = add(
                Register.SOCIAL_ORG,
                c,
                kind,
                name,
                reference=f"备{c.code[-6:]}{n + 1:02d}",
                members=rng.randint(8, 60),
            )
            # Drawn whether or not the organisation is new, so that a re-run walks the same random sequence.
            held = [
                (today - timedelta(days=rng.randint(1, 300)), rng.choice(ACTIVITIES), rng.randint(10, 120))
                for _ in range(rng.randint(0, 3))
            ]
            if made:
                activities.append(((Register.SOCIAL_ORG, c.pk, kind, name), held))
        if rng.random() < 0.3:
            add(Register.CHARITY, c, "foundation", f"{c.name}社区基金")
        if rng.random() < 0.6:
            add(Register.CHARITY, c, "donation_point", f"{c.name}爱心捐赠点", contact=f"{c.name}党群服务中心")
        if rng.random() < 0.5:
            add(Register.SCHOOL, c, "school", f"{c.name}社区学校", members=rng.randint(40, 400))
        roll = rng.random()
        if roll < 0.75:
            add(Register.GREEN, c, "certified" if roll < 0.6 else "creating", f"{c.name}绿色社区")
    Entry.objects.bulk_create(rows, batch_size=1000)
    if activities:
        keys = {k for k, _ in activities}
        pks = {
            (e.register, e.community_id, e.kind, e.name): e.pk
            for e in Entry.objects.filter(
                register=Register.SOCIAL_ORG, source=SOURCE, community__in=communities
            )
        }
        Activity.objects.bulk_create(
            [
                Activity(entry_id=pks[k], held_on=d, title=t, participants=p)
                for k, items in activities
                if k in keys and k in pks
                for d, t, p in items
            ],
            batch_size=1000,
        )
    return len(rows)
