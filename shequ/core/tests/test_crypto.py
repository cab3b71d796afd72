"""Encryption at rest, blind indexes, keys and the EncryptedTextField, without the database.

The database-level rotation test (reencrypt_all on real rows) lives with the first model that stores personal
data; here every piece it is made of is tested on its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
from io import StringIO

import pytest
from django import forms
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.db.migrations.writer import MigrationWriter
from django.db.models import signals
from django.test import override_settings
from django.test.utils import isolate_apps
from hypothesis import given, settings
from hypothesis import strategies as st

from shequ.core import crypto
from shequ.core.crypto import (
    DecryptionError,
    EncryptedTextField,
    blind_index,
    check_keys,
    current_key_id,
    decrypt,
    encrypt,
    encrypted_fields,
    generate_key,
    hash_lookup,
    reencrypt_model,
    rotate_token,
    token_key_id,
)
from shequ.core.idnumbers import normalize_phone
from shequ.core.management.commands import reencrypt_personal_data

PROPERTY = settings(max_examples=100, deadline=None)

CURRENT_KEY = "b_ZxwomcHlCnyOXcHvl9aRQw_jK0F8QE8OzL79Cf_kY="
OLD_KEY = "jBmdVCU0tSUrruBzquvLXaqedLu9cfupztxp11tlrqI="
HASH_KEY = "hsn_Oinu3N4_g9OoTAvCbQMs4SIqaRURw4t-s2jM1Qs="
BOTH_KEYS = f"test2:{CURRENT_KEY},test1:{OLD_KEY}"
CONTEXT = "residents.resident.phone"


@pytest.fixture(autouse=True, scope="module")
def fixed_keys():
    with override_settings(
        SHEQU_DATA_KEYS=BOTH_KEYS, SHEQU_HASH_KEY=HASH_KEY, SHEQU_ALLOW_LOCAL_KEYFILE=False
    ):
        yield


def raw_key(encoded: str) -> bytes:
    return base64.urlsafe_b64decode(encoded)


# --- encrypt and decrypt -------------------------------------------------------------------------------------


@PROPERTY
@given(st.text())
def test_any_text_comes_back_from_its_token(plaintext):
    token = encrypt(plaintext, context=CONTEXT)
    assert decrypt(token, context=CONTEXT) == plaintext


def test_a_token_names_the_format_and_the_current_key_and_never_shows_the_plaintext():
    token = encrypt("13812345678", context=CONTEXT)
    version, key_id, data = token.split(".")
    assert (version, key_id) == ("v1", "test2")
    assert "13812345678" not in token
    # 12-byte nonce + 11 bytes of ciphertext + 16-byte tag.
    assert len(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))) == 12 + 11 + 16
    assert token_key_id(token) == current_key_id() == "test2"


def test_the_same_value_encrypts_differently_each_time():
    assert encrypt("张伟", context=CONTEXT) != encrypt("张伟", context=CONTEXT)


def test_a_token_copied_to_another_column_does_not_decrypt():
    token = encrypt("13812345678", context=CONTEXT)
    with pytest.raises(DecryptionError, match="another column"):
        decrypt(token, context="accounts.user.phone")


@PROPERTY
@given(st.data())
def test_changing_any_character_of_the_data_is_detected(data):
    token = encrypt("440308199001011234", context=CONTEXT)
    prefix, encoded = token.rsplit(".", 1)
    blob = bytearray(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    position = data.draw(st.integers(min_value=0, max_value=len(blob) - 1))
    blob[position] ^= data.draw(st.integers(min_value=1, max_value=255))
    tampered = f"{prefix}.{base64.urlsafe_b64encode(bytes(blob)).decode().rstrip('=')}"
    with pytest.raises(DecryptionError, match="altered"):
        decrypt(tampered, context=CONTEXT)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("13812345678", "not an encrypted token"),
        ("v2.test2.AAAA", "not an encrypted token"),
        ("v1.bad kid.AAAA", "not an encrypted token"),
        ("v1.test2.AAAA", "truncated"),
        ("v1.test2.*not-base64*", "not valid base64"),
        ("v1.test2.AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA", "not valid base64"),
    ],
)
def test_a_malformed_token_is_a_decryption_error(token, message):
    with pytest.raises(DecryptionError, match=message):
        decrypt(token, context=CONTEXT)


def test_a_token_under_an_unknown_key_says_which_key_is_missing(settings):
    token = encrypt("13812345678", context=CONTEXT)
    settings.SHEQU_DATA_KEYS = f"test3:{generate_key()}"
    with pytest.raises(DecryptionError, match="'test2', which is not in SHEQU_DATA_KEYS"):
        decrypt(token, context=CONTEXT)


def test_error_messages_carry_neither_the_plaintext_nor_a_key(settings):
    token = encrypt("13812345678", context=CONTEXT)
    messages = []
    for attempt in (
        lambda: decrypt(token, context="other"),
        lambda: decrypt(token[:-4] + "AAAA", context=CONTEXT),
    ):
        with pytest.raises(DecryptionError) as caught:
            attempt()
        messages.append(str(caught.value))
    for message in messages:
        assert "13812345678" not in message
        assert CURRENT_KEY not in message and OLD_KEY not in message and HASH_KEY not in message


def test_encrypt_takes_text_only():
    with pytest.raises(TypeError):
        encrypt(13812345678, context=CONTEXT)  # type: ignore[arg-type]


# --- rotation ----------------------------------------------------------------------------------------------------


def test_a_value_written_under_the_old_key_still_decrypts(settings):
    settings.SHEQU_DATA_KEYS = f"test1:{OLD_KEY}"
    old_token = encrypt("13812345678", context=CONTEXT)
    settings.SHEQU_DATA_KEYS = BOTH_KEYS
    assert token_key_id(old_token) == "test1"
    assert decrypt(old_token, context=CONTEXT) == "13812345678"


def test_rotating_a_token_moves_it_to_the_current_key(settings):
    settings.SHEQU_DATA_KEYS = f"test1:{OLD_KEY}"
    old_token = encrypt("13812345678", context=CONTEXT)
    settings.SHEQU_DATA_KEYS = BOTH_KEYS

    new_token = rotate_token(old_token, context=CONTEXT)

    assert token_key_id(new_token) == "test2"
    assert decrypt(new_token, context=CONTEXT) == "13812345678"
    settings.SHEQU_DATA_KEYS = f"test2:{CURRENT_KEY}"  # the old key can now go
    assert decrypt(new_token, context=CONTEXT) == "13812345678"


def test_rotating_a_token_already_under_the_current_key_returns_it_unchanged():
    token = encrypt("13812345678", context=CONTEXT)
    assert rotate_token(token, context=CONTEXT) == token


def test_rotating_an_altered_token_fails_instead_of_re_encrypting_it():
    token = encrypt("13812345678", context=CONTEXT)
    with pytest.raises(DecryptionError):
        rotate_token(token, context="accounts.user.phone")


# --- blind index -------------------------------------------------------------------------------------------------


def test_the_blind_index_is_the_hmac_sha256_of_context_and_value():
    expected = hmac.new(raw_key(HASH_KEY), f"{CONTEXT}\x0013812345678".encode(), hashlib.sha256).hexdigest()
    assert blind_index("13812345678", context=CONTEXT) == expected
    assert len(expected) == 64


def test_the_blind_index_differs_between_columns_and_between_hash_keys(settings):
    here = blind_index("13812345678", context=CONTEXT)
    assert blind_index("13812345678", context="accounts.user.phone") != here
    settings.SHEQU_HASH_KEY = generate_key()
    assert blind_index("13812345678", context=CONTEXT) != here


# --- keys ----------------------------------------------------------------------------------------------------------


def test_a_generated_key_is_32_random_bytes_in_base64():
    key = generate_key()
    assert len(raw_key(key)) == 32
    assert generate_key() != key


def test_keys_may_be_written_in_standard_or_urlsafe_base64_with_spaces_around(settings):
    standard = base64.b64encode(raw_key(CURRENT_KEY)).decode().rstrip("=")
    settings.SHEQU_DATA_KEYS = f" test2 : {standard} ,\n test1:{OLD_KEY}"
    token = encrypt("x", context=CONTEXT)
    settings.SHEQU_DATA_KEYS = BOTH_KEYS
    assert decrypt(token, context=CONTEXT) == "x"


MALFORMED_KEYS = {
    "no key id": (CURRENT_KEY, HASH_KEY, "must look like 'KEY_ID:BASE64KEY'"),
    "a dot in the key id": (f"a.b:{CURRENT_KEY}", HASH_KEY, "must look like"),
    "a duplicate key id": (f"k:{CURRENT_KEY},k:{OLD_KEY}", HASH_KEY, "names the key id 'k' twice"),
    "not base64": ("k:@@@@", HASH_KEY, "key 'k' is not valid base64"),
    "a 16-byte key": (f"k:{base64.b64encode(b'x' * 16).decode()}", HASH_KEY, "has 16 bytes"),
    "a short hash key": (BOTH_KEYS, base64.b64encode(b"x" * 16).decode(), "SHEQU_HASH_KEY has 16 bytes"),
    "a hash key that is a data key": (BOTH_KEYS, OLD_KEY, "must differ"),
    "only data keys": (BOTH_KEYS, "", "Set both"),
    "only a hash key": ("", HASH_KEY, "Set both"),
    "only commas": (",,", HASH_KEY, "has no key"),
}


@pytest.mark.parametrize(
    ("data_keys", "hash_key", "message"), MALFORMED_KEYS.values(), ids=MALFORMED_KEYS.keys()
)
def test_malformed_keys_are_an_improperly_configured_error_that_says_why(
    settings, data_keys, hash_key, message
):
    settings.SHEQU_DATA_KEYS, settings.SHEQU_HASH_KEY = data_keys, hash_key
    with pytest.raises(ImproperlyConfigured, match=message) as caught:
        encrypt("x", context=CONTEXT)
    assert CURRENT_KEY not in str(caught.value) and OLD_KEY not in str(caught.value)
    assert [error.id for error in check_keys()] == ["shequ.E001"]


def test_the_system_check_passes_with_good_keys():
    assert check_keys() == []


def test_without_keys_and_without_the_local_key_file_nothing_is_encrypted(settings):
    settings.SHEQU_DATA_KEYS = settings.SHEQU_HASH_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="must be set"):
        encrypt("x", context=CONTEXT)
    assert [error.id for error in check_keys()] == ["shequ.E001"]


@pytest.fixture
def local_keyfile(settings, tmp_path):
    settings.SHEQU_DATA_KEYS = settings.SHEQU_HASH_KEY = ""
    settings.SHEQU_ALLOW_LOCAL_KEYFILE = True
    settings.SHEQU_KEYFILE = str(tmp_path / "var" / "keys.json")
    return tmp_path / "var" / "keys.json"


def test_a_developer_machine_gets_a_private_key_file_on_first_use(local_keyfile):
    assert check_keys() == []  # the check does not create it
    assert not local_keyfile.exists()

    token = encrypt("13812345678", context=CONTEXT)

    assert stat.S_IMODE(local_keyfile.stat().st_mode) == 0o600
    document = json.loads(local_keyfile.read_text())
    assert token_key_id(token) == document["data_keys"].split(":")[0]
    assert [p.name for p in local_keyfile.parent.iterdir()] == ["keys.json"]  # no temporary file left
    assert check_keys() == []


def test_the_local_key_file_is_reused_after_a_restart(local_keyfile):
    token = encrypt("13812345678", context=CONTEXT)
    before = local_keyfile.read_text()
    crypto._local_keys.cache_clear()
    crypto._parse_keys.cache_clear()

    assert decrypt(token, context=CONTEXT) == "13812345678"
    assert local_keyfile.read_text() == before


def test_a_malformed_local_key_file_is_reported_not_replaced(local_keyfile):
    local_keyfile.parent.mkdir(parents=True)
    local_keyfile.write_text("{not json")
    os.chmod(local_keyfile, 0o600)
    with pytest.raises(ImproperlyConfigured, match="unreadable or malformed"):
        encrypt("x", context=CONTEXT)
    assert local_keyfile.read_text() == "{not json"
    assert [error.id for error in check_keys()] == ["shequ.E001"]


def test_set_keys_win_over_the_local_key_file(local_keyfile, settings):
    settings.SHEQU_DATA_KEYS, settings.SHEQU_HASH_KEY = BOTH_KEYS, HASH_KEY
    assert token_key_id(encrypt("x", context=CONTEXT)) == "test2"
    assert not local_keyfile.exists()


# --- the field ---------------------------------------------------------------------------------------------------

with isolate_apps("shequ.core"):

    class Person(models.Model):  # noqa: DJ008 (a test stand-in, never displayed)
        """A stand-in for a model holding personal data, in an isolated app registry (no table, no migration)."""

        name = EncryptedTextField(blank=True)
        phone = EncryptedTextField(blank=True, blind_index="phone_hash", normalize=normalize_phone)
        phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
        note = EncryptedTextField(null=True, blank=True, blind_index="note_hash")
        # A nullable index column is allowed: None then stays None, and "" stays "".
        note_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

        class Meta:
            app_label = "core"

    class Plain(models.Model):  # noqa: DJ008 (a test stand-in, never displayed)
        title = models.CharField(max_length=10)

        class Meta:
            app_label = "core"

    class HashFirst(models.Model):  # noqa: DJ008 (a test stand-in, never displayed)
        phone_hash = models.CharField(max_length=64)
        phone = EncryptedTextField(blind_index="phone_hash")

        class Meta:
            app_label = "core"

    class Misconfigured(models.Model):  # noqa: DJ008 (a test stand-in, never displayed)
        a = EncryptedTextField(blind_index="missing")
        b = EncryptedTextField(unique=True)
        c = EncryptedTextField(blind_index="c_hash")
        c_hash = models.CharField(max_length=32)
        d = EncryptedTextField(normalize="shequ.core.idnumbers.normalize_phone")
        e = EncryptedTextField(blind_index="e_hash", normalize="shequ.core.idnumbers.no_such_function")
        e_hash = models.CharField(max_length=64)

        class Meta:
            app_label = "core"


def phone_field() -> EncryptedTextField:
    field = Person._meta.get_field("phone")
    assert isinstance(field, EncryptedTextField)
    return field


def test_the_database_gets_a_token_and_python_gets_the_plaintext_back():
    field = phone_field()
    stored = field.get_db_prep_save("13812345678", connection)
    assert stored.startswith("v1.test2.")
    assert field.from_db_value(stored, None, connection) == "13812345678"


def test_the_context_is_the_model_label_and_field_so_columns_cannot_swap_tokens():
    assert phone_field().crypto_context == "core.person.phone"
    name_token = Person._meta.get_field("name").get_db_prep_save("张伟", connection)
    with pytest.raises(DecryptionError):
        phone_field().from_db_value(name_token, None, connection)


@pytest.mark.parametrize("empty", ["", None])
def test_no_value_is_stored_as_it_is_so_it_stays_queryable(empty):
    field = phone_field()
    assert field.get_db_prep_save(empty, connection) == empty
    assert field.from_db_value(empty, None, connection) == empty


def test_saving_twice_encrypts_the_plaintext_each_time_never_a_token():
    person = Person(phone="13812345678")
    field = phone_field()
    first = field.get_db_prep_save(field.pre_save(person, add=True), connection)
    second = field.get_db_prep_save(field.pre_save(person, add=False), connection)
    assert person.phone == "13812345678"
    assert first != second
    assert decrypt(first, context=field.crypto_context) == decrypt(second, context=field.crypto_context)


def test_pre_save_writes_the_blind_index_of_the_normalised_value():
    person = Person(phone="+86 138-1234-5678")
    phone_field().pre_save(person, add=True)
    assert person.phone_hash == blind_index("13812345678", context="core.person.phone")
    assert person.phone_hash == hash_lookup(Person, "phone", "138 1234 5678")["phone_hash"]


def test_no_value_gets_an_empty_blind_index_or_null_where_the_index_allows_it():
    person = Person(phone="", phone_hash="stale", note=None, note_hash="stale")
    Person._meta.get_field("phone").pre_save(person, add=False)
    Person._meta.get_field("note").pre_save(person, add=False)
    assert (person.phone_hash, person.note_hash) == ("", None)


def test_hash_lookup_gives_the_filter_keyword_for_an_exact_match():
    assert hash_lookup(Person, "phone", "13812345678") == {
        "phone_hash": blind_index("13812345678", context="core.person.phone")
    }
    assert hash_lookup(Person, "phone", "") == {"phone_hash": ""}


def test_hash_lookup_refuses_a_field_without_a_blind_index():
    with pytest.raises(ValueError, match="no blind index"):
        hash_lookup(Person, "name", "张伟")
    with pytest.raises(ValueError, match="no blind index"):
        hash_lookup(Plain, "title", "x")


def test_filtering_on_the_encrypted_value_is_refused_except_for_no_value():
    with pytest.raises(FieldError, match="hash_lookup"):
        Person.objects.filter(phone="13812345678")
    with pytest.raises(FieldError, match="Unsupported lookup 'icontains'"):
        Person.objects.filter(phone__icontains="138")
    with pytest.raises(FieldError, match="Unsupported lookup 'in'"):
        Person.objects.filter(phone__in=["13812345678"])
    assert "phone" in str(Person.objects.filter(phone="").query)
    assert "IS NULL" in str(Person.objects.filter(note__isnull=True).query)


def send_pre_save(instance: models.Model, update_fields: frozenset[str] | None) -> None:
    signals.pre_save.send(
        sender=type(instance), instance=instance, raw=False, using="default", update_fields=update_fields
    )


def test_save_computes_the_blind_index_whatever_the_field_order():
    person = HashFirst(phone="13812345678")
    send_pre_save(person, None)
    assert person.phone_hash == blind_index("13812345678", context="core.hashfirst.phone")


def test_saving_a_value_without_its_blind_index_in_update_fields_is_refused():
    person = Person(phone="13812345678")
    with pytest.raises(ValueError, match="add 'phone_hash' to update_fields"):
        send_pre_save(person, frozenset({"phone"}))
    send_pre_save(person, frozenset({"phone", "phone_hash"}))
    assert person.phone_hash == hash_lookup(Person, "phone", "13812345678")["phone_hash"]
    send_pre_save(person, frozenset({"name"}))  # saving other fields needs nothing


def test_the_field_deconstructs_into_a_clean_migration_and_back():
    field = phone_field()
    name, path, args, kwargs = field.deconstruct()
    assert (name, path) == ("phone", "shequ.core.crypto.EncryptedTextField")
    assert kwargs == {
        "blank": True,
        "blind_index": "phone_hash",
        "normalize": "shequ.core.idnumbers.normalize_phone",
    }
    rebuilt = EncryptedTextField(*args, **kwargs)
    assert rebuilt.deconstruct()[1:] == (path, args, kwargs)
    assert rebuilt.normalize("+86 138 1234 5678") == "13812345678"

    source, imports = MigrationWriter.serialize(field)
    assert "normalize='shequ.core.idnumbers.normalize_phone'" in source
    assert imports == {"import shequ.core.crypto"}


def test_a_pinned_context_survives_deconstruction():
    field = EncryptedTextField(context="residents.resident.phone")
    kwargs = field.deconstruct()[3]
    assert kwargs == {"context": "residents.resident.phone"}
    assert EncryptedTextField(**kwargs).crypto_context == "residents.resident.phone"


def test_normalize_must_be_a_function_migrations_can_name():
    with pytest.raises(ValueError, match="module-level function"):
        EncryptedTextField(blind_index="h", normalize=lambda value: value)
    with pytest.raises(ValueError, match="dotted path"):
        EncryptedTextField(blind_index="h", normalize="normalize_phone")


def test_a_well_declared_model_passes_the_checks():
    assert Person.check() == []


def test_the_checks_explain_every_misconfiguration():
    found = {error.id: error.msg for error in Misconfigured.check()}
    assert "blind_index names 'missing'" in found["shequ.E104"]
    assert "cannot be unique" in found["shequ.E101"]
    assert "max_length >= 64" in found["shequ.E105"]
    assert "normalize has no effect" in found["shequ.E102"]
    assert "no_such_function" in found["shequ.E103"]
    assert "declared after 'phone'" in HashFirst.check()[0].msg


def test_the_form_field_is_a_single_line_input():
    form_field = phone_field().formfield()
    assert isinstance(form_field, forms.CharField)
    assert isinstance(form_field.widget, forms.TextInput)


def test_encrypted_fields_lists_the_fields_of_a_model_and_a_model_without_any_needs_no_work():
    assert [f.name for f in encrypted_fields(Person)] == ["name", "phone", "note"]
    assert reencrypt_model(Plain) == 0
    with pytest.raises(ValueError, match="batch_size"):
        reencrypt_model(Person, batch_size=0)


# --- the command (its walk over real rows is tested with the models that hold personal data) ----------------


def run_command(monkeypatch, counts_or_error, *args: str) -> tuple[str, list[dict]]:
    calls: list[dict] = []

    def fake_reencrypt_all(**kwargs):
        calls.append(kwargs)
        if isinstance(counts_or_error, Exception):
            raise counts_or_error
        return counts_or_error

    monkeypatch.setattr(reencrypt_personal_data, "reencrypt_all", fake_reencrypt_all)
    out = StringIO()
    call_command("reencrypt_personal_data", *args, stdout=out)
    return out.getvalue(), calls


def test_the_command_prints_the_rows_changed_per_model(monkeypatch):
    out, calls = run_command(monkeypatch, {"residents.Resident": 120, "accounts.User": 3})
    assert calls == [{"batch_size": 500, "dry_run": False}]
    assert out.splitlines() == [
        "Current data key: test2",
        "accounts.User: 3 rows re-encrypted or re-indexed",
        "residents.Resident: 120 rows re-encrypted or re-indexed",
        "Total: 123 rows re-encrypted or re-indexed in 2 models.",
    ]


def test_a_dry_run_only_counts(monkeypatch):
    out, calls = run_command(monkeypatch, {"accounts.User": 3}, "--dry-run", "--batch-size", "50")
    assert calls == [{"batch_size": 50, "dry_run": True}]
    assert "accounts.User: 3 rows to re-encrypt or re-index" in out
    assert out.endswith("Dry run: nothing was written.\n")


def test_an_undecryptable_row_stops_the_command_with_a_clear_error(monkeypatch):
    error = DecryptionError("residents.Resident pk=7, field phone: it was altered")
    with pytest.raises(CommandError, match="pk=7, field phone: it was altered.*run again"):
        run_command(monkeypatch, error)
