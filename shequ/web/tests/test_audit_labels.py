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
