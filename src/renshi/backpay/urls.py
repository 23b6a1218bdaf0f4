from django.urls import path

from renshi.backpay import views

app_name = "backpay"
urlpatterns = [
    path("me/backpay/", views.request_page, name="request"),
    path("work/backpay/", views.inbox, name="inbox"),
    path("work/backpay/<int:pk>/", views.detail, name="detail"),
]
