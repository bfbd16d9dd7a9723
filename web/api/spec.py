"""Each API operation is declared once, with its body and response schemas, its refusals and its
parameters; the same declaration routes the request, validates the body and writes the OpenAPI
3.1 document (apispec + its marshmallow plugin) served at /api/v1/openapi.json."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, request
from marshmallow import Schema, ValidationError

from web.api import schemas
from web.api.problems import PROBLEM_TYPE, TITLES, ApiProblem

PREFIX = "/api/v1"
ALWAYS = (401, 429)  # any call without a valid token; any caller over the rate limit


@dataclass(frozen=True)
class Operation:
    path: str  # Flask rule, relative to PREFIX
    method: str
    endpoint: str
    summary: str
    tag: str
    body: type[Schema] | None
    ok: int
    response: type[Schema] | None
    media_type: str
    errors: tuple[int, ...]
    parameters: tuple[dict[str, Any], ...]
    public: bool
    headers: dict[str, Any] = field(default_factory=dict)


OPERATIONS: list[Operation] = []


def _body(schema: type[Schema]) -> dict[str, Any]:
    if not request.is_json:
        raise ApiProblem(415, "send the body as application/json")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiProblem(400, "the body is not a JSON object")
    try:
        loaded: dict[str, Any] = schema().load(data)
    except ValidationError as error:
        messages = error.normalized_messages()
        raise ApiProblem(422, "the request body is not valid", errors={
            key: value if isinstance(value, list) else [str(value)] for key, value in messages.items()}) from None
    return loaded


def operation(bp: Blueprint, path: str, method: str, summary: str, *, tag: str, body: type[Schema] | None = None,
              ok: int = 200, response: type[Schema] | None = None, media_type: str = "application/json",
              errors: Sequence[int] = (), parameters: Sequence[dict[str, Any]] = (), public: bool = False,
              headers: dict[str, Any] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def handle(*args: Any, **kwargs: Any) -> Any:
            if body is not None:
                kwargs["body"] = _body(body)
            return view(*args, **kwargs)
        bp.add_url_rule(path, view.__name__, handle, methods=[method.upper()])
        body_errors = {400, 415, 422} if body else set()
        statuses = tuple(sorted(set(errors) | (set() if public else set(ALWAYS)) | body_errors))
        OPERATIONS.append(Operation(path, method.lower(), view.__name__, summary, tag, body, ok, response, media_type,
                                    statuses, tuple(parameters), public, headers or {}))
        return handle
    return decorate


def path_parameter(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "minLength": 1, "maxLength": 200}}


def query_parameter(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def header_parameter(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": False, "description": description, "schema": schema}


def _openapi_path(rule: str) -> str:
    return PREFIX + rule.replace("<", "{").replace(">", "}")


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    spec = APISpec(title="allianssi API", version="1.0.0", openapi_version="3.1.0", plugins=[MarshmallowPlugin()],
                   info={"description": "Procurements, tasks, messages and external tasks for systems. "
                                        "Authenticate with an API token: `Authorization: Bearer <token>`. "
                                        "Errors are application/problem+json (RFC 9457)."})
    spec.components.security_scheme("token", {"type": "http", "scheme": "bearer",
                                              "description": "an API token made by an administrator"})
    spec.components.schema("Problem", schema=schemas.Problem)
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        responses: dict[str, Any] = {}
        success: dict[str, Any] = {"description": "OK" if op.ok == 200 else "Created"}
        if op.response is not None:
            success["content"] = {op.media_type: {"schema": op.response}}
        elif op.media_type == "application/json":
            success["content"] = {op.media_type: {"schema": {"type": "object"}}}
        else:
            success["content"] = {op.media_type: {"schema": {"type": "string", "contentMediaType": op.media_type}}}
        if op.headers:
            success["headers"] = op.headers
        responses[str(op.ok)] = success
        for status in op.errors:
            responses[str(status)] = {"description": TITLES.get(status, "Error"),
                                      "content": {PROBLEM_TYPE: {"schema": problem_ref}}}
        entry: dict[str, Any] = {"operationId": op.endpoint, "summary": op.summary, "tags": [op.tag],
                                 "responses": responses}
        if op.parameters:
            entry["parameters"] = list(op.parameters)
        if op.body is not None:
            entry["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.body}}}
        entry["security"] = [] if op.public else [{"token": []}]
        paths.setdefault(_openapi_path(op.path), {})[op.method] = entry
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
