"""Credit subjects in 粤海街道 (the street officer 王强's), made through the real services."""

from __future__ import annotations

from datetime import date

from shequ.access.services import grant_bootstrap
from shequ.accounts.models import User
from shequ.accounts.roles import Role
from shequ.geo.models import Area
from shequ.owners.tests.factories import make_estate

from ..services import estate_service_add, subject_create


def yuehai() -> Area:
    return Area.objects.get(level="street", name="粤海街道")


def huafu_officer() -> User:
    """A street officer of 华富街道: credit.manage, but not in 粤海."""
    user = User.objects.create(username="huafu_officer", display_name="华富街道干部")
    grant_bootstrap(
        user=user,
        role=Role.STREET_OFFICER,
        area=Area.objects.get(level="street", name="华富街道"),
        reason="test",
    )
    return user


def property_company(actor, year: int):
    estate = make_estate(street="粤海街道")
    company = subject_create(
        actor=actor, kind="property_company", name="深圳市安居物业服务有限公司", area=yuehai()
    )
    manager = subject_create(
        actor=actor, kind="project_manager", name="刘经理", area=yuehai(), company=company
    )
    estate_service_add(actor=actor, subject=company, estate=estate, since=date(year - 2, 1, 1))
    estate_service_add(actor=actor, subject=manager, estate=estate, since=date(year, 3, 1))
    return estate, company, manager
