from django.urls import path

from renshi.attendance import views

app_name = "attendance"
urlpatterns = [
    path("leave/", views.my_leave, name="my-leave"),
    path("leave/request/", views.leave_request, name="leave-request"),
]
