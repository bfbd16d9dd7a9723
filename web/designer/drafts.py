"""Drafts in the modeler: open from a version or upload, save, lint, diff, run scenarios, deploy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine import Conflict, DefinitionError
from engine.diff import diff_bundles
from engine.drafts import Draft, DraftNotFound
from engine.scenarios import ScenarioClock, find_scenarios, run_scenario_files
from web.auth import current_viewer
from web.designer import _styled, bp
from web.designer.access import designer_required
from web.designer.checks import Finding, check_bundle, has_errors
from web.state import services

BUNDLE = Path(__file__).resolve().parent.parent / "static" / "designer" / "modeler.js"


def _draft(draft_id: str) -> Draft:
    try:
        return services().engine.draft(draft_id)
    except DraftNotFound:
        abort(404)


@bp.post("/drafts")
@designer_required
def new_draft() -> Response:
    process_id, version = request.form.get("process_id", ""), request.form.get("version", type=int)
    if not process_id or not version:
        abort(400)
    draft = services().engine.create_draft(current_viewer().username, f"{process_id} v{version}",
                                           process_id=process_id, base_version=version)
    return redirect(url_for("designer.draft", draft_id=draft.id))


@bp.post("/drafts/upload")
@designer_required
def upload() -> Any:
    uploads = [f for f in request.files.getlist("files") if f.filename]
    if not uploads:
        flash(_("Choose one or more .bpmn or .dmn files."), "error")
        return redirect(url_for("designer.index"))
    try:
        draft = services().engine.create_draft(
            current_viewer().username, request.form.get("title") or ", ".join(f.filename or "" for f in uploads),
            files={Path(f.filename or "").name: f.read() for f in uploads})
    except DefinitionError as error:
        for problem in error.problems:
            flash(str(problem), "error")
        return redirect(url_for("designer.index"))
    return redirect(url_for("designer.draft", draft_id=draft.id))


def _modeler_page(current: Draft, findings: list[Finding] | None, status: int = 200) -> Response:
    return _styled(render_template("designer/draft.html", draft=current, findings=findings,
                                   bundle_ready=BUNDLE.exists()), status)


@bp.get("/drafts/<draft_id>")
@designer_required
def draft(draft_id: str) -> Response:
    return _modeler_page(_draft(draft_id), None)


@bp.get("/drafts/<draft_id>/files/<name>")
@designer_required
def draft_file(draft_id: str, name: str) -> Response:
    current = _draft(draft_id)
    if name not in current.files:
        abort(404)
    response = Response(current.files[name], mimetype="application/xml")
    response.headers["X-Draft-Revision"] = str(current.revision)
    return response


@bp.post("/drafts/<draft_id>/files/<name>")
@designer_required
def save_file(draft_id: str, name: str) -> Any:
    body = request.get_json(silent=True) or {}
    if not isinstance(body.get("xml"), str):
        abort(400)
    _draft(draft_id)
    try:
        saved = services().engine.save_draft(draft_id, name, body["xml"], current_viewer().username,
                                             expected_revision=body.get("revision"))
    except Conflict as error:
        return jsonify(error=str(error)), 409
    except DefinitionError as error:
        return jsonify(error="; ".join(str(p) for p in error.problems)), 422
    return jsonify(revision=saved.revision)


def _finding_dict(finding: Any) -> dict[str, Any]:
    return {"source": finding.source, "severity": finding.severity, "file": finding.file, "line": finding.line,
            "element_id": finding.element_id, "message": finding.message, "rule": finding.rule}


@bp.post("/drafts/<draft_id>/lint")
@designer_required
def lint(draft_id: str) -> Response:
    findings = check_bundle(services().engine, _draft(draft_id).source_files())
    return jsonify(findings=[_finding_dict(f) for f in findings], errors=has_errors(findings))


@bp.get("/drafts/<draft_id>/diff")
@designer_required
def draft_diff(draft_id: str) -> Response:
    current = _draft(draft_id)
    base: dict[str, str] = {}
    if current.process_id and current.base_version:
        base = services().engine.definition_files(current.process_id, current.base_version)
    changes = diff_bundles(base, current.files)
    return jsonify(base_version=current.base_version, changes=[
        {"element_id": c.element_id, "kind": c.kind, "name": c.name, "file": c.file, "change": c.change,
         "details": list(c.details)} for c in changes])


def _process_of(scenario: Path) -> str | None:
    try:
        return str(json.loads(scenario.read_text(encoding="utf-8")).get("process"))
    except (OSError, ValueError, AttributeError):
        return None  # run anyway: the runner reports the unreadable file


@bp.post("/drafts/<draft_id>/test")
@designer_required
def test_scenarios(draft_id: str) -> Response:
    """The scenario files beside the deployed diagrams (BPMN_DIR), run against the draft's files."""
    from workflows.service import build_engine

    current = _draft(draft_id)
    scenarios = find_scenarios(current_app.config["BPMN_DIR"])
    directory = services().directory
    factory = current_app.config.get("SCENARIO_ENGINE_FACTORY")  # (database, clock) -> Engine; tests set it

    def make(database: Any, clock: ScenarioClock) -> Any:
        return factory(database, clock) if factory else build_engine(database, directory, clock)

    if current.process_id:
        scenarios = [s for s in scenarios if _process_of(s) == current.process_id] or scenarios
    results = run_scenario_files(scenarios, current.source_files(), make)
    return jsonify(results=[{"file": r.file, "name": r.name, "passed": r.passed, "failure": r.failure}
                            for r in results])


@bp.post("/drafts/<draft_id>/deploy")
@designer_required
def deploy(draft_id: str) -> Any:
    current = _draft(draft_id)
    reason = request.form.get("reason", "").strip()
    findings = check_bundle(services().engine, current.source_files())
    if has_errors(findings) or not reason:
        if not reason:
            flash(_("Say why you deploy: the reason is kept in the audit log."), "error")
        return _modeler_page(current, findings, 422)
    try:
        deployed = services().engine.deploy_draft(draft_id, current_viewer().username, reason,
                                                  expected_revision=request.form.get("revision", type=int))
    except DefinitionError as error:  # e.g. a role the resolver learnt of since the check above
        problems = [Finding("validation", "error", p.file, p.line, p.element_id, p.message) for p in error.problems]
        return _modeler_page(current, problems, 422)
    for d in deployed:
        flash(_("%(process)s: version %(version)d", process=d.process_id, version=d.version)
              + ("" if d.created else " " + _("(unchanged)")), "success")
    return redirect(url_for("designer.index"))
