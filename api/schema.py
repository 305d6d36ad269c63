"""The OpenAPI schema's shared parts: the bearer token, the problem details every operation may
answer with, and the ``Idempotency-Key`` header of every POST (drf-spectacular hooks)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from api.idempotency import HEADER, MAX_KEY_LENGTH

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "description": "A URN naming the kind of problem, or about:blank."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "description": 'Bad input: {"field": ["message"]}, or a list of those, one per row of a batch.',
            "oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}],
        },
        "reasons": {"type": "array", "items": {"type": "string"}, "description": "Why a step is blocked."},
        "scope": {"type": "string", "description": "The scope the token lacks."},
    },
    "required": ["type", "title", "status", "detail"],
}

# What any operation may answer besides its own responses; POSTs add the writes' problems.
EVERY = {
    "400": "Bad request (a malformed header or query).",
    "401": "No token, or an unknown, expired or revoked one.",
    "403": "The token lacks the scope, or the user the role, that this needs.",
    "404": "Not found, or not for this user: the same answer either way.",
    "406": "The Accept header asks for something other than JSON.",
    "429": "Too many requests for this token: wait as Retry-After says.",
}
WRITES = {
    "409": "The object's state has moved on, the step is blocked now, or the same idempotency key is in use.",
    "413": "The body is over the size limit (DATA_UPLOAD_MAX_MEMORY_SIZE; a notification's own, smaller cap).",
    "415": "The body is not JSON.",
    "422": "The idempotency key was used for a different request.",
}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token made on /accounts/tokens/ (docs/API.md).",
        }


def add_problems(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS: every operation's error responses and POSTs' Idempotency-Key."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, response in responses.items():
                # An error a view declares with its own body (a rejected batch's rows) is still sent as
                # problem details (api/problems.py), and the same status may come from the plumbing
                # too (a 422 for a reused idempotency key): either body, as problem+json.
                content = response.get("content", {})
                if str(code)[:1] in "45" and "application/json" in content:
                    declared = content.pop("application/json").get("schema", {})
                    schema = {"anyOf": [declared, {"$ref": "#/components/schemas/Problem"}]}
                    content["application/problem+json"] = {"schema": schema}
            extra = {**EVERY, **WRITES} if method != "get" else EVERY
            for code, description in extra.items():
                if code not in responses:
                    responses[code] = {"description": description, "content": problem}
            if method == "post":
                operation.setdefault("parameters", []).append(
                    {
                        "in": "header",
                        "name": HEADER,
                        "required": False,
                        "description": "Send the same key with the same body to repeat a POST safely (24 hours).",
                        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
                    }
                )
    return result
