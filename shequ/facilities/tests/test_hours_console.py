"""Editing a facility's opening hours in the console (issue 21): a line per weekday as people write them, the
holiday rule and its note; the change is audited with before and after; an unreadable line is refused in Chinese,
naming the day, with nothing written."""

import pytest

from shequ.access.services import grant_bootstrap
from shequ.access.testing import sign_in
from shequ.accounts.roles import Role
from shequ.audit.models import AuditEntry
from shequ.core.errors import ShequError
from shequ.facilities.hours import day_text, parse_day_text
from shequ.geo.models import Area

from .helpers import ORIGIN, WEEKDAYS_9_TO_5, make_facility

pytestmark = pytest.mark.django_db


@pytest.fixture
def huafu_officer(cast, make_user):
    user = make_user("huafu_officer")
    grant_bootstrap(
        user=user, role=Role.STREET_OFFICER, area=Area.objects.get(name="华富街道"), reason="test"
    )
    return user


def _form(facility, **hours):
    data = {
        "name": facility.name,
        "type": facility.type.code,
        "area": facility.area.code,
        "address": facility.address,
        "phone": facility.phone,
        "lat": str(facility.lat),
        "lng": str(facility.lng),
        "accessible": "1" if facility.accessible else "0",
        "is_active": "1",
        "h-holiday_rule": "as_usual",
        "h-holiday_note": "",
    }
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        data[f"h-hours_{day}"] = day_text(facility.hours.get(day, []))
    data.update({f"h-{k}": v for k, v in hours.items()})
    return data


def test_people_write_hours_as_they_say_them():
    assert parse_day_text("8:30～12:00、14:00至18:00", day="mon", label="星期一") == [
        ["08:30", "12:00"],
        ["14:00", "18:00"],
    ]
    assert parse_day_text("全天", day="sat", label="星期六") == [["00:00", "24:00"]]
    assert parse_day_text("", day="sun", label="星期日") == []
    assert parse_day_text("休息", day="sun", label="星期日") == []
    assert day_text([["00:00", "24:00"]]) == "全天"
    with pytest.raises(ShequError) as refused:
        parse_day_text("上午九点", day="tue", label="星期二")
    assert refused.value.fields == {"hours_tue": "上午九点"}


def test_the_officer_changes_the_hours_and_the_change_is_audited(client, huafu_officer):
    facility = make_facility("华富社康", ORIGIN, hours=WEEKDAYS_9_TO_5)
    sign_in(client, huafu_officer)
    page = client.get(f"/console/facilities/{facility.pk}/").content.decode()
    assert "开放时间" in page and 'value="09:00-17:00"' in page and "周一" in page
    r = client.post(
        f"/console/facilities/{facility.pk}/",
        _form(
            facility,
            hours_mon="08:30-12:00, 14:00-18:00",
            hours_sat="全天",
            holiday_rule="closed",
            holiday_note="春节期间另行通知",
        ),
    )
    assert r.status_code == 302
    facility.refresh_from_db()
    assert facility.hours["mon"] == [["08:30", "12:00"], ["14:00", "18:00"]]
    assert facility.hours["sat"] == [["00:00", "24:00"]] and facility.hours["sun"] == []
    assert facility.holiday_rule == "closed" and facility.holiday_note == "春节期间另行通知"
    entry = AuditEntry.objects.get(action="facility.update")
    assert set(entry.changes) == {"hours", "holiday_rule", "holiday_note"}
    assert entry.changes["hours"]["before"]["mon"] == [["09:00", "17:00"]]
    # The page shows the new hours back as they were written.
    assert 'value="08:30-12:00, 14:00-18:00"' in client.get(r.url).content.decode()


def test_an_unreadable_line_is_refused_naming_the_day_and_nothing_written(client, huafu_officer):
    facility = make_facility("华富社康", ORIGIN, hours=WEEKDAYS_9_TO_5)
    sign_in(client, huafu_officer)
    entries = AuditEntry.objects.count()
    r = client.post(f"/console/facilities/{facility.pk}/", _form(facility, hours_tue="上午九点到下午五点"))
    assert r.status_code == 400
    page = r.content.decode()
    assert "周二：请按 08:30-12:00, 14:00-18:00 填写" in page and 'aria-invalid="true"' in page
    facility.refresh_from_db()
    assert facility.hours == WEEKDAYS_9_TO_5 and AuditEntry.objects.count() == entries
