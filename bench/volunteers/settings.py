"""The bench's settings: the platform's, plus one URL for the naive baseline (bench/volunteers/naive.py)."""

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.volunteers.urls"
