"""Exports in Chinese words (issue 21): a trend's columns name a day, not a person; deadline states are words."""

import csv
import io

import pytest

from shequ.access.testing import sign_in
from shequ.appeals.choices import DEADLINE_LABELS

pytestmark = pytest.mark.django_db


def _header(client, url, params):
    r = client.get(url, params)
    return next(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


def test_the_trend_export_is_headed_by_the_day_and_the_area_export_by_the_area(client, cast):
    sign_in(client, cast["chenjing"])
    trend = _header(client, "/dashboard/export/", {"chart": "trend", "format": "csv"})
    by_area = _header(client, "/dashboard/export/", {"chart": "by_area", "format": "csv"})
    assert trend[0] == "日期" and "姓名" not in trend
    assert by_area[:3] == ["区域编码", "区域", "受理"]


def test_deadline_states_have_chinese_words():
    from django.utils import translation

    with translation.override("zh-hans"):
        words = {k: str(v) for k, v in DEADLINE_LABELS.items()}
    assert words["green"] == "未超期" and words["red"] == "超期"
