"""CSRF protection on every form and secure response headers.

Every POST (and PUT, PATCH, DELETE) must carry the session's CSRF token in the
form field `csrf_token` or the `X-CSRF-Token` header; templates add it with
`{{ csrf_field() }}`. The token lives in the signed session cookie and is
compared in constant time. Headers forbid framing, sniffing and anything not
served by this application (no CDN: nothing is fetched from elsewhere).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, abort, request, session
from markupsafe import Markup, escape

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_FIELD = "csrf_token"
TOKEN_BLUEPRINTS = frozenset({"api"})  # bearer tokens, never the session cookie: nothing to forge
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def csrf_token() -> str:
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def csrf_field() -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, escape(csrf_token()))


def _check_csrf() -> None:
    if request.method in SAFE_METHODS or request.blueprint in TOKEN_BLUEPRINTS:
        return
    expected = session.get(CSRF_FIELD)
    given = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token") or ""
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), given.encode()):
        abort(400, description="csrf")


def _secure_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def safe_next(target: str | None, fallback: str) -> str:
    """A redirect target only within this site (no scheme, no host, no `//`, no control characters:
    a CR/LF would split the Location header)."""
    if not target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


def init_app(app: Flask) -> None:
    app.before_request(_check_csrf)
    app.after_request(_secure_headers)
    app.jinja_env.globals.update(csrf_field=csrf_field, csrf_token=csrf_token)
