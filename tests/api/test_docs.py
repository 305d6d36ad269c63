"""The schema and Swagger UI: served from this site's static files, nothing inline, under the CSP."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.urls import reverse


def test_the_schema_describes_every_route_and_its_problems(client):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/reviews/{reference}/transitions/{name}" in schema["paths"]
    post = schema["paths"]["/api/v1/reviews/{reference}/transitions/{name}"]["post"]
    assert "application/problem+json" in post["responses"]["409"]["content"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"


def test_swagger_ui_uses_local_assets_and_nothing_inline(client):
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<style" not in html and not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    scripts = []
    for asset in assets:
        assert not asset.startswith(("http:", "https:", "//")), f"{asset}: from another site"
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/").split("?")[0]), f"{asset} is not among the static files"
        else:
            scripts.append(asset)
    # The start-up script is a file of its own, from the same view.
    assert len(scripts) == 1 and "script=" in scripts[0]
    script = client.get(scripts[0])
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
