"""The API's base views, and the schema and its interactive docs."""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.generics import ListAPIView
from rest_framework.views import APIView

from api.idempotency import IdempotentMixin


class ApiView(IdempotentMixin, APIView):
    """Every resource view of the API derives from this or ApiListView: token authentication,
    scopes, throttling, problem details (all from settings.REST_FRAMEWORK) and idempotent POSTs."""


class ApiListView(IdempotentMixin, ListAPIView):
    """A list (GET): cursor-paginated (api.pagination.Cursor), described as a page in the schema."""


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema (YAML, or JSON with ?format=json). Public: it describes, holds no data."""


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar's static files, its start-up script as a file of its own (the
    split view) and our stylesheet instead of drf-spectacular's inline <style>: nothing inline, so
    the strict Content-Security-Policy holds on this page too."""

    template_name = "api/swagger_ui.html"
