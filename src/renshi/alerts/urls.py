from django.urls import path

from renshi.alerts import views

app_name = "alerts"
urlpatterns = [path("alerts/", views.board, name="board")]
