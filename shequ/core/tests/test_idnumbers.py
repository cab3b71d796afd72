"""Citizen ID numbers (GB 11643-1999) and phone numbers: validation, normalisation and synthetic numbers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from shequ.core.idnumbers import (
    id_number_birth_date,
    id_number_check_digit,
    id_number_gender,
    make_id_number,
    normalize_phone,
    validate_id_number,
    validate_phone,
)

PROPERTY = settings(max_examples=200, deadline=None)

# The sample number printed in GB 11643-1999 itself.
STANDARD_SAMPLE = "11010519491231002X"


def error_of(call, value) -> ValidationError:
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        call(value)
    return caught.value


def message_of(error: ValidationError) -> str:
    with translation.override("en"):
        return error.messages[0]


# --- ID numbers ----------------------------------------------------------------------------------------------


def test_the_sample_number_of_the_standard_is_valid():
    assert validate_id_number(STANDARD_SAMPLE) == STANDARD_SAMPLE
    assert id_number_check_digit(STANDARD_SAMPLE[:17]) == "X"


def test_validation_strips_spaces_upper_cases_x_and_folds_full_width_digits():
    assert validate_id_number(" 110105 19491231 002x ") == STANDARD_SAMPLE
    assert validate_id_number("１１０１０５１９４９１２３１００２ｘ") == STANDARD_SAMPLE


BAD_ID_NUMBERS = {
    "too short": ("1101051949123100", "An ID number has 18 characters; this one has 16."),
    "first generation": ("110105491231002", "15-digit first-generation"),
    "a letter inside": ("1101051949A231002X", "only digits, and X can only be its last character"),
    "X not last": ("X10105194912310021", "only digits"),
    "region starting with 0": (
        "010105194912310021",
        "The region code 010105 is not valid: it cannot start with 0.",
    ),
    "month 13": ("440308199013451234", "The birth date 19901345 is not a real date."),
    "29 February of a common year": ("440308190002291234", "The birth date 19000229 is not a real date."),
    "born before 1900": ("440308189912311234", "The birth date 18991231 is before 1900."),
    "wrong check digit": ("110105194912310021", "The check digit is wrong: it should be X."),
}


@pytest.mark.parametrize(("value", "message"), BAD_ID_NUMBERS.values(), ids=BAD_ID_NUMBERS.keys())
def test_an_invalid_id_number_is_refused_with_a_message_saying_what_is_wrong(value, message):
    error = error_of(validate_id_number, value)
    assert error.code == "invalid_id_number"
    assert message in message_of(error)


def test_a_birth_date_in_the_future_is_refused():
    tomorrow = timezone.localdate() + timedelta(days=1)
    first17 = f"440308{tomorrow:%Y%m%d}123"
    error = error_of(validate_id_number, first17 + id_number_check_digit(first17))
    assert message_of(error) == f"The birth date {tomorrow:%Y%m%d} is in the future."


def test_today_can_be_given_so_the_future_is_checked_against_a_fixed_day():
    with pytest.raises(ValidationError):
        validate_id_number(STANDARD_SAMPLE, today=date(1949, 12, 30))
    assert validate_id_number(STANDARD_SAMPLE, today=date(1949, 12, 31)) == STANDARD_SAMPLE


def test_the_birth_date_and_gender_are_read_from_the_number():
    assert id_number_birth_date(STANDARD_SAMPLE) == date(1949, 12, 31)
    assert id_number_gender(STANDARD_SAMPLE) == "female"  # sequence code 002 is even
    male = make_id_number("440308", date(1990, 1, 1), 17, "male")
    assert id_number_gender(male) == "male"


def test_birth_date_and_gender_also_read_a_first_generation_number():
    assert id_number_birth_date("110105491231002") == date(1949, 12, 31)
    assert id_number_gender("110105491231003") == "male"


def test_reading_an_invalid_number_raises_a_validation_error():
    with pytest.raises(ValidationError):
        id_number_birth_date("110105194912310021")
    with pytest.raises(ValidationError):
        id_number_gender("110105491331002")  # month 13 in a first-generation number


@pytest.mark.parametrize("first17", ["", "1101051949123100", "11010519491231002X", "1101051949123100２"])
def test_the_check_digit_needs_exactly_seventeen_ascii_digits(first17):
    with pytest.raises(ValueError, match="17 digits"):
        id_number_check_digit(first17)


def test_make_id_number_builds_the_standard_sample():
    assert make_id_number("110105", date(1949, 12, 31), 1, "female") == STANDARD_SAMPLE


@pytest.mark.parametrize(
    "args",
    [
        ("010105", date(1990, 1, 1), 1, "male"),
        ("11010", date(1990, 1, 1), 1, "male"),
        ("110105", date(1899, 12, 31), 1, "male"),
        ("110105", timezone.localdate() + timedelta(days=1), 1, "male"),
        ("110105", date(1990, 1, 1), 500, "male"),
        ("110105", date(1990, 1, 1), -1, "male"),
        ("110105", date(1990, 1, 1), 1, "unknown"),
    ],
)
def test_make_id_number_refuses_what_validation_would_refuse(args):
    with pytest.raises(ValueError):
        make_id_number(*args)


regions = st.from_regex(r"[1-9][0-9]{5}", fullmatch=True)
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31))
seqs = st.integers(min_value=0, max_value=499)
genders = st.sampled_from(["male", "female"])
id_numbers = st.builds(make_id_number, regions, births, seqs, genders)


@PROPERTY
@given(regions, births, seqs, genders)
def test_every_synthetic_number_is_valid_and_carries_its_birth_date_and_gender(region, birth, seq, gender):
    number = make_id_number(region, birth, seq, gender)
    assert validate_id_number(number) == number
    assert id_number_birth_date(number) == birth
    assert id_number_gender(number) == gender


@PROPERTY
@given(id_numbers, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_changing_any_one_digit_changes_the_check_digit_and_is_refused(number, position, shift):
    digit = str((int(number[position]) + shift) % 10)
    corrupted17 = number[:position] + digit + number[position + 1 : 17]
    assert id_number_check_digit(corrupted17) != number[17]
    with pytest.raises(ValidationError):
        validate_id_number(corrupted17 + number[17])


@PROPERTY
@given(id_numbers, st.sampled_from("0123456789X"))
def test_any_other_check_character_is_refused(number, check):
    if check != number[17]:
        with pytest.raises(ValidationError):
            validate_id_number(number[:17] + check)


# --- phones ----------------------------------------------------------------------------------------------------

GOOD_PHONES = {
    "plain mobile": ("13812345678", "13812345678"),
    "mobile with spaces": ("138 1234 5678", "13812345678"),
    "mobile with +86 and dashes": ("+86 138-1234-5678", "13812345678"),
    "mobile with 0086": ("0086 13812345678", "13812345678"),
    "mobile with 86": ("8613812345678", "13812345678"),
    "full-width mobile": ("１３８１２３４５６７８", "13812345678"),
    "landline with dash": ("0755-83451234", "0755-83451234"),
    "landline with spaces": ("0755 8345 1234", "0755-83451234"),
    "landline with parentheses": ("(0755)83451234", "0755-83451234"),
    "Beijing landline": ("010-12345678", "010-12345678"),
    "seven-digit local number": ("0371-6123456", "0371-6123456"),
    "international landline": ("+86 755 8345 1234", "0755-83451234"),
    "international Beijing landline": ("+86 10 6512 3456", "010-65123456"),
}


@pytest.mark.parametrize(("value", "expected"), GOOD_PHONES.values(), ids=GOOD_PHONES.keys())
def test_a_phone_is_normalised_to_the_mobile_or_the_dashed_landline(value, expected):
    assert validate_phone(value) == expected


BAD_PHONES = {
    "empty": ("", "only digits"),
    "letters": ("138abcd5678", "only digits"),
    "ten-digit mobile": ("1381234567", "A mobile number has 11 digits; this one has 10."),
    "mobile starting with 12": ("12812345678", "A mobile number starts with 13 to 19."),
    "landline too short": ("0755-12345", "such as 0755-83451234"),
    "local number starting with 0": ("0755-03451234", "such as 0755-83451234"),
    "no area code": ("83451234", "such as 0755-83451234"),
}


@pytest.mark.parametrize(("value", "message"), BAD_PHONES.values(), ids=BAD_PHONES.keys())
def test_an_invalid_phone_is_refused_with_a_message_saying_what_is_wrong(value, message):
    error = error_of(validate_phone, value)
    assert error.code == "invalid_phone"
    assert message in message_of(error)


def test_normalize_phone_keeps_digits_only_without_the_country_prefix():
    assert normalize_phone("+86 138-1234-5678") == "13812345678"
    assert normalize_phone("0755-83451234") == "075583451234"
    assert normalize_phone("") == ""
    assert normalize_phone("not a phone") == ""


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
landlines = st.from_regex(r"0(10|2[0-9]|[3-9][0-9]{2})-[2-9][0-9]{6,7}", fullmatch=True)


@st.composite
def typed_mobiles(draw) -> str:
    number = draw(mobiles)
    prefix = draw(st.sampled_from(["", "+86 ", "+86", "0086 ", "86"]))
    separator = draw(st.sampled_from(["", " ", "-"]))
    return f"{prefix}{number[:3]}{separator}{number[3:7]}{separator}{number[7:]}"


@PROPERTY
@given(st.one_of(typed_mobiles(), landlines))
def test_every_way_of_typing_a_number_hashes_like_its_normalised_form(typed):
    assert normalize_phone(validate_phone(typed)) == normalize_phone(typed)


@PROPERTY
@given(landlines)
def test_a_dashed_landline_is_accepted_as_it_is(landline):
    assert validate_phone(landline) == landline
