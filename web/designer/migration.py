"""Moving running procurements to a newer version: the dry run, then one command each."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine import DefinitionNotFound, EngineError
from web.auth import current_viewer
from web.designer import bp
from web.designer.access import designer_required
from web.state import services


@bp.get("/<process_id>/migrate")
@designer_required
def migrate_plan(process_id: str) -> str:
    to_version = request.args.get("to", type=int)
    if not to_version:
        abort(400)
    try:
        checks = services().engine.migration_plan(process_id, to_version)
    except DefinitionNotFound:
        abort(404)
    return render_template("designer/migrate.html", process_id=process_id, to_version=to_version, checks=checks)


@bp.post("/<process_id>/migrate")
@designer_required
def migrate(process_id: str) -> Response:
    to_version = request.form.get("to", type=int)
    chosen = request.form.getlist("instance")
    if not to_version or not chosen:
        flash(_("Choose the procurements to move."), "error")
        return redirect(url_for("designer.migrate_plan", process_id=process_id, to=to_version or 0))
    engine, actor = services().engine, current_viewer().username
    reason = request.form.get("reason", "").strip()
    for instance_id in chosen:
        try:  # one command each: one that cannot move does not hold the others back
            engine.migrate(instance_id, to_version, actor, reason)
            flash(_("%(id)s moved to version %(version)d", id=instance_id[:8], version=to_version), "success")
        except EngineError as error:
            flash(_("%(id)s was not moved: %(reason)s", id=instance_id[:8], reason=str(error)), "error")
    return redirect(url_for("designer.migrate_plan", process_id=process_id, to=to_version))
