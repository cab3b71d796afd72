"""A real worker consumes a task from the real broker (Redis in CI) and returns its result."""

import pytest

from shequ.core.tasks import ping


@pytest.mark.broker
def test_a_worker_runs_a_task_sent_through_the_broker(real_celery_worker):
    result = ping.delay("你好")
    assert result.get(timeout=20) == "你好"


def test_tasks_run_eagerly_on_the_embedded_default():
    assert ping.delay("eager").get(timeout=1) == "eager"
