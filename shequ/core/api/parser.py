"""The API's request parser: JSON in UTF-8 only, and no string a database cannot store.

Python's json module accepts a lone surrogate ("\\ud800") and a NUL character ("\\u0000") in a string; neither can
be stored (SQLite's driver fails to encode the first, PostgreSQL refuses the second in text), so each reached the
database and came back as a 500 or a 503. Both are refused here as a 400 naming the field. Only escapes can carry
them into a body decoded as strict UTF-8, so a body without such an escape is not walked at all.

Forms (the multipart uploads) are checked the same way; files are not strings and are left to their own checks.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.parser import Parser

from shequ.core.errors import ShequError

# A NUL, or a UTF-16 surrogate on its own: json.loads joins a well-formed pair into one character, so any surrogate
# left in a decoded string is a lone one.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# In a body decoded as strict UTF-8 (where raw control characters are invalid JSON), only these escapes can carry
# either: the decoded data is walked only when one appears (an emoji's surrogate pair does; Chinese text, which
# clients send escaped as \u4e00…\u9fff, does not), so an ordinary intake pays one search of its body.
SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def _unstorable_message() -> str:
    return _("must not contain a NUL character or an unpaired surrogate")


def find_unstorable(value: Any, path: str, found: dict[str, str]) -> None:
    """Record in `found` the path of every string (key or value) in `value` that a database cannot store."""
    if isinstance(value, str):
        if UNSTORABLE.search(value):
            found[path or "__all__"] = _unstorable_message()
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if UNSTORABLE.search(str(key)):
                found[UNSTORABLE.sub("?", name)] = _unstorable_message()
                continue
            find_unstorable(item, name, found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            find_unstorable(item, f"{path}[{i}]", found)


def _refuse(found: dict[str, str]) -> ShequError:
    return ShequError(_("Some parameters are not valid."), code="invalid", fields=found)


class StrictParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        # Errors raised here reach the client through ninja's HttpError(400) and api.on_http_error, which answers
        # with this ShequError (its __cause__).
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise ShequError(_("The body must be JSON encoded in UTF-8."), code="invalid_json") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ShequError(
                _("The body is not valid JSON: %(error)s.") % {"error": exc.msg}, code="invalid_json"
            ) from None
        if SUSPECT_ESCAPE.search(text):
            found: dict[str, str] = {}
            find_unstorable(data, "", found)
            if found:
                raise _refuse(found)
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        found: dict[str, str] = {}
        for key, values in data.lists():
            for value in values:
                if isinstance(value, str):
                    find_unstorable(value, key, found)
        if found:
            raise _refuse(found)
        return super().parse_querydict(data, list_fields, request)
