from django.urls import path

from renshi.notices import views

app_name = "notices"
urlpatterns = [
    path("n/<str:token>/", views.notice_link, name="link"),
    path("notices/<int:notice_id>/acknowledge/", views.acknowledge, name="acknowledge"),
]
