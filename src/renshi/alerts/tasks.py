"""The scheduler's entry point for Celery beat: the same ``alert_tick`` as ``renshi tick``."""

from __future__ import annotations

from celery import shared_task

from renshi.alerts.services import alert_tick


@shared_task(name="renshi.alerts.tick")
def tick() -> dict[str, object]:
    report = alert_tick()
    return report.counts()
