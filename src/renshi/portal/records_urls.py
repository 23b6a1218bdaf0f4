# TEMPORARY routes so that every page's navigation resolves while this module is written;
# the helper who owns this module replaces them with the real views.
from django.http import HttpResponse
from django.urls import path


def _todo(request, *args, **kwargs):  # pragma: no cover - replaced
    return HttpResponse("todo", status=501)


urlpatterns = [
    path("me/payslips/", _todo, name="payslips"),
    path("me/payslips/<int:payslip_id>/", _todo, name="payslip"),
    path("me/payslips/<int:payslip_id>/pdf/", _todo, name="payslip-pdf"),
    path("me/insurance/", _todo, name="insurance"),
    path("me/owed/", _todo, name="owed"),
    path("me/notices/<int:notice_id>/", _todo, name="notice"),
    path("me/notices/<int:notice_id>/acknowledge/", _todo, name="notice-acknowledge"),
]
