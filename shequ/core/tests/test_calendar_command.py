"""The CalendarDay table: the data migration, `calendar_add_year` and `get_calendar()`."""

from __future__ import annotations

import json
from datetime import date, datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from shequ.core.models import CalendarDay, DayKind
from shequ.core.workdays import add_working_time, get_calendar

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "holidays_cn.json"

# A made-up year far from any real notice, so the fixture can never be mistaken for official data.
FICTIONAL_YEAR = 2099
FICTIONAL_ENTRY = {
    "notice": "test fixture, not an official notice",
    "holidays": [
        {"date": "2099-01-01", "name": "元旦"},  # Thursday
        {"date": "2099-01-02", "name": "元旦"},
        {"date": "2099-01-03", "name": "元旦"},  # Saturday inside the break
    ],
    "workdays": [{"date": "2099-01-04", "name": "元旦调休"}],  # Sunday
}


def write(tmp_path: Path, content: object, name: str = "year.json") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content, ensure_ascii=False), "utf-8")
    return path


def run(*args: object) -> str:
    out = StringIO()
    call_command("calendar_add_year", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name", "source"))


# --- the data migration ----------------------------------------------------------------------------------------


def test_the_migration_loaded_every_row_of_2024_to_2026():
    doc = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    for year, entry in doc["years"].items():
        rows = CalendarDay.objects.filter(date__year=int(year))
        assert rows.filter(kind=DayKind.HOLIDAY).count() == len(entry["holidays"])
        assert rows.filter(kind=DayKind.WORKDAY).count() == len(entry["workdays"])
        assert set(rows.values_list("source", flat=True)) == {entry["notice"]}


def test_the_migration_recorded_the_2025_national_day_break_and_its_make_up_sunday():
    assert CalendarDay.objects.get(date=date(2025, 10, 8)).kind == DayKind.HOLIDAY
    make_up = CalendarDay.objects.get(date=date(2025, 9, 28))
    assert (make_up.kind, make_up.name) == (DayKind.WORKDAY, "国庆节、中秋节调休")


# --- calendar_add_year -----------------------------------------------------------------------------------------


def test_the_command_adds_a_year_and_prints_a_summary(tmp_path):
    out = run(FICTIONAL_YEAR, "--file", write(tmp_path, FICTIONAL_ENTRY))

    rows = CalendarDay.objects.filter(date__year=FICTIONAL_YEAR)
    assert rows.filter(kind=DayKind.HOLIDAY).count() == 3
    assert rows.get(kind=DayKind.WORKDAY).date == date(2099, 1, 4)
    assert set(rows.values_list("source", flat=True)) == {"test fixture, not an official notice"}
    assert "2099: loaded 3 holidays and 1 make-up working days (replaced 0 existing rows)" in out
    assert "元旦: 2099-01-01..2099-01-03 (3 days off)" in out


def test_loading_a_year_again_replaces_its_rows_instead_of_adding_to_them(tmp_path):
    run(FICTIONAL_YEAR, "--file", write(tmp_path, FICTIONAL_ENTRY))
    smaller = {**FICTIONAL_ENTRY, "holidays": FICTIONAL_ENTRY["holidays"][:1], "workdays": []}

    out = run(FICTIONAL_YEAR, "--file", write(tmp_path, smaller, "smaller.json"))

    assert list(CalendarDay.objects.filter(date__year=FICTIONAL_YEAR).values_list("date", flat=True)) == [
        date(2099, 1, 1)
    ]
    assert "replaced 4 existing rows" in out


def test_the_command_takes_one_year_out_of_a_whole_holidays_file(tmp_path):
    before = snapshot()
    out = run(2025, "--file", DATA_FILE)
    assert snapshot() == before
    assert "2025: loaded 28 holidays and 5 make-up working days (replaced 33 existing rows)" in out


def test_show_prints_the_rows_of_a_year():
    out = run("--show", 2026)
    assert "2026-01-04 Sun  workday  元旦调休  [国办发明电〔2025〕7号]" in out
    assert "2026: 33 holidays, 6 make-up working days." in out


def test_show_says_when_a_year_is_not_covered():
    assert "not covered" in run("--show", 2098)


BAD_FILES = {
    "not json": "{not json",
    "a workday on a weekday": {**FICTIONAL_ENTRY, "workdays": [{"date": "2099-01-05", "name": "x"}]},
    "a day both holiday and workday": {
        **FICTIONAL_ENTRY,
        "workdays": [{"date": "2099-01-03", "name": "x"}],
    },
    "a duplicate holiday": {**FICTIONAL_ENTRY, "holidays": FICTIONAL_ENTRY["holidays"] * 2},
    "a date of another year": {
        **FICTIONAL_ENTRY,
        "holidays": [*FICTIONAL_ENTRY["holidays"], {"date": "2098-12-31", "name": "x"}],
    },
    "an unparsable date": {**FICTIONAL_ENTRY, "holidays": [{"date": "2099-02-30", "name": "x"}]},
    "a compact date": {**FICTIONAL_ENTRY, "holidays": [{"date": "20990101", "name": "x"}]},
    "a missing name": {**FICTIONAL_ENTRY, "holidays": [{"date": "2099-01-01"}]},
    "no holidays": {**FICTIONAL_ENTRY, "holidays": []},
    "no workdays key": {"holidays": FICTIONAL_ENTRY["holidays"]},
    "a declared year that differs": {**FICTIONAL_ENTRY, "year": 2098},
    "a whole file without the year": {"years": {"2098": FICTIONAL_ENTRY}},
}


@pytest.mark.parametrize("content", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_malformed_file_writes_nothing_and_raises_a_command_error(tmp_path, content):
    run(FICTIONAL_YEAR, "--file", write(tmp_path, FICTIONAL_ENTRY, "good.json"))
    before = snapshot()

    with pytest.raises(CommandError):
        run(FICTIONAL_YEAR, "--file", write(tmp_path, content))

    assert snapshot() == before


def test_the_error_lists_every_problem_of_the_file(tmp_path):
    bad = {
        "holidays": [{"date": "2099-01-01", "name": "元旦"}, {"date": "2099-01-01", "name": "元旦"}],
        "workdays": [{"date": "2099-01-05", "name": "x"}],
    }
    with pytest.raises(CommandError) as caught:
        run(FICTIONAL_YEAR, "--file", write(tmp_path, bad))
    message = str(caught.value)
    assert "nothing was written" in message
    assert "listed twice in holidays" in message
    assert "must be a Saturday or Sunday, this is a Mon" in message


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(FICTIONAL_YEAR, "--file", tmp_path / "absent.json")


def test_a_year_without_a_file_is_a_command_error():
    with pytest.raises(CommandError, match="Usage"):
        run(FICTIONAL_YEAR)


# --- get_calendar ------------------------------------------------------------------------------------------------


def test_the_platform_calendar_computes_deadlines_from_the_table():
    assert add_working_time(datetime(2024, 9, 30, 10, 0, tzinfo=SH), days=1) == datetime(
        2024, 10, 8, 10, 0, tzinfo=SH
    )
    assert add_working_time(datetime(2025, 9, 26, 20, 0, tzinfo=SH), hours=8) == datetime(
        2025, 9, 28, 4, 0, tzinfo=SH
    )


def test_add_working_time_needs_exactly_one_of_hours_and_days():
    start = datetime(2025, 3, 12, 9, 0, tzinfo=SH)
    with pytest.raises(ValueError, match="exactly one"):
        add_working_time(start)
    with pytest.raises(ValueError, match="exactly one"):
        add_working_time(start, hours=1, days=1)


def test_the_platform_calendar_sees_a_year_added_by_the_command(tmp_path):
    # Before the year is loaded it counts Monday–Friday (not strict): 1 January 2099 is a plain Thursday.
    assert get_calendar().is_working_day(date(2099, 1, 1)) is True
    assert get_calendar().is_working_day(date(2099, 1, 4)) is False

    run(FICTIONAL_YEAR, "--file", write(tmp_path, FICTIONAL_ENTRY))

    calendar = get_calendar()
    assert calendar.is_working_day(date(2099, 1, 1)) is False  # a Thursday holiday
    assert calendar.is_working_day(date(2099, 1, 4)) is True  # the make-up Sunday
    # From the holiday Friday, counting starts on the make-up Sunday, so one working day ends Monday 00:00.
    assert add_working_time(datetime(2099, 1, 2, 9, 0, tzinfo=SH), days=1) == datetime(2099, 1, 5, tzinfo=SH)


def test_the_platform_calendar_sees_a_row_edited_in_place():
    assert get_calendar().is_working_day(date(2024, 10, 7)) is False
    # Same id, same row count: only the content fingerprint can notice this edit.
    CalendarDay.objects.filter(date=date(2024, 10, 7)).update(kind=DayKind.WORKDAY)
    assert get_calendar().is_working_day(date(2024, 10, 7)) is True


def test_the_platform_calendar_is_reused_while_the_table_is_unchanged():
    assert get_calendar() is get_calendar()


def test_a_missing_coming_year_is_reported_by_a_system_check(settings):
    from django.utils import timezone

    from shequ.core.checks import check_calendar_coverage

    late_in_2026 = datetime(2026, 11, 28, 12, 0, tzinfo=SH)
    from unittest import mock

    with mock.patch.object(timezone, "localdate", return_value=late_in_2026.date()):
        messages = check_calendar_coverage(databases=["default"])
        assert check_calendar_coverage() == []  # no database named: no query
    assert [m.id for m in messages] == ["core.I001"] and "2027" in messages[0].msg
