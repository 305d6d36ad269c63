"""The ``api_as`` fixture: an API client holding a new token of the given user."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from api.models import Scope
from tests.api.client import ApiClient, make_token


@pytest.fixture
def api_as() -> Callable[..., ApiClient]:
    def make(user=None, scopes: Iterable[str] = Scope.values) -> ApiClient:
        return ApiClient(make_token(user, scopes) if user is not None else None)

    return make
