"""The bench's settings: the platform's, plus one URL for the naive baseline (bench/venues/naive.py)."""

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.venues.urls"
