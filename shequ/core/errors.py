"""The platform's error shape (DESIGN.md §7): {"code": "...", "message": "...", "fields": {...}}."""

from __future__ import annotations

from typing import Any

from django.http import Http404


class ShequError(Exception):
    """A failure a caller can act on; the API maps it to the error shape with `status`."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.fields = fields or {}

    def as_dict(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.fields)


class NotFound(ShequError, Http404):
    status = 404
    code = "not_found"


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}
