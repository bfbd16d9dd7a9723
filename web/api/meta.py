"""The OpenAPI document and a page that shows it to people (no script: the site's CSP allows none
from elsewhere, and the page is drawn on the server from the same document)."""

from __future__ import annotations

from flask import Response, json, render_template

from web.api import bp
from web.api.spec import document


@bp.get("/openapi.json")
def openapi() -> Response:
    return Response(json.dumps(document()), mimetype="application/json")


@bp.get("/docs")
def docs() -> str:
    spec = document()
    return render_template("api/docs.html", spec=spec, paths=spec["paths"],
                           schemas=spec["components"]["schemas"], dumps=lambda v: json.dumps(v, indent=2))
