"""The portal as an installable web app: its manifest and its service worker.

Both are served from the site's root so that the worker's scope covers every page. The worker
keeps only the shell (styles, scripts, icons and the offline page) and never stores a page of
personal records: a payslip must not stay on a shared or lost phone. Pages go to the network;
when it is not there, the offline page says so.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
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
    script = SERVICE_WORKER.replace("__VERSION__", SHELL_VERSION)
    script = script.replace("__SHELL__", json.dumps(_shell()))
    script = script.replace("__OFFLINE__", json.dumps(reverse("portal:offline")))
    response = HttpResponse(script, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


SERVICE_WORKER = """\
"use strict";
const CACHE = "__VERSION__";
const SHELL = __SHELL__;
const OFFLINE = __OFFLINE__;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Pages hold personal records: always from the network, never stored here.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    return;
  }
  if (SHELL.includes(new URL(request.url).pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
"""
