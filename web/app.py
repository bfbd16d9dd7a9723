"""The Flask application factory.

    create_app(config=None) -> Flask

Settings come from built-in defaults, then the environment (DATABASE_URL,
SECRET_KEY, BPMN_DIR, SESSION_COOKIE_SECURE), then `config` (tests); see
web/config.py. The engine and the directory are built once per app and kept
in `app.extensions["allianssi"]` (web/state.py); the engine opens and commits
its own transactions, so the web layer has no commit path of its own.

`prepare(app, demo=True)` creates or upgrades the tables, deploys BPMN_DIR and
(optionally) loads the demo procurements: what `allianssi serve` runs first.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, g, redirect, url_for
from werkzeug.wrappers import Response

from engine import read_bundle
from web import errors, i18n, joint_decision, names, security
from web.auth import load_viewer, refuse_read_only_changes
from web.config import settings
from web.services import build_services
from web.state import EXTENSION, services
from workflows.service import load_demo

# (module, URL prefix): one blueprint per feature, each with its templates in a folder of its name.
BLUEPRINTS: list[tuple[str, str | None]] = [
    ("web.auth", None),
    ("web.inbox", None),
    ("web.tasks", "/tasks"),
    ("web.procurements", "/procurements"),
    ("web.documents", "/procurements"),
    ("web.audit", "/audit"),
    ("web.notifications", "/notifications"),
    ("web.designer", "/designer"),
]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(settings(app.instance_path, config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.extensions[EXTENSION] = build_services(app.config)

    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    names.init_app(app)
    joint_decision.init_app(app)
    app.before_request(load_viewer)
    app.before_request(refuse_read_only_changes)
    app.context_processor(lambda: {"viewer": g.get("viewer"), "blueprints": app.blueprints})
    _register_blueprints(app)

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return redirect(url_for("static", filename="favicon.svg"))

    return app


def _register_blueprints(app: Flask) -> None:
    for module_name, prefix in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(module_name).bp, url_prefix=prefix)


def prepare(app: Flask, *, deploy: bool = True, demo: bool = False, actor: str = "setup") -> list[str]:
    """Create the tables, deploy BPMN_DIR and optionally load the demo data; returns what it did."""
    done = []
    with app.app_context():
        wired = services()
        wired.database.migrate()
        done.append("database ready")
        if deploy:
            deployed = wired.engine.deploy(read_bundle([app.config["BPMN_DIR"]]), actor)
            done += [f"deployed {d.process_id} v{d.version}" + ("" if d.created else " (unchanged)")
                     for d in deployed]
        if demo:
            done += load_demo(wired.engine)
    return done
