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


def all_at_once(work: Callable[..., object], args_list: list[tuple], *, ok: str = "ok") -> list[str]:
    """Run `work(*args)` in one thread each, released together by a barrier (the race tests on PostgreSQL).

    Each thread's outcome: `ok`, the code of a ShequError the service refused with, or "error: …" for anything
    else (kept to be shown in the assertion). Each thread closes its own database connection when done."""
    import threading

    from django.db import connections

    from shequ.core.errors import ShequError

    barrier = threading.Barrier(len(args_list))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(args: tuple) -> None:
        try:
            barrier.wait(timeout=60)
            try:
                work(*args)
                result = ok
            except ShequError as e:
                result = e.code
            except Exception as e:  # anything else is a failure, kept to be shown
                result = f"error: {type(e).__name__}: {e}"
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(a,)) for a in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes
