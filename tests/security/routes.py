"""Every URL the project serves, found by walking the resolver (so a new view is covered without
editing these tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

# Reached by the admin's own tests of permissions; its regex routes take model names, not objects.
SKIPPED_NAMESPACES = {"admin"}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", ready for reverse()
    arguments: tuple[str, ...]

    def __str__(self) -> str:
        return self.name


def every_route() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns: list[Any], namespace: str | None, outer: tuple[str, ...]) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in SKIPPED_NAMESPACES:
                    continue
                inner = ":".join(filter(None, [namespace, entry.namespace])) or None
                walk(entry.url_patterns, inner, outer + _arguments(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name:
                full_name = f"{namespace}:{entry.name}" if namespace else entry.name
                routes.append(Route(full_name, outer + _arguments(entry.pattern)))

    walk(get_resolver().url_patterns, None, ())
    # One route per (name, arguments): recommendation_add/recommendation_edit share a view.
    return sorted(set(routes), key=lambda route: (route.name, route.arguments))


def _arguments(pattern: Any) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    return tuple(pattern.regex.groupindex)


def route_url(route: Route, values: dict[str, Any]) -> str:
    """The route's URL with real objects' identifiers; a route taking an argument nobody here
    knows fails loudly, so it cannot slip through the security tests unchecked."""
    missing = [argument for argument in route.arguments if argument not in values]
    assert not missing, f"{route}: teach the url_values fixture (tests/security/conftest.py) a value for {missing}"
    return reverse(route.name, kwargs={argument: values[argument] for argument in route.arguments})
