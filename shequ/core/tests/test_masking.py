"""Masking personal data for display and logs: the masks, free-text redaction and the log filter."""

from __future__ import annotations

import io
import logging
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequ.core.idnumbers import make_id_number
from shequ.core.masking import (
    PERSONAL_PATTERNS,
    PersonalDataLogFilter,
    find_unmasked,
    mask,
    mask_address,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
    redact,
)

PROPERTY = settings(max_examples=300, deadline=None)

ALICE_ID = make_id_number("440308", date(1990, 1, 1), 61, "female")
BOB_ID = make_id_number("110105", date(1985, 6, 30), 3, "male")


def bad_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


# --- the masks -------------------------------------------------------------------------------------------------


def test_a_mobile_shows_its_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"


def test_a_landline_shows_its_area_code_and_last_four_digits():
    assert mask_phone("0755-83451234") == "0755-****1234"
    assert mask_phone("010-12345678") == "010-****5678"
    assert mask_phone("075583451234") == "0755-****1234"


def test_an_id_number_shows_its_region_and_last_four_characters_but_never_the_birth_date():
    assert mask_id_number("440308199001011234") == "440308********1234"
    assert mask_id_number("11010519491231002x") == "110105********002X"


def test_a_first_generation_id_number_hides_its_whole_birth_date():
    assert mask_id_number("110105491231002") == "110105******002"


def test_a_name_shows_only_its_first_character():
    assert mask_name("张伟") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("王") == "*"


def test_an_address_keeps_about_six_characters_and_hides_the_length_of_the_rest():
    assert mask_address("广东省深圳市南山区粤海街道科技园社区科苑路15号") == "广东省深圳市****"
    assert mask_address("南山区15号") == "南山区****"


def test_an_email_shows_the_first_character_and_the_domain():
    assert mask_email("zhangwei@example.com") == "z***@example.com"
    assert mask_email("z@example.com") == "*@example.com"


@pytest.mark.parametrize("masker", [mask_phone, mask_id_number, mask_name, mask_address, mask_email, redact])
def test_every_mask_turns_none_and_empty_into_an_empty_string(masker):
    assert masker(None) == ""
    assert masker("") == ""


@pytest.mark.parametrize("masker", [mask_phone, mask_id_number, mask_email])
@pytest.mark.parametrize("value", ["1", "12", "123", "1234", "12345", "abc@", "x"])
def test_a_short_or_odd_value_is_masked_not_returned_as_it_is(masker, value):
    masked = masker(value)
    assert masked != value
    assert "*" in masked


def test_mask_dispatches_on_the_kind_of_data():
    assert mask("phone", "13812345678") == "138****5678"
    assert mask("id_number", "440308199001011234") == "440308********1234"
    assert mask("name", "张伟") == "张*"
    assert mask("address", "广东省深圳市南山区") == "广东省深****"
    assert mask("email", "li@example.com") == "l***@example.com"
    assert mask("text", "电话13812345678") == "电话138****5678"
    assert mask("phone", None) == ""


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown kind"):
        mask("passport", "E12345678")


# --- finding and redacting in free text ----------------------------------------------------------------------


def test_redact_masks_every_id_number_and_mobile_in_a_sentence():
    text = f"张伟（身份证{ALICE_ID}）来电13812345678，其子身份证{BOB_ID}，备用手机+86 139-1234-5678。"
    redacted = redact(text)
    assert redacted == (
        f"张伟（身份证{mask_id_number(ALICE_ID)}）来电138****5678，其子身份证{mask_id_number(BOB_ID)}，"
        "备用手机139****5678。"
    )
    assert find_unmasked(redacted) == []


def test_find_unmasked_reports_valid_id_numbers_and_mobiles_in_order():
    assert find_unmasked(f"a {ALICE_ID} b 13812345678 c {BOB_ID}") == [ALICE_ID, "13812345678", BOB_ID]


def test_find_unmasked_ignores_an_id_number_whose_check_digit_is_wrong_but_redact_still_masks_it():
    typo = bad_check_digit(ALICE_ID)
    assert find_unmasked(f"身份证{typo}") == []
    assert redact(f"身份证{typo}") == f"身份证{mask_id_number(typo)}"


def test_longer_digit_runs_such_as_building_codes_contain_no_match():
    building_code = "44030810" + ALICE_ID[:12]  # 20 digits with an ID-like run inside
    order_number = "9" + "13812345678" + "0"
    for text in (building_code, order_number, "1" + ALICE_ID, ALICE_ID + "7"):
        assert find_unmasked(text) == []
        assert redact(text) == text
        assert not any(pattern.search(text) for pattern in PERSONAL_PATTERNS.values())


def test_a_digit_run_inside_a_hash_digest_or_a_uuid_is_not_a_phone():
    # Seen in an audit entry's chain hash: 11 digits between hex letters.
    digest = "9c2e" + "16473035724" + "ab" * 24 + "f"
    uuid = "0f3c2a1b-4d5e-4f60-8a7b-c16473035724"
    for text in (digest, f"hash {digest}.", f"key={uuid}"):
        assert find_unmasked(text) == []
        assert redact(text) == text
    # A phone next to a short hex-looking word is still a phone.
    assert find_unmasked("cafe13812345678") == ["13812345678"]
    assert find_unmasked(f"{digest} 13812345678") == ["13812345678"]


def test_letters_and_punctuation_around_a_match_do_not_hide_it():
    assert find_unmasked(f"ID:{ALICE_ID}X-tel13812345678号") == [ALICE_ID, "13812345678"]


def test_full_width_digits_are_found_and_redacted_too():
    full_width = "".join(chr(0xFF10 + int(c)) for c in "13812345678")
    assert find_unmasked(f"电话{full_width}") == [full_width]
    assert redact(f"电话{full_width}。") == "电话138****5678。"


def test_the_patterns_are_exposed_for_id_numbers_and_phones():
    assert PERSONAL_PATTERNS["id_number"].fullmatch(ALICE_ID)
    assert PERSONAL_PATTERNS["id_number"].fullmatch("110105491231002")
    assert PERSONAL_PATTERNS["phone"].fullmatch("13812345678")
    assert not PERSONAL_PATTERNS["phone"].fullmatch("12812345678")


# --- the log filter --------------------------------------------------------------------------------------------


@pytest.fixture
def log_output():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PersonalDataLogFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log = logging.getLogger("shequ.tests.masking")
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.INFO)
    yield log, stream
    log.removeHandler(handler)
    log.propagate = True


def test_a_log_line_never_carries_an_unmasked_id_number_or_phone(log_output):
    log, stream = log_output
    log.info("resident %s phone %s registered", ALICE_ID, "13812345678")
    assert stream.getvalue() == f"INFO resident {mask_id_number(ALICE_ID)} phone 138****5678 registered\n"


def test_the_filter_formats_the_message_and_drops_the_arguments():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "call %s about %d", ("13812345678", 3), None)
    assert PersonalDataLogFilter().filter(record) is True
    assert (record.msg, record.args) == ("call 138****5678 about 3", None)
    assert PersonalDataLogFilter().filter(record) is True  # a second handler's filter changes nothing
    assert record.getMessage() == "call 138****5678 about 3"


def test_a_traceback_in_a_log_line_is_redacted_too(log_output):
    log, stream = log_output
    try:
        raise ValueError(f"duplicate resident {ALICE_ID}")
    except ValueError:
        log.exception("import failed for %s", "13812345678")
    output = stream.getvalue()
    assert "138****5678" in output and mask_id_number(ALICE_ID) in output
    assert find_unmasked(output) == []


def test_a_broken_format_string_still_gets_redacted(log_output):
    log, stream = log_output
    log.info("phone %s %s", "13812345678")
    assert "138****5678" in stream.getvalue()
    assert find_unmasked(stream.getvalue()) == []


# --- properties ------------------------------------------------------------------------------------------------

id_numbers = st.builds(
    make_id_number,
    st.from_regex(r"[1-9][0-9]{5}", fullmatch=True),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31)),
    st.integers(min_value=0, max_value=499),
    st.sampled_from(["male", "female"]),
)
mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
landlines = st.from_regex(r"0(10|2[0-9]|[3-9][0-9]{2})-[2-9][0-9]{6,7}", fullmatch=True)


@PROPERTY
@given(id_numbers)
def test_masking_a_valid_id_number_never_returns_it_nor_its_birth_date(number):
    masked = mask_id_number(number)
    assert masked != number
    assert number[6:14] not in masked
    assert mask("id_number", number) == masked


@PROPERTY
@given(st.one_of(mobiles, landlines))
def test_masking_a_valid_phone_never_returns_it(phone):
    masked = mask_phone(phone)
    assert masked != phone
    assert "****" in masked
    assert find_unmasked(masked) == []


personal_items = st.one_of(
    id_numbers,
    id_numbers.map(str.lower),
    id_numbers.map(bad_check_digit),
    mobiles,
    mobiles.map(lambda m: f"+86 {m[:3]}-{m[3:7]}-{m[7:]}"),
)
texts_with_personal_data = st.lists(st.one_of(st.text(max_size=12), personal_items), max_size=12).map("".join)


@PROPERTY
@given(texts_with_personal_data)
def test_nothing_unmasked_is_left_after_redaction(text):
    assert find_unmasked(redact(text)) == []


@PROPERTY
@given(st.text(alphabet=st.characters(exclude_categories=["Nd"])))
def test_text_without_digits_is_left_as_it_is(text):
    assert redact(text) == text
