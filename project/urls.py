from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/tokens/", include("api.page_urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("notifications/", include("notifications.urls")),
    # The REST API (docs/API.md): the schema and docs, then each version's resources.
    path("api/", include("api.urls")),
    path("api/v1/", include("reviews.api.urls")),
    # Probes and metrics (docs/OBSERVABILITY.md): /healthz, /readyz, /metrics.
    path("", include("ops.urls")),
    path("", include("reviews.urls")),
]

# Problem details (application/problem+json) on /api/ paths, the usual pages elsewhere.
handler400 = "api.problems.bad_request"
handler403 = "api.problems.permission_denied"
handler404 = "api.problems.page_not_found"
handler500 = "api.problems.server_error"
