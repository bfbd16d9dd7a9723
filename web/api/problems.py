"""Errors as `application/problem+json` (RFC 9457): the API's one error format.

Engine errors keep the status `web.errors.status_of` gives them (the one mapping); a bad
request body is 422 with `errors` per field; HTTP errors (401, 404, 405, 415, 429, …) get the
same shape, so a client reads every refusal the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint, Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from engine import BadCursor, EngineError, FormInvalid, StaleInstance, TokenInvalid
from web.errors import status_of

PROBLEM_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
    409: "Conflict", 412: "Precondition failed", 413: "Too large", 415: "Unsupported media type",
    422: "Unprocessable content", 428: "Precondition required", 429: "Too many requests",
    500: "Internal server error",
}


class ApiProblem(Exception):
    """Raised by the API's views for a refusal that is not an engine error."""

    def __init__(self, status: int, detail: str, errors: Mapping[str, Sequence[str]] | None = None,
                 headers: Mapping[str, str] | None = None):
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers = status, detail, errors, headers or {}


def problem(status: int, detail: str, errors: Mapping[str, Sequence[str]] | None = None,
            headers: Mapping[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status,
                            "detail": detail, "instance": request.path}
    if errors is not None:
        body["errors"] = {key: [str(m) for m in messages] for key, messages in errors.items()}
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    response.headers.update(dict(headers or {}))
    return response


def _engine_error(error: EngineError) -> Response:
    if isinstance(error, TokenInvalid):
        return problem(401, str(error), headers={"WWW-Authenticate": 'Bearer realm="allianssi"'})
    if isinstance(error, BadCursor):
        return problem(400, str(error))
    if isinstance(error, FormInvalid):
        return problem(422, "some values are missing or wrong; nothing was saved", errors=error.errors)
    if isinstance(error, StaleInstance) and request.headers.get("If-Match"):
        return problem(412, str(error))  # the version the client sent is no longer current
    status = status_of(error)
    return problem(status, str(error) if status != 500 else "the request could not be completed")


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    headers = {"Retry-After": error.response.headers["Retry-After"]} if (
        error.response is not None and "Retry-After" in error.response.headers) else {}
    if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    return problem(status, error.description or TITLES.get(status, "Error"), headers=headers)


def _api_problem(error: ApiProblem) -> Response:
    return problem(error.status, error.detail, error.errors, error.headers)


def init_app(app: Flask) -> None:
    """An address under /api/ that matches no operation is a problem too, not the web's HTML page."""

    def not_found(error: HTTPException) -> Any:
        if request.path.startswith("/api/"):
            return problem(404, "no such operation; see /api/v1/openapi.json")
        pages = app.error_handler_spec[None][None].get(HTTPException)  # the web's own (web/errors.py)
        return pages(error) if pages is not None else error

    app.register_error_handler(404, not_found)


def init_blueprint(bp: Blueprint) -> None:
    bp.register_error_handler(ApiProblem, _api_problem)
    bp.register_error_handler(EngineError, _engine_error)
    bp.register_error_handler(HTTPException, _http_error)
