from __future__ import annotations

from django.urls import path

from api import pages

app_name = "tokens"
urlpatterns = [
    path("", pages.token_list, name="list"),
    path("<int:token_id>/revoke/", pages.token_revoke_view, name="revoke"),
]
