"""/console/warnings/: the page's permission matrix, evidence on the page, decisions as plain POST forms."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.appeals.models import Appeal
from shequ.appeals.tests.fixtures import clock, world  # noqa: F401
from shequ.earlywarning import services
from shequ.earlywarning.choices import WarningKind
from shequ.earlywarning.models import EarlyWarning

from .helpers import DAY, appeal_on, at, flat_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def warning(clock, world):  # noqa: F811
    flat_history(clock, world, until=DAY, days=21)
    for j in range(7):
        appeal_on(clock, world, DAY, minute=j)
    clock.set(at(DAY + timedelta(days=1), 9))
    services.warnings_detect(day=DAY)
    return EarlyWarning.objects.get(kind=WarningKind.RISE)


class TestConsolePage(PermissionMatrixMixin):
    def test_the_list_page(self, client, warning, world, make_user):  # noqa: F811
        self.assert_permission_matrix(
            client, url="/console/warnings/", in_scope=world["lina"], no_role=make_user("nobody"), page=True
        )

    def test_a_decision(self, client, warning, world, make_user):  # noqa: F811
        self.assert_permission_matrix(
            client,
            url=f"/console/warnings/{warning.pk}/acknowledge/",
            method="post",
            multipart=True,
            in_scope=world["lina"],
            out_of_scope=world["wangqiang"],
            no_role=make_user("nobody"),
            ok=(302,),
            page=True,
        )


def test_the_page_shows_the_evidence_and_the_month_top(client, warning, world):  # noqa: F811
    sign_in(client, world["lina"])
    html = client.get("/console/warnings/").content.decode()
    assert warning.evidence["appeal_numbers"][0] in html
    assert world.huafu_community.name in html
    assert f"/console/warnings/{warning.pk}/task/" in html


def test_an_officer_elsewhere_sees_no_warning_of_huafu(client, warning, world):  # noqa: F811
    sign_in(client, world["wangqiang"])
    html = client.get("/console/warnings/").content.decode()
    assert warning.evidence["appeal_numbers"][0] not in html


def test_the_task_button_creates_the_proactive_appeal(client, warning, world):  # noqa: F811
    sign_in(client, world["lina"])
    r = client.post(f"/console/warnings/{warning.pk}/task/", {"note": "先去现场看看"})
    assert r.status_code == 302
    warning.refresh_from_db()
    assert warning.status == "tasked"
    assert Appeal.objects.filter(channel="proactive").count() == 1


def test_dismiss_without_a_reason_is_refused_with_a_message(client, warning, world):  # noqa: F811
    sign_in(client, world["lina"])
    r = client.post(f"/console/warnings/{warning.pk}/dismiss/", {"note": ""}, follow=True)
    assert r.status_code == 200
    warning.refresh_from_db()
    assert warning.status == "open"


def test_the_evidence_is_in_words_and_every_appeal_number_is_a_link(client, warning, world):  # noqa: F811
    """Issue 21: no "p = 2.3e-05" for a dispatcher to decode, and the appeals behind a warning one click away."""
    sign_in(client, world["lina"])
    html = client.get("/console/warnings/").content.decode()
    assert "p = " not in html and "e-0" not in html
    assert f"显著高于平常：当天 {warning.observed} 件，平常约 {round(warning.expected)} 件" in html
    assert "偶然出现的可能不到" in html
    first_id, first_number = warning.evidence["appeal_ids"][0], warning.evidence["appeal_numbers"][0]
    assert f'<a href="/console/appeals/{first_id}/">{first_number}</a>' in html
