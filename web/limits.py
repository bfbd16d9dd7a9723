"""Rate limits (Flask-Limiter): the one place the app's limiter is built and its limits are set.

Sign-in is throttled twice: per user name (guessing one person's password) and per client
address (trying many names from one place). Only failed attempts count, so people who sign in
correctly are never slowed down. Over the limit the answer is 429 with a page that says to wait.
With several processes, point RATELIMIT_STORAGE_URI at a shared store (e.g. `redis://…`);
the default keeps counts in each process's memory.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)

DEFAULTS = {
    "RATELIMIT_STORAGE_URI": "memory://",
    "SIGN_IN_LIMIT_PER_USER": "5 per minute; 20 per hour",
    "SIGN_IN_LIMIT_PER_ADDRESS": "30 per minute; 200 per hour",
}


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _user_key() -> str:
    return "sign-in:" + request.form.get("username", "").strip().lower()


def _address_key() -> str:
    return "sign-in-address:" + get_remote_address()


# Decorators for the sign-in view (web/auth): checked before the password is, counted when it was wrong.
per_user = limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT_PER_USER"], key_func=_user_key,
                         methods=["POST"], deduct_when=_failed)
per_address = limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"], key_func=_address_key,
                            methods=["POST"], deduct_when=_failed)


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    limiter.init_app(app)
