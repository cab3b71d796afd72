"""The leak scan (conftest.no_unmasked_personal_data) can fail: it sees unmasked data in pages and logs."""

import logging
from datetime import date

import pytest

from shequ.core import testing
from shequ.core.idnumbers import make_id_number
from shequ.core.masking import find_unmasked


@pytest.mark.allow_unmasked
def test_the_scanner_finds_an_unmasked_id_number_and_phone_in_a_page_body():
    id_number = make_id_number("440304", date(1990, 1, 1), 3, "male")
    body = f"<td>{id_number}</td><td>13912345678</td><td>440304********1234</td><td>139****5678</td>"
    assert set(find_unmasked(body)) == {id_number, "13912345678"}


@pytest.mark.allow_unmasked
def test_long_area_codes_are_not_mistaken_for_personal_data():
    # Grid 14 digits, estate 16, building 19: none has the length of an ID number (15 or 18).
    assert find_unmasked("grid 44030400100101 estate 4403040010010101 building 4403040010010101001") == []


@pytest.mark.allow_unmasked
def test_log_lines_pass_through_the_masking_filter(caplog):
    from shequ.core.masking import PersonalDataLogFilter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "call %s about %s", ("13912345678", "x"), None)
    PersonalDataLogFilter().filter(record)
    assert "13912345678" not in record.getMessage() and "139****5678" in record.getMessage()


@pytest.mark.allow_unmasked
def test_responses_are_recorded_for_the_scan(client, db):
    testing.RECORDED.clear()
    client.get("/healthz")
    assert testing.RECORDED and testing.RECORDED[-1][0] == "/healthz"
