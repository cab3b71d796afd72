import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthz_says_ok_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_readyz_is_ok_on_the_embedded_default(client):
    with override_settings(CELERY_BROKER_URL=""):
        r = client.get("/readyz")
    assert r.status_code == 200
    body = r.json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"] == {"ok": True, "mode": "eager"}


def test_readyz_is_503_when_the_broker_is_unreachable(client):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0", SHEQU_READYZ_BROKER_TIMEOUT=0.5):
        r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["status"] == "unavailable" and r.json()["checks"]["broker"]["ok"] is False


@pytest.mark.broker
def test_readyz_reaches_the_real_broker(client, broker_url):
    with override_settings(CELERY_BROKER_URL=broker_url):
        r = client.get("/readyz")
    assert r.status_code == 200, r.json()
    assert r.json()["checks"]["broker"]["ok"] is True
