"""Time-driven work for the embedded installation (``make run``): no beat, no worker.

After a response, if the last tick is older than ``RENSHI_EMBEDDED_TICK_SECONDS``, run it once.
Off when the setting is 0 (production runs Celery beat instead). Nothing starts at import time;
the durable state is in the database, so a tick skipped or repeated loses nothing.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from renshi.alerts.services import tick_if_due

log = logging.getLogger(__name__)


class EmbeddedTickMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        seconds = int(getattr(settings, "RENSHI_EMBEDDED_TICK_SECONDS", 0))
        self.every = datetime.timedelta(seconds=seconds) if seconds > 0 else None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.every is not None and not request.path.startswith(settings.STATIC_URL):
            try:
                tick_if_due(every=self.every)
            except Exception:  # the page was served; the next request tries again
                log.exception("embedded tick failed")
        return response
