"""The fixed cast of DESIGN.md §8, the same in tests and in the demo: users, their grants, units and TOTP secrets.

`ensure_cast()` is idempotent. It needs the Shenzhen city pack; it creates the few units it needs if the demo
seed has not (so tests can use the cast without the whole demo).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from django.db import transaction

from shequ.access.services import grant_bootstrap
from shequ.accounts.choices import UnitKind
from shequ.accounts.models import Unit, User
from shequ.accounts.roles import Role
from shequ.geo.models import Area

DEMO_PASSWORD = "Shequ-demo-2026!"  # noqa: S105 - a documented password for synthetic demo accounts only


@dataclass(frozen=True)
class Member:
    username: str
    name: str
    role: str
    district: str  # district code, or "" for city-wide
    street: str = ""  # street name inside the district
    unit_slug: str = ""  # district department slug (demo seed codes) for handlers
    phone: str = ""


CAST = [
    Member("zhangwei", "张伟", Role.RESIDENT, "440304", "华富街道", phone="13800000001"),
    Member("lina", "李娜", Role.COMMUNITY_WORKER, "440304", "华富街道", phone="13800000002"),
    Member("wangqiang", "王强", Role.STREET_OFFICER, "440305", "粤海街道", phone="13800000003"),
    Member("liuyang", "刘洋", Role.DEPARTMENT_HANDLER, "440304", unit_slug="CG", phone="13800000004"),
    Member("sunli", "孙丽", Role.DISPATCHER, "", phone="13800000005"),
    Member("chenjing", "陈静", Role.CITY_ADMIN, "", phone="13800000006"),
    Member("zhouyu", "周宇", Role.SYSTEM_ADMIN, "", phone="13800000007"),
    Member("wujun", "吴军", Role.SECURITY_ADMIN, "", phone="13800000008"),
    Member("zhaomin", "赵敏", Role.AUDIT_ADMIN, "", phone="13800000009"),
    Member("hejun", "何军", Role.GRID_WORKER, "440304", "华富街道", phone="13800000010"),
    Member("xuli", "徐丽", Role.SOCIAL_WORKER, "440304", "华富街道", phone="13800000011"),
]
CAST_BY_USERNAME = {m.username: m for m in CAST}


def demo_totp_secret(username: str) -> str:
    """A stable TOTP secret per demo account, so that `make demo` prints the same secrets every time."""
    digest = hashlib.sha256(f"shequ-demo-totp:{username}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


def member_area(member: Member) -> Area:
    root = Area.objects.get(level="city")
    if not member.district:
        return root
    district = Area.objects.get(code=member.district)
    if member.street:
        return Area.objects.get(parent=district, name=member.street)
    return district


def member_unit(member: Member, area: Area) -> Unit | None:
    if member.unit_slug:
        district = Area.objects.get(code=member.district)
        unit, _ = Unit.objects.get_or_create(
            code=f"{district.code}-{member.unit_slug}",
            defaults={
                "name": f"{district.name}城市管理和综合执法局",
                "kind": UnitKind.DISTRICT_DEPARTMENT,
                "area": district,
                "synthetic": True,
            },
        )
        return unit
    if member.role == Role.COMMUNITY_WORKER:
        # 李娜 works at the station of the first community of her street (the unit appeals are dispatched to).
        community = Area.objects.filter(parent=area, level="community").order_by("code").first()
        if community is None:
            return None
        office, _ = Unit.objects.get_or_create(
            code=f"{area.code}-JDB",
            defaults={
                "name": f"{area.name}办事处",
                "kind": UnitKind.STREET_OFFICE,
                "area": area,
                "synthetic": True,
            },
        )
        unit, _ = Unit.objects.get_or_create(
            code=f"{community.code}-GZZ",
            defaults={
                "name": f"{community.name}工作站",
                "kind": UnitKind.COMMUNITY_STATION,
                "area": community,
                "parent": office,
                "synthetic": True,
            },
        )
        return unit
    if member.role == Role.SOCIAL_WORKER:
        # 徐丽 works at her street's social-work station (社工站, 双百).
        unit, _ = Unit.objects.get_or_create(
            code=f"{area.code}-SGZ",
            defaults={
                "name": f"{area.name}社工站",
                "kind": UnitKind.SOCIAL_ORGANISATION,
                "area": area,
                "synthetic": True,
            },
        )
        return unit
    if member.role == Role.STREET_OFFICER:
        unit, _ = Unit.objects.get_or_create(
            code=f"{area.code}-JDB",
            defaults={
                "name": f"{area.name}办事处",
                "kind": UnitKind.STREET_OFFICE,
                "area": area,
                "synthetic": True,
            },
        )
        return unit
    return None


@transaction.atomic
def ensure_cast() -> dict[str, User]:
    users: dict[str, User] = {}
    for m in CAST:
        user = User.objects.filter(username=m.username).first()
        if user is None:
            user = User(username=m.username, display_name=m.name, phone=m.phone, synthetic=True)
            user.set_password(DEMO_PASSWORD)
            if m.role != Role.RESIDENT:
                user.totp_secret = demo_totp_secret(m.username)
            user.save()
        area = member_area(m)
        grant_bootstrap(
            user=user, role=m.role, area=area, unit=member_unit(m, area), reason="演示账号（合成数据）"
        )
        users[m.username] = user
    return users
