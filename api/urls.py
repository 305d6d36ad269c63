"""/api/: the schema and its docs. The resources are under /api/v1/ (project/urls.py)."""

from __future__ import annotations

from django.urls import path

from api.views import DocsView, SchemaView

app_name = "api"
urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
]
