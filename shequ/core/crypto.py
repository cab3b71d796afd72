"""Encryption at rest of personal identifiers (PIPL; 等保 2.0 level 3), blind indexes and key rotation.

A value is stored as the token "v1.<key id>.<urlsafe base64 of nonce + AES-256-GCM ciphertext and tag>". The
associated data is the column's context ("<app>.<model>.<field>"), so a token copied into another column (or
another table) does not decrypt. Exact lookups go through a keyed hash (HMAC-SHA256) of the normalised value in
a sibling column: `Resident.objects.filter(**hash_lookup(Resident, "phone", "138 1234 5678"))`.

Keys come from settings:

- SHEQU_DATA_KEYS = "kid2:BASE64KEY,kid1:BASE64KEY": AES-256 keys; the first encrypts, all decrypt.
- SHEQU_HASH_KEY = "BASE64KEY" (at least 32 bytes): the blind-index key.
- With both empty and SHEQU_ALLOW_LOCAL_KEYFILE = True (a developer's machine), keys are read from
  SHEQU_KEYFILE (default var/keys.json), created with fresh random keys and mode 0600 on first use.

Rotation: put a new key first in SHEQU_DATA_KEYS (keep the old ones after it), deploy, then run
`manage.py reencrypt_personal_data`; once it reports nothing left, the old key can go. A new SHEQU_HASH_KEY
takes effect for lookups at once, so run the command right after deploying it: rows not yet re-indexed are not
found by hash until then.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django import forms
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models, router, transaction
from django.db.models import ExpressionWrapper, F, Value, signals
from django.db.models.lookups import Exact, IsNull
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

FORMAT_VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
MIN_HASH_KEY_BYTES = 32
BLIND_INDEX_LENGTH = 64  # hex digits of an HMAC-SHA256
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_GENERATE_HINT = (
    'generate one with: python -c "from shequ.core.crypto import generate_key; print(generate_key())"'
)


class DecryptionError(ValueError):
    """A stored value cannot be decrypted: unknown key id, altered data, or a token from another column."""


# --- keys ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRing:
    """The parsed keys: the current key id, a cipher per key id, and the blind-index key."""

    current_key_id: str
    ciphers: dict[str, AESGCM]
    hash_key: bytes


def generate_key() -> str:
    """A fresh random 32-byte key in urlsafe base64, for SHEQU_DATA_KEYS or SHEQU_HASH_KEY."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def _decode_key(text: str, *, what: str) -> bytes:
    # Accept both the standard and the urlsafe alphabet, with or without padding.
    compact = "".join(text.split()).replace("-", "+").replace("_", "/")
    compact += "=" * (-len(compact) % 4)
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{what} is not valid base64; {_GENERATE_HINT}") from None


@functools.lru_cache(maxsize=16)
def _parse_keys(data_keys: str, hash_key: str) -> KeyRing:
    """Parse once per distinct pair of setting strings (override_settings in tests gets its own ring)."""
    entries = [entry.strip() for entry in data_keys.split(",") if entry.strip()]
    if not entries:
        raise ImproperlyConfigured("SHEQU_DATA_KEYS has no key; expected 'kid1:BASE64KEY,kid2:BASE64KEY'.")
    keys: dict[str, bytes] = {}
    for position, entry in enumerate(entries, start=1):
        key_id, colon, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not colon or not _KEY_ID.fullmatch(key_id):
            raise ImproperlyConfigured(
                f"SHEQU_DATA_KEYS entry {position} must look like 'KEY_ID:BASE64KEY', with a key id of up to "
                "32 letters, digits, '-' or '_'."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"SHEQU_DATA_KEYS names the key id '{key_id}' twice.")
        key = _decode_key(encoded, what=f"SHEQU_DATA_KEYS key '{key_id}'")
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"SHEQU_DATA_KEYS key '{key_id}' has {len(key)} bytes; AES-256 needs exactly {KEY_BYTES}; "
                f"{_GENERATE_HINT}"
            )
        keys[key_id] = key
    hash_bytes = _decode_key(hash_key, what="SHEQU_HASH_KEY")
    if len(hash_bytes) < MIN_HASH_KEY_BYTES:
        raise ImproperlyConfigured(
            f"SHEQU_HASH_KEY has {len(hash_bytes)} bytes; it needs at least {MIN_HASH_KEY_BYTES}; {_GENERATE_HINT}"
        )
    if any(hmac.compare_digest(hash_bytes, key) for key in keys.values()):
        # Key separation: the blind-index key must not also be an encryption key.
        raise ImproperlyConfigured("SHEQU_HASH_KEY must differ from every key in SHEQU_DATA_KEYS.")
    return KeyRing(
        current_key_id=next(iter(keys)),
        ciphers={key_id: AESGCM(key) for key_id, key in keys.items()},
        hash_key=hash_bytes,
    )


def _keyfile_path() -> Path:
    configured = getattr(settings, "SHEQU_KEYFILE", "")
    if configured:
        return Path(configured)
    return Path(getattr(settings, "VAR_DIR", "var")) / "keys.json"


def _create_keyfile(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "comment": "Local development keys of Shequ. Never use in production; losing this file loses the data.",
        "data_keys": f"local{date.today():%Y%m%d}:{generate_key()}",
        "hash_key": generate_key(),
    }
    # mkstemp creates the file with mode 0600; linking it into place fails if another process (runserver's
    # reloader, a Celery worker) created the key file first, and then that one's keys are used by both.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".keys-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return
        except OSError:
            # A filesystem without hard links: an exclusive create still never overwrites another's keys.
            try:
                exclusive = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return
            with os.fdopen(exclusive, "w", encoding="utf-8") as handle:
                json.dump(document, handle, indent=2)
    finally:
        os.unlink(temporary)
    logger.warning(
        "Generated local encryption keys in %s (mode 0600). Back it up: data encrypted with it cannot be read "
        "without it. Production sets SHEQU_DATA_KEYS and SHEQU_HASH_KEY instead.",
        path,
    )


def _read_keyfile(path: Path) -> tuple[str, str]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        data_keys, hash_key = document["data_keys"], document["hash_key"]
    except (OSError, ValueError, KeyError, TypeError):
        raise ImproperlyConfigured(
            f"The local key file {path} is unreadable or malformed (it needs 'data_keys' and 'hash_key'). Fix "
            "it, or move it away to start with new keys (data encrypted with the old ones is then unreadable)."
        ) from None
    if not isinstance(data_keys, str) or not isinstance(hash_key, str):
        raise ImproperlyConfigured(
            f"In the local key file {path}, 'data_keys' and 'hash_key' must be strings."
        )
    if os.name == "posix" and path.stat().st_mode & 0o077:
        logger.warning("The local key file %s can be read by other users: chmod 600 it.", path)
    return data_keys, hash_key


@functools.lru_cache(maxsize=4)
def _local_keys(path: str) -> tuple[str, str]:
    keyfile = Path(path)
    if not keyfile.exists():
        _create_keyfile(keyfile)
    return _read_keyfile(keyfile)


def _configured_keys() -> tuple[str, str] | None:
    """The two key settings, or None when both are empty (the local key file may then be used)."""
    data_keys = getattr(settings, "SHEQU_DATA_KEYS", "") or ""
    hash_key = getattr(settings, "SHEQU_HASH_KEY", "") or ""
    if not isinstance(data_keys, str) or not isinstance(hash_key, str):
        raise ImproperlyConfigured("SHEQU_DATA_KEYS and SHEQU_HASH_KEY must be strings.")
    if not data_keys and not hash_key:
        return None
    if not data_keys or not hash_key:
        raise ImproperlyConfigured(
            "Set both SHEQU_DATA_KEYS and SHEQU_HASH_KEY (or, on a developer's machine, neither, to use the local "
            "key file)."
        )
    return data_keys, hash_key


def _keyring() -> KeyRing:
    configured = _configured_keys()
    if configured is None:
        if not getattr(settings, "SHEQU_ALLOW_LOCAL_KEYFILE", False):
            raise ImproperlyConfigured(
                "SHEQU_DATA_KEYS and SHEQU_HASH_KEY must be set (the local key file is not allowed here); "
                f"{_GENERATE_HINT}"
            )
        configured = _local_keys(str(_keyfile_path()))
    return _parse_keys(*configured)


def current_key_id() -> str:
    """The id of the key new values are encrypted with (the first of SHEQU_DATA_KEYS)."""
    return _keyring().current_key_id


@checks.register(checks.Tags.security)
def check_keys(**kwargs: Any) -> list[checks.CheckMessage]:
    """Malformed keys stop `manage.py check`, `migrate` and `runserver` instead of the first request.

    It does not create the local key file: that happens on the first encryption.
    """
    try:
        configured = _configured_keys()
        if configured is not None:
            _parse_keys(*configured)
        elif not getattr(settings, "SHEQU_ALLOW_LOCAL_KEYFILE", False):
            _keyring()  # raises the "must be set" error
        elif _keyfile_path().exists():
            _parse_keys(*_local_keys(str(_keyfile_path())))
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="shequ.E001")]
    return []


# --- values ----------------------------------------------------------------------------------------------------


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _split_token(token: str) -> tuple[str, bytes]:
    parts = token.split(".", 2) if isinstance(token, str) else []
    if len(parts) != 3 or parts[0] != FORMAT_VERSION or not _KEY_ID.fullmatch(parts[1]):
        raise DecryptionError(f"The value is not an encrypted token ({FORMAT_VERSION}.<key id>.<data>).")
    try:
        blob = base64.b64decode(parts[2] + "=" * (-len(parts[2]) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionError("The data part of the encrypted token is not valid base64.") from None
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("The encrypted token is truncated.")
    return parts[1], blob


def token_key_id(token: str) -> str:
    """The id of the key a token was encrypted with."""
    return _split_token(token)[0]


def encrypt(plaintext: str, *, context: str) -> str:
    """The token of `plaintext` under the current key, bound to `context` (the column it belongs to)."""
    if not isinstance(plaintext, str):
        raise TypeError(f"encrypt() takes a str, not {type(plaintext).__name__}")
    ring = _keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.ciphers[ring.current_key_id].encrypt(
        nonce, plaintext.encode("utf-8"), context.encode("utf-8")
    )
    return f"{FORMAT_VERSION}.{ring.current_key_id}.{_b64encode(nonce + sealed)}"


def decrypt(token: str, *, context: str) -> str:
    """The plaintext of a token made by `encrypt` with the same context, under any configured key."""
    key_id, blob = _split_token(token)
    cipher = _keyring().ciphers.get(key_id)
    if cipher is None:
        raise DecryptionError(
            f"The value was encrypted with the key '{key_id}', which is not in SHEQU_DATA_KEYS: add it back "
            "after the current key to read it."
        )
    try:
        plaintext = cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode("utf-8"))
    except InvalidTag:
        raise DecryptionError(
            f"The value does not decrypt with the key '{key_id}' for '{context}': it was altered, or it was "
            "encrypted for another column."
        ) from None
    return plaintext.decode("utf-8")


def rotate_token(token: str, *, context: str) -> str:
    """The same value under the current key: the token itself if it already is, else a new encryption."""
    return _rotate(token, context=context)[1]


def _rotate(token: str, *, context: str) -> tuple[str, str]:
    """(plaintext, token under the current key); decrypting also proves the stored token is intact."""
    plaintext = decrypt(token, context=context)
    if token_key_id(token) == current_key_id():
        return plaintext, token
    return plaintext, encrypt(plaintext, context=context)


def blind_index(value: str, *, context: str) -> str:
    """The hex HMAC-SHA256 of `value` for exact lookups; the caller normalises `value` first."""
    message = context.encode("utf-8") + b"\x00" + value.encode("utf-8")
    return hmac.new(_keyring().hash_key, message, hashlib.sha256).hexdigest()


# --- the model field -------------------------------------------------------------------------------------------


def _dotted_path(normalize: Callable[[str], str] | str) -> str:
    """Migrations name `normalize` by its dotted path, so it must be a module-level function."""
    if isinstance(normalize, str):
        if "." not in normalize:
            raise ValueError(
                f"normalize must be a dotted path such as 'package.module.function', got {normalize!r}"
            )
        return normalize
    module = getattr(normalize, "__module__", None)
    qualname = getattr(normalize, "__qualname__", None)
    if not module or not qualname or "." in qualname or "<" in qualname:
        raise ValueError(
            f"normalize must be a module-level function (or its dotted path), so that migrations can name it; "
            f"got {normalize!r}"
        )
    return f"{module}.{qualname}"


class _EmptyOnlyExact(Exact):
    """`field=""` finds the rows without a value; any other value would be compared with a random token."""

    def get_prep_lookup(self) -> Any:
        if not hasattr(self.rhs, "resolve_expression") and self.rhs not in ("", None):
            field = self.lhs.output_field
            raise FieldError(
                f"{field.model._meta.label}.{field.name} is encrypted: filter on its blind index with "
                f"hash_lookup({field.model.__name__}, {field.name!r}, value) instead of comparing the value."
            )
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """Text stored encrypted (AES-256-GCM); Python sees the plaintext, the database the token.

    "" and None are stored as they are, so "no phone" stays queryable with `phone=""`. With
    `blind_index="phone_hash"`, saving also writes the HMAC of `normalize(value)` to that sibling CharField
    (max_length=64, declared after this field; put db_index or unique on it, never on this field).
    `context` pins the associated data; set it to the old "<app>.<model>.<field>" before renaming the model or
    the field, or the stored values stop decrypting.
    """

    description = "Text encrypted at rest (AES-256-GCM)"

    def __init__(
        self,
        *args: Any,
        blind_index: str | None = None,
        normalize: Callable[[str], str] | str | None = None,
        context: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.blind_index = blind_index
        self.normalize_path = _dotted_path(normalize) if normalize is not None else None
        self._normalize: Callable[[str], str] | None = normalize if callable(normalize) else None
        self.pinned_context = context
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        # blind_index and normalize stay in migrations: a data migration's historical model must write the same
        # hashes as the real one.
        name, path, args, kwargs = super().deconstruct()
        if self.blind_index is not None:
            kwargs["blind_index"] = self.blind_index
        if self.normalize_path is not None:
            kwargs["normalize"] = self.normalize_path
        if self.pinned_context is not None:
            kwargs["context"] = self.pinned_context
        return name, path, args, kwargs

    @property
    def crypto_context(self) -> str:
        """The associated data of this column's tokens and the context of its blind index."""
        if self.pinned_context is not None:
            return self.pinned_context
        return f"{self.model._meta.label_lower}.{self.attname}"

    def normalize(self, value: str) -> str:
        if self._normalize is None and self.normalize_path is not None:
            self._normalize = import_string(self.normalize_path)
        return self._normalize(value) if self._normalize is not None else value

    def index_of(self, value: str | None) -> str:
        """The blind index of a plaintext value; "" for no value."""
        if value is None or value == "":
            return ""
        return blind_index(self.normalize(value), context=self.crypto_context)

    def blind_index_field(self) -> models.Field[Any, Any]:
        """The sibling field that holds the blind index (the model check has made sure it is a field)."""
        field = self.model._meta.get_field(self.blind_index or "")
        if not isinstance(field, models.Field):
            raise FieldError(f"blind_index {self.blind_index!r} of {self.name!r} is not a concrete field")
        return field

    def fill_blind_index(self, instance: models.Model) -> None:
        if not self.blind_index:
            return
        sibling = self.blind_index_field()
        value = getattr(instance, self.attname)
        index = None if value is None and sibling.null else self.index_of(value)
        setattr(instance, sibling.attname, index)

    # The instance always holds the plaintext; only the value sent to the database is encrypted, so saving
    # twice encrypts the plaintext twice (two fresh nonces), never a token.
    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value, context=self.crypto_context)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value, context=self.crypto_context)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        # Save() is also covered by the pre_save signal below; this covers bulk_create.
        self.fill_blind_index(model_instance)
        return super().pre_save(model_instance, add)

    # Only `field=""` and `field__isnull` make sense on random tokens; anything else (contains, in, lt…) is an
    # "Unsupported lookup" error, with no misleading "perhaps you meant icontains" suggestion.
    @staticmethod
    def get_lookups() -> dict[str, Any]:  # type: ignore[override]
        return {"exact": _EmptyOnlyExact, "isnull": IsNull}

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        # Identifiers are one line; TextField's default would be a textarea.
        return super().formfield(
            form_class=form_class,
            choices_form_class=choices_form_class,
            **{"widget": forms.TextInput, **kwargs},
        )

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        return [*super().check(**kwargs), *self._check_encryption_options()]

    def _check_encryption_options(self) -> list[checks.CheckMessage]:
        errors: list[checks.CheckMessage] = []
        if self.unique or self.primary_key or getattr(self, "db_index", False):
            errors.append(
                checks.Error(
                    "An encrypted field cannot be unique, indexed or a primary key: every token is random.",
                    hint="Put unique=True or db_index=True on its blind index field.",
                    obj=self,
                    id="shequ.E101",
                )
            )
        if self.normalize_path is not None:
            if not self.blind_index:
                errors.append(
                    checks.Error("normalize has no effect without blind_index.", obj=self, id="shequ.E102")
                )
            try:
                self.normalize("")
            except Exception as exc:
                errors.append(
                    checks.Error(
                        f"normalize {self.normalize_path!r} cannot be imported or called: {exc}",
                        obj=self,
                        id="shequ.E103",
                    )
                )
        if self.blind_index:
            errors.extend(self._check_blind_index_field())
        return errors

    def _check_blind_index_field(self) -> list[checks.CheckMessage]:
        local = list(self.model._meta.local_concrete_fields)
        sibling = next((f for f in local if f.name == self.blind_index), None)
        if sibling is None:
            return [
                checks.Error(
                    f"blind_index names {self.blind_index!r}, which is not a field of this model.",
                    hint=f"Add {self.blind_index} = models.CharField(max_length=64, blank=True, db_index=True) "
                    "after this field.",
                    obj=self,
                    id="shequ.E104",
                )
            ]
        errors: list[checks.CheckMessage] = []
        if not isinstance(sibling, models.CharField | models.TextField) or (
            sibling.max_length is not None and sibling.max_length < BLIND_INDEX_LENGTH
        ):
            errors.append(
                checks.Error(
                    f"The blind index field {self.blind_index!r} must be a CharField with max_length >= 64.",
                    obj=self,
                    id="shequ.E105",
                )
            )
        if local.index(sibling) < local.index(self):
            errors.append(
                checks.Error(
                    f"The blind index field {self.blind_index!r} must be declared after {self.name!r}.",
                    hint="bulk_create() reads fields in order and would store the hash before it is computed.",
                    obj=self,
                    id="shequ.E106",
                )
            )
        return errors


_BLIND_INDEXED: dict[type[models.Model], tuple[EncryptedTextField, ...]] = {}


def _blind_indexed_fields(model: type[models.Model]) -> tuple[EncryptedTextField, ...]:
    """The model's encrypted fields that have a blind index (none for most): worked out once per model, since
    the receiver below runs before every save of every model."""
    fields = _BLIND_INDEXED.get(model)
    if fields is None:
        fields = _BLIND_INDEXED[model] = tuple(
            f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField) and f.blind_index
        )
    return fields


def _refresh_blind_indexes(
    sender: type[models.Model],
    instance: models.Model,
    raw: bool = False,
    update_fields: Iterable[str] | None = None,
    **kwargs: Any,
) -> None:
    """Compute every blind index before save(), whatever the field order, and refuse a save that would leave
    one stale (update_fields, or a model loaded with only()/defer(), that names the value but not its hash)."""
    if raw:
        return
    for field in _blind_indexed_fields(type(instance)):
        if update_fields is not None:
            if field.name not in update_fields:
                continue
            if (field.blind_index or "") not in update_fields:
                raise ValueError(
                    f"Saving {instance._meta.label}.{field.name} without its blind index {field.blind_index!r} "
                    f"would leave the hash stale: add {field.blind_index!r} to update_fields (or do not defer it)."
                )
        field.fill_blind_index(instance)


signals.pre_save.connect(_refresh_blind_indexes, dispatch_uid="shequ.core.crypto.refresh_blind_indexes")


def hash_lookup(model: type[models.Model], field_name: str, value: str) -> dict[str, str]:
    """Filter keyword for an exact match: `Resident.objects.filter(**hash_lookup(Resident, "phone", v))`."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, EncryptedTextField) or not field.blind_index:
        raise ValueError(
            f"{model._meta.label}.{field_name} has no blind index: hash_lookup needs "
            "EncryptedTextField(blind_index=...)."
        )
    return {field.blind_index: field.index_of(value or "")}


# --- re-encryption after a key rotation --------------------------------------------------------------------------


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    """The encrypted fields stored in this model's own table (a parent's are handled with the parent)."""
    return [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]


def reencrypt_model(model: type[models.Model], *, batch_size: int = 500, dry_run: bool = False) -> int:
    """Bring every row of `model` to the current data key and hash key; the number of rows changed (or to change).

    Each batch is read under select_for_update and written with one bulk_update in its own transaction, so a
    save racing the walk is neither lost nor overwritten, and an interrupted run can simply be started again.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    fields = encrypted_fields(model)
    if not fields:
        return 0
    using = router.db_for_write(model)
    manager = model._base_manager.db_manager(using)
    # Read the stored tokens themselves: a plain TextField output skips the field's from_db_value.
    raw = {
        f"shequ_raw_{f.attname}": ExpressionWrapper(F(f.attname), output_field=models.TextField())
        for f in fields
    }
    siblings = {f.attname: f.blind_index_field() for f in fields if f.blind_index}
    columns = ["pk", *raw, *(s.attname for s in siblings.values())]
    written = [*(f.attname for f in fields), *(s.attname for s in siblings.values())]

    changed = 0
    last_pk: Any = None
    while True:
        with transaction.atomic(using=using):
            rows_query = manager.order_by("pk")
            if last_pk is not None:
                rows_query = rows_query.filter(pk__gt=last_pk)
            if not dry_run:
                rows_query = rows_query.select_for_update()
            rows = list(rows_query.annotate(**raw).values_list(*columns)[:batch_size])
            if not rows:
                break
            last_pk = rows[-1][0]
            updates = [obj for row in rows if (obj := _rotated_row(model, fields, siblings, row)) is not None]
            changed += len(updates)
            if updates and not dry_run:
                manager.bulk_update(updates, written, batch_size=batch_size)
    return changed


def _rotated_row(
    model: type[models.Model],
    fields: list[EncryptedTextField],
    siblings: dict[str, models.Field[Any, Any]],
    row: tuple[Any, ...],
) -> models.Model | None:
    """An unsaved instance carrying the row's new tokens and hashes, or None if the row is already current."""
    pk, tokens, stored_indexes = row[0], row[1 : 1 + len(fields)], iter(row[1 + len(fields) :])
    values: dict[str, Any] = {}
    dirty = False
    for field, token in zip(fields, tokens, strict=True):
        plaintext, new_token = token, token
        if token:
            try:
                plaintext, new_token = _rotate(token, context=field.crypto_context)
            except DecryptionError as exc:
                raise DecryptionError(f"{model._meta.label} pk={pk}, field {field.name}: {exc}") from None
        dirty = dirty or new_token != token
        # An expression is written as it is: bulk_update would otherwise encrypt the token again.
        values[field.attname] = Value(new_token, output_field=models.TextField())
        if field.attname in siblings:
            sibling = siblings[field.attname]
            stored_index = next(stored_indexes)
            index = None if plaintext is None and sibling.null else field.index_of(plaintext)
            dirty = dirty or index != stored_index
            values[sibling.attname] = index
    if not dirty:
        return None
    obj = model(pk=pk)
    for attname, value in values.items():
        setattr(obj, attname, value)
    return obj


def reencrypt_all(*, batch_size: int = 500, dry_run: bool = False) -> dict[str, int]:
    """Run `reencrypt_model` on every installed model with encrypted fields; rows changed per model label."""
    _keyring()  # a configuration error stops the walk before any row is read
    return {
        model._meta.label: reencrypt_model(model, batch_size=batch_size, dry_run=dry_run)
        for model in apps.get_models()
        if not model._meta.proxy and encrypted_fields(model)
    }
