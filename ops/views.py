"""/healthz, /readyz and /metrics (docs/OBSERVABILITY.md). Public URLs that reveal nothing: the
probes name which part failed, never why in detail; the metrics need a bearer token."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_safe
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ops import health, metrics


@require_safe  # GET or HEAD: some load balancers probe with HEAD
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up and answering: touches nothing else (no database), so a load balancer
    does not restart every web process when the database has a bad minute."""
    response = JsonResponse({"status": "ok"})
    add_never_cache_headers(response)
    return response


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready to serve: 200 when every check passes, else 503 naming the failing parts."""
    checks = health.readiness()
    failing = [name for name, outcome in checks.items() if outcome != "ok"]
    body = {"status": "failing" if failing else "ok", "failing": failing, "checks": checks}
    response = JsonResponse(body, status=503 if failing else 200)
    add_never_cache_headers(response)
    return response


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("No metrics here.")
    offered = request.headers.get("Authorization", "")
    if not hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        response = HttpResponse("A bearer token is needed.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    response = HttpResponse(generate_latest(metrics.registry()), content_type=CONTENT_TYPE_LATEST)
    add_never_cache_headers(response)
    return response
