"""/api/v1: the JSON API for systems (e-tendering platforms, case management, scripts).

Bearer tokens only (auth.py); errors as problem+json (problems.py); every operation declared
once in spec.py, which also writes the OpenAPI 3.1 document; what a caller may see decided by
visibility.py; rate limits in limits.py. The engine checks every command again.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, request

from web.api import auth, limits, problems

bp = Blueprint("api", __name__, template_folder="templates")
problems.init_blueprint(bp)
bp.before_request(auth.authenticate)
bp.after_request(auth.record)
bp.teardown_request(auth.forget)


@bp.before_request
def _read_only_tokens_change_nothing() -> None:
    viewer = auth.current_or_none()
    if viewer is not None and viewer.read_only and request.method not in ("GET", "HEAD", "OPTIONS"):
        abort(403, description="this token is read-only")


def init_app(app: Flask) -> None:
    limits.init_app(app, bp)
    problems.init_app(app)


from web.api import external, messages, meta, procurements, tasks  # noqa: E402,F401 - register the operations
