# TEMPORARY routes so that every page's navigation resolves while this module is written;
# the helper who owns this module replaces them with the real views.
from django.http import HttpResponse
from django.urls import path


def _todo(request, *args, **kwargs):  # pragma: no cover - replaced
    return HttpResponse("todo", status=501)


app_name = "backpay"
urlpatterns = [
    path("me/backpay/", _todo, name="request"),
    path("work/backpay/", _todo, name="inbox"),
    path("work/backpay/<int:pk>/", _todo, name="detail"),
]
