"""A real worker consumes a task from the real broker (Redis in CI) and returns its result."""

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from shequ.core.tasks import ping


@pytest.mark.broker
def test_a_worker_runs_a_task_sent_through_the_broker(broker_url):
    previous = dict(app.conf)
    app.conf.update(task_always_eager=False, broker_url=broker_url, result_backend=broker_url)
    _forget_backend()  # the app caches its result backend per thread; eager tests built a disabled one
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = ping.delay("你好")
            assert result.get(timeout=20) == "你好"
    finally:
        app.conf.update({k: previous[k] for k in ("task_always_eager", "broker_url", "result_backend")})
        _forget_backend()


def _forget_backend():
    try:
        del app._local.backend
    except AttributeError:
        pass


def test_tasks_run_eagerly_on_the_embedded_default():
    assert ping.delay("eager").get(timeout=1) == "eager"
