"""The portal's planning pages: the pension simulator and the knowledge base."""

from django.urls import path

from renshi.portal import planning

urlpatterns = [
    path("me/pension/", planning.pension, name="pension"),
    path("me/help/", planning.help_index, name="help"),
    path("me/help/<slug:slug>/", planning.help_article, name="help-article"),
]
