"""Masking personal data for display and logs: the masks, free-text redaction and the log filter."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequ.core.idnumbers import make_id_number
from shequ.core.masking import (
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


def test_a_bare_id_number_or_mobile_is_found_and_a_number_that_is_neither_is_not():
    assert find_unmasked(ALICE_ID) == [ALICE_ID]
    assert find_unmasked("110105491231002") == ["110105491231002"]
    assert find_unmasked("13812345678") == ["13812345678"]
    assert find_unmasked("12812345678") == []


# --- the forms people type (issue 19) --------------------------------------------------------------------------

SPLIT_ID = make_id_number("440304", date(1990, 1, 1), 123, "male")  # 440304199001012471


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("139-87654321", "139****4321"),
        ("139.1111.2222", "139****2222"),
        ("440304 19900101 2471", "440304********2471"),
        ("139\u200b8765\u200c4321", "139****4321"),
        ("13\u200d98\u20607654\ufeff321", "139****4321"),
        ("+86 139 8765 4321", "139****4321"),
        ("0086-139-8765-4321", "139****4321"),
        ("8613987654321", "139****4321"),
        ("１３９－８７６５－４３２１", "139****4321"),
        ("440304-1990-0101-2471", "440304********2471"),
        ("４４０３０４１９９００１０１２４７１", "440304********2471"),
        ("11010519491231002x", "110105********002X"),
        ("440304 900101 247", "440304******247"),
    ],
)
def test_a_number_typed_with_separators_full_width_digits_or_invisible_characters_is_found_and_masked(
    typed, masked
):
    text = f"请联系{typed}，谢谢"
    assert find_unmasked(text) == [typed]
    assert redact(text) == f"请联系{masked}，谢谢"
    assert find_unmasked(redact(text)) == []


def test_the_split_id_number_of_the_issue_has_a_valid_check_digit():
    assert SPLIT_ID == "440304199001012471"


def test_an_e_mail_address_is_masked_to_its_first_character_and_domain():
    text = "邮箱 zhangwei.home@example.com 或 13912345678@qq.com。"
    assert find_unmasked(text) == ["zhangwei.home@example.com", "13912345678@qq.com"]
    assert redact(text) == "邮箱 z***@example.com 或 1***@qq.com。"


def test_a_bank_card_number_with_a_valid_check_digit_is_masked_and_one_without_is_left():
    assert redact("退款到卡 4111 1111 1111 1111 。") == "退款到卡 4111********1111 。"
    assert find_unmasked("卡号6222021234567890128") == ["6222021234567890128"]
    assert redact("单号 4111 1111 1111 1112") == "单号 4111 1111 1111 1112"


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-07 上午 08:30-11:45 停水",
        "2026.12.07、2026年12月7日",
        "物业费 ¥1,380.00，押金 13800 元，共 1380.50 元",
        "3栋1201室、12栋2单元1502、1201-1203室",
        "诉求 SQ20261128000123 与 SQ202611281010150 合并",
        "物业电话 0755-83451234，城管 010-12345678，热线 12345",
        "坐标 22.543096, 114.057865",
        "13 14 15 16 17 18 号楼",
        "已脱敏 139****5678 与 440304********2471",
        "版本 v1.2.3，第 139 号",
    ],
)
def test_dates_times_amounts_house_appeal_and_office_numbers_are_left_as_they_are(text):
    assert redact(text) == text
    assert find_unmasked(text) == []


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


def test_a_log_line_with_a_phone_or_id_number_typed_in_pieces_is_redacted(log_output):
    log, stream = log_output
    log.warning("appeal text: %s / %s / %s", "139-87654321", "139.1111.2222", "440304 19900101 2471")
    log.warning("split: 139\u200b8765\u200b4321")
    output = stream.getvalue()
    assert find_unmasked(output) == []
    assert output.count("139****4321") == 2 and "139****2222" in output and "440304********2471" in output


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


# --- properties over the forms people type ---------------------------------------------------------------------
# Small alphabets and short lists: the examples stay cheap on a busy machine.
CHINESE = "小区门口垃圾桶三天没人清理味道很大请联系我电话身份证号楼栋单元室，。：、"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
SEPARATORS = ["", " ", "-", ".", "  ", " - ", "\u3000", "－"]
chinese = st.text(alphabet=CHINESE, min_size=1, max_size=8)


def luhn_completed(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


old_id_numbers = st.builds(
    lambda region, born, seq: f"{region}{born:%y%m%d}{seq:03d}",
    st.from_regex(r"[1-9][0-9]{5}", fullmatch=True),
    st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
bank_cards = st.builds(
    lambda body: luhn_completed(body), st.from_regex(r"62[0-9]{13}|62[0-9]{16}|4[0-9]{14}", fullmatch=True)
)
emails = st.from_regex(r"[a-z0-9][a-z0-9._]{0,8}@[a-z0-9]{1,8}\.(com|cn|net)", fullmatch=True)

PHONE_LAYOUTS = [(11,), (3, 4, 4), (3, 8), (7, 4), (4, 4, 3), (3, 3, 5)]
PHONE_PREFIXES = ("", "+86", "+86 ", "+86-", "0086", "0086 ", "86", "（+86）", "(+86) ")
ID_LAYOUTS = [(18,), (6, 8, 4), (6, 4, 4, 4)]
OLD_ID_LAYOUTS = [(15,), (6, 6, 3)]


def card_layouts(number: str) -> list[tuple[int, ...]]:
    return [(len(number),), (4, 4, 4, 4) if len(number) == 16 else (4, 4, 4, 4, 3)]


@st.composite
def typed(draw, number: str, layouts: list[tuple[int, ...]], prefixes: tuple[str, ...] = ("",)) -> str:
    """`number` as a person might type it: grouped, separated, with a prefix, some full-width characters and
    zero-width characters anywhere inside."""
    layout = draw(st.sampled_from(layouts))
    separator = draw(st.sampled_from(SEPARATORS))
    groups, at = [], 0
    for size in layout:
        groups.append(number[at : at + size])
        at += size
    text = draw(st.sampled_from(prefixes)) + separator.join(groups)
    wide = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    text = "".join(
        chr(ord(c) + 0xFEE0) if w and "!" <= c <= "~" else c for c, w in zip(text, wide, strict=True)
    )
    for position, invisible in draw(
        st.lists(st.tuples(st.integers(0, len(text)), st.sampled_from(ZERO_WIDTH)), max_size=3)
    ):
        text = text[:position] + invisible + text[position:]
    return text


@st.composite
def personal_item(draw) -> tuple[str, str]:
    """(as typed, what must not survive redaction): the digits of a number, or an e-mail address."""
    kind = draw(st.sampled_from(["phone", "id", "id_lower", "old_id", "card", "email"]))
    if kind == "phone":
        number = draw(mobiles)
        return draw(typed(number, PHONE_LAYOUTS, PHONE_PREFIXES)), number
    if kind in ("id", "id_lower"):
        number = draw(id_numbers)
        return draw(typed(number.lower() if kind == "id_lower" else number, ID_LAYOUTS)), number
    if kind == "old_id":
        number = draw(old_id_numbers)
        return draw(typed(number, OLD_ID_LAYOUTS)), number
    if kind == "card":
        number = draw(bank_cards)
        return draw(typed(number, card_layouts(number))), number
    address = draw(emails)
    return address, address


def visible_digits(text: str) -> str:
    """The digits (and X, and the mask's stars) a reader sees, whatever they were typed with."""
    folded = unicodedata.normalize("NFKC", text).upper()
    return re.sub(r"[^0-9X*]", "", folded)


@st.composite
def appeal_texts(draw) -> tuple[str, list[str]]:
    items = draw(st.lists(personal_item(), min_size=1, max_size=4))
    pieces = [draw(chinese)]
    for shown, _ in items:
        pieces += [shown, draw(chinese)]
    return "".join(pieces), [secret for _, secret in items]


@PROPERTY
@given(appeal_texts())
def test_every_identifier_typed_in_chinese_text_is_found_and_nothing_of_it_survives_redaction(case):
    text, secrets = case
    assert len(find_unmasked(text)) == len(secrets)
    redacted = redact(text)
    assert find_unmasked(redacted) == []
    for secret in secrets:
        if "@" in secret:
            assert secret not in redacted
        else:
            assert secret.upper() not in visible_digits(redacted)


legitimate_numbers = st.one_of(
    st.dates().map(lambda d: f"{d:%Y-%m-%d}"),
    st.dates().map(lambda d: f"{d:%Y.%m.%d}"),
    st.dates().map(lambda d: f"{d.year}年{d.month}月{d.day}日"),
    st.times().map(lambda t: f"{t:%H:%M}"),
    st.tuples(st.times(), st.times()).map(lambda ts: f"{ts[0]:%H:%M}-{ts[1]:%H:%M}"),
    st.decimals(min_value=0, max_value=10**7, places=2).map(lambda a: f"¥{a:,}"),
    st.integers(min_value=0, max_value=10**6).map(lambda n: f"{n}元"),
    st.tuples(st.integers(1, 99), st.integers(1, 40), st.integers(1, 9)).map(
        lambda t: f"{t[0]}栋{t[1]}0{t[2]}室"
    ),
    st.tuples(st.dates(min_value=date(2020, 1, 1)), st.integers(0, 9_999_999)).map(
        lambda t: f"SQ{t[0]:%Y%m%d}{t[1]:06d}"
    ),
    landlines,
    st.integers(min_value=0, max_value=99999).map(str),
)


@PROPERTY
@given(
    st.lists(st.tuples(chinese, legitimate_numbers), max_size=6).map(lambda ps: "".join(a + b for a, b in ps))
)
def test_text_with_dates_amounts_house_appeal_and_office_numbers_but_no_identifier_is_left_as_it_is(text):
    assert redact(text) == text
    assert find_unmasked(text) == []
