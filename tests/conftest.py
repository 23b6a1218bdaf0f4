"""Shared test configuration: real services, required under CI.

A test that needs Redis asks for the ``redis_url`` fixture. When Redis does not answer, the
test fails under CI (``RENSHI_REQUIRE_SERVICES=1``) and is skipped, loudly, elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "core" / "fixtures"
REQUIRE_SERVICES = (
    os.environ.get("RENSHI_REQUIRE_SERVICES") == "1" or os.environ.get("CI") == "true"
)


def _missing_service(name: str, reason: str) -> None:
    message = f"{name} is required but not available: {reason}"
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    url = os.environ.get("RENSHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        _missing_service("Redis", str(error))
    return url


@pytest.fixture
def fixture_policy_dir(settings: pytest.FixtureRequest) -> Path:
    """Make the made-up city ``testville`` part of the library through the override dir."""
    settings.RENSHI_POLICY_DIR = str(FIXTURES)  # type: ignore[attr-defined]
    return FIXTURES


def celery_use_queue(app: object, *, broker: str, queue: str | None) -> None:
    """Point the Celery app at ``broker`` and route to ``queue`` (None: back to inline work).

    Celery caches the queue table and router on first use; they are dropped so a test's own
    queue really is where its tasks go, whatever test ran before.
    """
    conf = app.conf  # type: ignore[attr-defined]
    if queue is None:
        conf.update(task_always_eager=True, task_default_queue="celery")
    else:
        conf.update(
            broker_url=broker,
            result_backend=broker,
            task_always_eager=False,
            task_default_queue=queue,
        )
    amqp = app.amqp  # type: ignore[attr-defined]
    for cached in ("queues", "router", "default_queue", "default_exchange"):
        amqp.__dict__.pop(cached, None)
    # The result backend is cached too (per thread, or app-wide when thread-safe).
    app._backend_cache = None  # type: ignore[attr-defined]
    app._local.__dict__.pop("backend", None)  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _evidence_emptied_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests that commit (``transaction=True``, ``live_server``) leave the database to be emptied
    by the runner's flush, which the evidence log's append-only triggers refuse. Set up after
    ``transactional_db`` so that this teardown runs first: it empties the log's tables with the
    triggers down, then puts them back, and the flush finds nothing to refuse."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    committing = "transactional_db" in names or "live_server" in names
    if marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)):
        committing = True
    if not committing:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    from renshi.evidence import triggers

    triggers.remove(connection)
    try:
        with connection.cursor() as cursor:
            for table in ("evidence_timestamp", "evidence_checkpoint", "evidence_entry"):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - constant names
            cursor.execute("DELETE FROM evidence_blob")
            cursor.execute("DELETE FROM evidence_log_state")
    finally:
        triggers.install(connection)
