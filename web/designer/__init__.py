"""The process designers' workbench: definitions and their versions, drafts edited in the
browser modeler (bpmn-js with the Camunda 7 properties panel), lint and validation, diffs,
scenario runs, deployment and migration of running instances.

Designers change things; auditors may read the definitions page and download files; anyone
else gets 403. Every change goes through the engine, which audits it.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, make_response, render_template, request, send_file
from werkzeug.wrappers import Response

from engine import DefinitionNotFound, InstanceNotFound
from engine.diff import diff_bundles
from web.designer.access import DESIGNER, reader_required, roles
from web.security import CSP
from web.state import services

bp = Blueprint("designer", __name__, template_folder="templates")


@bp.get("/")
@reader_required
def index() -> str:
    engine = services().engine
    running = engine.running_by_version()
    processes: dict[str, list[Any]] = {}
    for deployed in engine.definitions():
        processes.setdefault(deployed.process_id, []).append(deployed)
    authors = _deployers()
    files = {(p, v.version): sorted(engine.definition_files(p, v.version)) for p, vs in processes.items() for v in vs}
    return render_template("designer/index.html", processes=processes, running=running, authors=authors, files=files,
                           drafts=engine.drafts() if DESIGNER in roles() else [],
                           may_change=DESIGNER in roles())


def _deployers() -> dict[tuple[str, int], tuple[str, str]]:
    """(process, version) → (who deployed it, why), from the definitions audit stream."""
    found: dict[tuple[str, int], tuple[str, str]] = {}
    try:
        events = services().engine.history("definitions")
    except InstanceNotFound:  # nothing deployed yet
        return found
    for event in events:
        if event.type == "definition_deployed":
            payload = event.payload
            found[(str(payload["process_id"]), int(payload["version"]))] = (event.actor,
                                                                             str(payload.get("reason", "")))
    return found


@bp.get("/<process_id>/v<int:version>/")
@reader_required
def version(process_id: str, version: int) -> str:
    """One version's diagrams (drawn from its own BPMN DI) and files."""
    from web.definitions import process_model
    from web.procurements.overview import diagrams

    try:
        model = process_model(services().engine, process_id, version)
    except DefinitionNotFound:
        abort(404)
    return render_template("designer/version.html", process_id=process_id, version=version, model=model,
                           diagrams=diagrams(model, {}), may_change=DESIGNER in roles())


@bp.get("/<process_id>/v<int:version>/files/<name>")
@reader_required
def version_file(process_id: str, version: int, name: str) -> Response:
    files = services().engine.definition_files(process_id, version)
    if name not in files:
        abort(404)
    return send_file(io.BytesIO(files[name].encode("utf-8")), mimetype="application/xml", as_attachment=True,
                     download_name=name)


@bp.get("/<process_id>/diff")
@reader_required
def version_diff(process_id: str) -> Response:
    engine = services().engine
    old, new = request.args.get("from", type=int), request.args.get("to", type=int)
    if not old or not new:
        abort(400)
    changes = diff_bundles(engine.definition_files(process_id, old), engine.definition_files(process_id, new))
    marks: dict[str, dict[str, str]] = {}  # file → element id → added | changed, for the diagram
    for change in changes:
        if change.change != "removed":
            marks.setdefault(change.file, {})[change.element_id] = change.change
    return _styled(render_template("designer/diff.html", process_id=process_id, old=old, new=new, changes=changes,
                                   marks=marks))


def _styled(page: str, status: int = 200) -> Response:
    """A page with a bpmn-js canvas: bpmn-js and diagram-js set inline style attributes (palette, direct
    editing, overlays), so such a page allows inline styles; scripts stay 'self' only, as everywhere."""
    response = make_response(page, status)
    response.headers["Content-Security-Policy"] = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    return response


from web.designer import drafts, migration  # noqa: E402,F401 - their routes join the blueprint
