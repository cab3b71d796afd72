"""Shared fixtures. The real Shenzhen city pack is loaded once into the test database for the session."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from shequ.geo.citypack import load_city_pack

    with django_db_blocker.unblock():
        load_city_pack("shenzhen")


@pytest.fixture
def broker_url():
    """The real broker for tests marked `broker`; CI and `make test` set CELERY_BROKER_URL."""
    from django.conf import settings

    url = settings.TEST_CELERY_BROKER_URL
    if not url:
        pytest.skip("CELERY_BROKER_URL is not set: broker tests need a real Redis or RabbitMQ")
    return url
