"""The scheduler's entry point for Celery beat: the same ``evidence_tick`` as ``renshi tick``."""

from __future__ import annotations

from celery import shared_task

from renshi.evidence.services import evidence_tick


@shared_task(name="renshi.evidence.tick")
def tick() -> dict[str, object]:
    report = evidence_tick()
    return {
        "checkpoint": None if report.checkpoint is None else report.checkpoint.size,
        "timestamped": report.timestamped,
        "timestamp_error": report.timestamp_error,
    }
