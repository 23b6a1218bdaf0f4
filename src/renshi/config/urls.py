from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from renshi.config.api import api
from renshi.portal import pwa

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("manifest.webmanifest", pwa.manifest, name="pwa-manifest"),
    path("sw.js", pwa.service_worker, name="pwa-service-worker"),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("renshi.portal.urls")),
    path("", include("renshi.backpay.urls")),
    path("", include("renshi.workspace.urls")),
    path("", include("renshi.notices.urls")),
    path("", include("renshi.alerts.urls")),
    path("", include("renshi.attendance.urls")),
    path("", include("renshi.web.urls")),
    prefix_default_language=False,
)
