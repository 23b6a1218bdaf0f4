"""The current moment, which tests can set (``RENSHI_SIMULATED_NOW``) to play a story out in
simulated time through the same views and services that run in production, and a demonstration
sets from the environment (``RENSHI_NOW``, see the settings) to be served at its own moment."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone


def now() -> datetime.datetime:
    simulated = getattr(settings, "RENSHI_SIMULATED_NOW", None)
    return simulated if simulated is not None else timezone.now()
