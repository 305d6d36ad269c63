"""/api/v1/: one list of routes per feature."""

from __future__ import annotations

app_name = "api_v1"
urlpatterns: list = []
