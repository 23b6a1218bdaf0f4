# TEMPORARY routes so that every page's navigation resolves while this module is written;
# the helper who owns this module replaces them with the real views.
from django.http import HttpResponse
from django.urls import path


def _todo(request, *args, **kwargs):  # pragma: no cover - replaced
    return HttpResponse("todo", status=501)


urlpatterns = [
    path("me/pension/", _todo, name="pension"),
    path("me/help/", _todo, name="help"),
    path("me/help/<slug:slug>/", _todo, name="help-article"),
]
