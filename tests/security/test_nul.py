"""A NUL character (%00) anywhere in a URL is a 404 (in the path) or a 400 (in the query), never
a 500: PostgreSQL refuses text that holds one, so it must never reach a lookup."""

from __future__ import annotations

import pytest

from tests.security.routes import every_route, route_url

ROUTES = every_route()


def _with_nul(path: str) -> list[str]:
    """``path`` with a NUL added to each of its segments in turn."""
    segments = path.strip("/").split("/")
    return [
        "/" + "/".join(s + "%00" if i == n else s for i, s in enumerate(segments)) + "/" for n in range(len(segments))
    ]


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_nul_in_any_segment_of_any_url_is_not_found(client, coordinator, url_values, route):
    client.force_login(coordinator)
    for address in _with_nul(route_url(route, url_values)):
        assert client.get(address).status_code == 404, address
        assert client.post(address).status_code == 404, address


def test_a_nul_in_a_reference_is_not_found(client, coordinator, review):
    client.force_login(coordinator)
    response = client.get("/reviews/%00/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_nul_in_a_query_is_a_bad_request(client, coordinator, review):
    client.force_login(coordinator)
    assert client.get(f"/reviews/{review.reference}/chronology/", {"agency": "\x00"}).status_code == 400
