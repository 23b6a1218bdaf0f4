from django.urls import path

from renshi.workspace import enrolment_views, payroll_views, views

app_name = "workspace"
urlpatterns = [
    path("work/", views.home, name="home"),
    path("work/search/", views.search, name="search"),
    path("work/cases/", views.cases, name="cases"),
    path("work/payroll/", payroll_views.runs, name="runs"),
    path("work/payroll/new/", payroll_views.run_create, name="run-create"),
    path("work/payroll/<int:run_id>/", payroll_views.run_page, name="run"),
    path("work/payroll/<int:run_id>/progress/", payroll_views.run_progress, name="run-progress"),
    path("work/payroll/<int:run_id>/calculate/", payroll_views.run_calculate, name="run-calculate"),
    path("work/payroll/<int:run_id>/approve/", payroll_views.run_approve, name="run-approve"),
    path("work/payroll/<int:run_id>/paid/", payroll_views.run_mark_paid, name="run-mark-paid"),
    path("work/payroll/<int:run_id>/reopen/", payroll_views.run_reopen, name="run-reopen"),
    path("work/enrolments/", enrolment_views.enrolments, name="enrolments"),
    path(
        "work/enrolments/<int:enrolment_id>/confirm/",
        enrolment_views.enrolment_confirm,
        name="enrolment-confirm",
    ),
    path(
        "work/enrolments/adjustments/<int:adjustment_id>/apply/",
        enrolment_views.adjustment_apply,
        name="adjustment-apply",
    ),
]
