from django.urls import path

from renshi.alerts import case_views, views

app_name = "alerts"
urlpatterns = [
    path("alerts/", views.board, name="board"),
    path("cases/<str:number>/", case_views.case, name="case"),
    path("cases/<str:number>/dispatch/", case_views.record_dispatch, name="case-dispatch"),
    path("cases/<str:number>/repayment/", case_views.record_repayment, name="case-repayment"),
    path("cases/<str:number>/package/", case_views.evidence_package, name="case-package"),
    path(
        "cases/<str:number>/letters/<int:letter_id>/pdf/",
        case_views.letter_pdf,
        name="case-letter",
    ),
    path(
        "cases/<str:number>/dispatches/<int:dispatch_id>/receipt/",
        case_views.dispatch_receipt,
        name="case-receipt",
    ),
]
