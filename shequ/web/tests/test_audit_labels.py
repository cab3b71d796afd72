"""The audit admin reads the trail in words, not codes (issue 21)."""

import pytest

from shequ.access.services import grant_create
from shequ.access.testing import sign_in
from shequ.accounts.roles import Role
from shequ.audit.labels import ACTION_LABELS
from shequ.audit.services import audit_record
from shequ.geo.models import Area

pytestmark = pytest.mark.django_db


def test_actions_roles_and_channels_are_shown_in_chinese(client, cast):
    grant_create(
        actor=cast["zhouyu"],
        user=cast["lina"],
        role=Role.STREET_OFFICER,
        area=Area.objects.get(code="440304"),
    )
    audit_record(action="auth.login", actor=cast["liuyang"], actor_role="department_handler", channel="task")
    sign_in(client, cast["zhaomin"])
    page = client.get("/console/audit/").content.decode()
    assert "申请角色" in page and "登录" in page
    assert "区职能部门承办人" in page
    assert "后台任务" in page
    assert "<td>task</td>" not in page and ">department_handler<" not in page


def test_every_label_has_a_chinese_translation():
    from django.utils import translation

    with translation.override("zh-hans"):
        english = [code for code, label in ACTION_LABELS.items() if str(label).isascii()]
    assert english == []


def test_a_grant_names_its_area_not_its_code(client, cast):
    """Issue 21: the audit page showed "@ 440304009" for a grant; the audit admin reads the area's name."""
    huafu = Area.objects.get(parent__code="440304", name="华富街道")
    grant_create(actor=cast["zhouyu"], user=cast["lina"], role=Role.GRID_WORKER, area=huafu)
    sign_in(client, cast["zhaomin"])
    page = client.get("/console/audit/").content.decode()
    assert "lina 网格员 @ 华富街道" in page
    assert f"@ {huafu.code}" not in page
