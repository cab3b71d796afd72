"""Fixtures of the audit tests: the audit administrator and a worker from the fixed cast."""

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def zhaomin(db):
    """赵敏, the audit administrator."""
    return get_user_model().objects.create_user(username="zhaomin")


@pytest.fixture
def lina(db):
    """李娜, a community worker in 华富街道."""
    return get_user_model().objects.create_user(username="lina")
