"""The current moment, which tests can set (``RENSHI_SIMULATED_NOW``) to play a story out in
simulated time through the same views and services that run in production, and a demonstration
sets from the environment (``RENSHI_NOW``, see the settings) to be served at its own moment."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone


def now() -> datetime.datetime:
    simulated = getattr(settings, "RENSHI_SIMULATED_NOW", None)
    return simulated if simulated is not None else timezone.now()


@contextmanager
def simulated(moment: datetime.datetime) -> Iterator[None]:
    """``now()`` is ``moment`` inside the block, for the whole process: for loading the demo,
    whose history is recorded (evidence entries, notices, events) at the moments it tells of,
    not at the moment it is loaded. Not for code that serves requests."""
    if timezone.is_naive(moment):
        raise ValueError("a simulated moment must be aware")
    previous = getattr(settings, "RENSHI_SIMULATED_NOW", None)
    settings.RENSHI_SIMULATED_NOW = moment
    try:
        yield
    finally:
        settings.RENSHI_SIMULATED_NOW = previous


def today() -> datetime.date:
    """Today's date in the site's time zone (Asia/Shanghai), on the same clock as ``now()``."""
    return timezone.localdate(now())
