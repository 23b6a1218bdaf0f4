# TEMPORARY routes so that every page's navigation resolves while this module is written;
# the helper who owns this module replaces them with the real views.
from django.http import HttpResponse
from django.urls import path


def _todo(request, *args, **kwargs):  # pragma: no cover - replaced
    return HttpResponse("todo", status=501)


app_name = "workspace"
urlpatterns = [
    path("work/", _todo, name="home"),
    path("work/payroll/", _todo, name="runs"),
    path("work/payroll/<int:run_id>/", _todo, name="run"),
    path("work/enrolments/", _todo, name="enrolments"),
]
