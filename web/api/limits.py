"""Rate limits for the API (Flask-Limiter): per token, or per address for calls without one.

Its own Limiter, applied to the API blueprint only, so the web pages' own throttling (sign-in)
stays separate. `API_RATE_LIMIT` (default 600 per minute) and `API_RATE_LIMIT_STORAGE` (default
`memory://`, per process; use `redis://…` to share the count among workers and hosts).
Over the limit the caller gets 429 problem+json with `Retry-After`.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

EXTENSION = "allianssi_api_limiter"


def _caller() -> str:
    """The token (hashed: the secret never reaches the limiter's storage), else the address."""
    authorization = request.headers.get("Authorization", "")
    if authorization:
        return "token:" + hashlib.sha256(authorization.encode()).hexdigest()[:32]
    return "address:" + (get_remote_address() or "")


def _limit() -> str:
    return str(current_app.config.get("API_RATE_LIMIT") or "600 per minute")


def init_app(app: Flask, bp: Blueprint) -> None:
    limiter = Limiter(_caller, app=app, default_limits=[], application_limits=[],
                      storage_uri=app.config.get("API_RATE_LIMIT_STORAGE") or "memory://",
                      headers_enabled=True, strategy="fixed-window")
    limiter.limit(_limit)(bp)
    app.extensions[EXTENSION] = limiter
