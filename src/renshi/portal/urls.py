from django.urls import include, path

from renshi.portal import views

app_name = "portal"
urlpatterns = [
    path("me/", views.home, name="home"),
    path("me/offline/", views.offline, name="offline"),
    path("", include("renshi.portal.records_urls")),
    path("", include("renshi.portal.planning_urls")),
]
