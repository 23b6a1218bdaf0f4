from django.contrib.auth import views as auth_views
from django.urls import path

from renshi.calc import views as calc_views
from renshi.policies import views as policy_views
from renshi.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("calc/si/", calc_views.si, name="calc-si"),
    path("calc/iit/", calc_views.iit, name="calc-iit"),
    path("calc/bonus/", calc_views.bonus, name="calc-bonus"),
    path("calc/pension/", calc_views.pension, name="calc-pension"),
    path("policies/", policy_views.policy_list, name="policy-list"),
    path("policies/<slug:city>/", policy_views.policy_detail, name="policy-detail"),
]
