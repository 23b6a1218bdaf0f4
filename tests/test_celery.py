"""Background work through a real Celery worker over Redis gives what inline work gives."""

from __future__ import annotations

import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from tests.conftest import celery_use_queue

from renshi.calc.calculations import calc_si
from renshi.calc.tasks import calc_si_batch
from renshi.config.celery import app

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_batch_computed_by_a_worker_over_redis_matches_inline_results(
    redis_url: str, fixture_policy_dir: object
) -> None:
    # A queue of this run's own, so a worker of another test run cannot take the messages.
    queue = f"renshi-test-{uuid.uuid4().hex}"
    celery_use_queue(app, broker=redis_url, queue=queue)
    wages = ["0", "7000", "10000", "99999.99"]
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            remote = calc_si_batch.delay(city="testville", month="2025-01", wages=wages)
            results = remote.get(timeout=30)
    finally:
        celery_use_queue(app, broker=redis_url, queue=None)

    assert results == [calc_si(city="testville", month="2025-01", wage=w) for w in wages]
    assert results[0]["items"][0]["clamped"] == "floor"
