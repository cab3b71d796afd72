"""The few knobs of the Open311 endpoint, with embedded defaults (a new machine runs with no configuration).

`SHEQU_OPEN311_JURISDICTION` names the one jurisdiction this endpoint serves (the spec suggests the city's web
domain). It is read at call time, so tests and deployments may set it in settings without touching this file.
"""

from __future__ import annotations

from django.conf import settings

DEFAULT_JURISDICTION = "shenzhen.gov.cn"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Bump when the shape of services or service definitions changes; clients refresh their caches on a new value.
CHANGESET = "2026-11-28T00:00:00+08:00"
CONTACT = "深圳市 12345 政务服务便民热线 · Shenzhen 12345 government service hotline"
KEY_SERVICE = (
    "API keys are issued to partner systems by the platform operator "
    "(python manage.py open311_key create NAME); ask the 12345 centre."
)

# GET requests.{fmt}: "a span of 90 days or first 1000 requests returned, whichever is smallest".
WINDOW_DAYS = 90
MAX_REQUESTS = 1000
MAX_UPDATES = 1000
# Comma lists (service_request_id, service_code): the spec sets no bound; thousands of ids in one GET made one
# query with thousands of parameters. A client that follows many requests asks in pages of this many (400 above).
MAX_LIST_ITEMS = 100


def jurisdiction() -> str:
    return str(getattr(settings, "SHEQU_OPEN311_JURISDICTION", "") or DEFAULT_JURISDICTION)
