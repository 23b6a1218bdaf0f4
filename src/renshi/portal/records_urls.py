"""The employee's own records: payslips, insurance history, what they owe, their notices."""

from django.urls import path

from renshi.portal import records

urlpatterns = [
    path("me/payslips/", records.payslips, name="payslips"),
    path("me/payslips/<int:payslip_id>/", records.payslip, name="payslip"),
    path("me/payslips/<int:payslip_id>/pdf/", records.payslip_pdf, name="payslip-pdf"),
    path("me/insurance/", records.insurance, name="insurance"),
    path("me/owed/", records.owed, name="owed"),
    path("me/notices/<int:notice_id>/", records.notice, name="notice"),
    path(
        "me/notices/<int:notice_id>/acknowledge/",
        records.notice_acknowledge_view,
        name="notice-acknowledge",
    ),
]
