"""The audit context and the middleware that fills it from the request."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from shequ.audit.context import AuditContext, audit_context, current_audit_context, normalize_ip
from shequ.audit.middleware import AuditContextMiddleware
from shequ.audit.services import audit_record


def through_middleware(path: str = "/", **meta) -> tuple[AuditContext, HttpResponse]:
    seen: list[AuditContext] = []

    def view(request):
        seen.append(current_audit_context())
        return HttpResponse("ok")

    response = AuditContextMiddleware(view)(RequestFactory().get(path, **meta))
    return seen[0], response


def test_audit_context_nests_and_restores_the_outer_values():
    assert current_audit_context() == AuditContext()
    with audit_context(channel="command", ip="10.0.0.1"):
        with audit_context(actor_role="auditor"):
            assert current_audit_context() == AuditContext(
                ip="10.0.0.1", channel="command", actor_role="auditor"
            )
        assert current_audit_context().actor_role == ""
    assert current_audit_context() == AuditContext()


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("203.0.113.9", "203.0.113.9"),
        (" 203.0.113.9 ", "203.0.113.9"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("garbage", None),
        ("", None),
        (None, None),
        ("1" * 200, None),  # longer than any address: answered, not kept
    ],
)
def test_normalize_ip_gives_the_same_answer_the_first_time_and_from_its_cache(text, address):
    assert normalize_ip(text) == address
    assert normalize_ip(text) == address


def test_audit_context_refuses_unknown_fields():
    with pytest.raises(TypeError), audit_context(user="lina"):
        pass


def test_a_page_request_is_the_web_channel_with_the_remote_address_and_a_fresh_request_id():
    context, response = through_middleware("/console/", REMOTE_ADDR="192.0.2.10")
    assert (context.ip, context.channel) == ("192.0.2.10", "web")
    assert len(context.request_id) == 32 and response["X-Request-ID"] == context.request_id
    assert current_audit_context() == AuditContext()


@pytest.mark.parametrize("path", ["/api/v1/residents", "/open311/v2/requests.json"])
def test_api_and_open311_requests_are_the_api_channel(path):
    context, _ = through_middleware(path)
    assert context.channel == "api"


def test_a_safe_incoming_request_id_is_kept_and_echoed():
    context, response = through_middleware(HTTP_X_REQUEST_ID="gw-2026-11-28.abc_123")
    assert context.request_id == "gw-2026-11-28.abc_123" == response["X-Request-ID"]


@pytest.mark.parametrize(
    "incoming", ["short", "x" * 65, "abc def ghi", "id\r\nSet-Cookie: a=b", "<script>alert"]
)
def test_an_unsafe_incoming_request_id_is_replaced(incoming):
    context, response = through_middleware(HTTP_X_REQUEST_ID=incoming)
    assert context.request_id != incoming and len(context.request_id) == 32
    assert response["X-Request-ID"] == context.request_id


def test_x_forwarded_for_is_ignored_unless_the_setting_trusts_it(settings):
    settings.SHEQU_TRUST_X_FORWARDED_FOR = False
    context, _ = through_middleware(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert context.ip == "10.0.0.2"


def test_a_trusted_x_forwarded_for_gives_the_address_our_proxy_saw(settings):
    settings.SHEQU_TRUST_X_FORWARDED_FOR = True
    # The left-most address is whatever the client claimed; the right-most is what nginx appended.
    context, _ = through_middleware(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    assert context.ip == "203.0.113.9"
    context, _ = through_middleware(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="garbage")
    assert context.ip == "10.0.0.2"


@pytest.mark.django_db
def test_an_entry_written_during_a_request_carries_its_ip_channel_and_request_id():
    entries = []

    def view(request):
        entries.append(audit_record(action="resident.reveal", purpose="核实身份"))
        return HttpResponse("ok")

    request = RequestFactory().post("/api/v1/residents/1/reveal", REMOTE_ADDR="198.51.100.7")
    response = AuditContextMiddleware(view)(request)
    entry = entries[0]
    assert (entry.ip, entry.channel, entry.request_id) == ("198.51.100.7", "api", response["X-Request-ID"])
