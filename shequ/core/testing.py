"""Test-only middleware that records every response body so the leak scan (conftest.py) can read them."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

RECORDED: list[tuple[str, dict[str, str], str]] = []
_TEXT = ("text/", "application/json", "application/geo+json", "application/xml")


class ResponseRecorderMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if not getattr(response, "streaming", False) and content_type.startswith(_TEXT):
            body = response.content.decode("utf-8", errors="replace")
        elif not getattr(response, "streaming", False) and "spreadsheetml" in content_type:
            body = _xlsx_text(response.content)
        else:
            body = ""
        RECORDED.append((request.path, dict(response.headers), body))
        return response


def _xlsx_text(content: bytes) -> str:
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        " ".join(str(c) for c in row if c is not None) for ws in wb for row in ws.iter_rows(values_only=True)
    )
