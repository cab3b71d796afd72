"""Tasks of the core: a round-trip probe proving a worker consumes from the broker."""

from celery import shared_task


@shared_task(name="core.ping")
def ping(payload: str = "pong") -> str:
    return payload
