"""The portal as an installable web app: its manifest and its service worker.

Both are served from the site's root so that the worker's scope covers every page. The worker
keeps only the shell (styles, scripts, icons and the offline page) and never stores a page of
personal records: a payslip must not stay on a shared or lost phone. Pages go to the network;
when it is not there, the offline page says so.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

# Bumped when the shell changes, so that phones drop the old copy.
SHELL_VERSION = "renshi-shell-1"


def _shell() -> list[str]:
    return [
        reverse("portal:offline"),
        static("vendor/bootstrap/css/bootstrap.min.css"),
        static("web/renshi.css"),
        static("vendor/bootstrap/js/bootstrap.bundle.min.js"),
        static("vendor/htmx/htmx.min.js"),
        static("web/pwa.js"),
        static("portal/icon-192.png"),
        static("portal/icon-512.png"),
    ]


@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": _("Renshi: my pay and insurance"),
        "short_name": _("Renshi"),
        "description": _(
            "Payslips, social insurance, what you owe and your pension, in one place."
        ),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("portal:home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#212529",
        "icons": [
            {"src": static("portal/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("portal/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("portal/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )


@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    context = {
        "version": SHELL_VERSION,
        "shell": json.dumps(_shell()),
        "offline": json.dumps(reverse("portal:offline")),
    }
    response = render(request, "portal/sw.js", context, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response
