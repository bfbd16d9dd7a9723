"""Starting a procurement with its start form (the start event's `camunda:formData`)."""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import Conflict, FormInvalid, ScriptFailed
from web.access import Viewer
from web.auth import current_viewer, login_required
from web.choices import field_choices
from web.definitions import ProcessModel, latest_versions, process_model
from web.errors import reason, status_of
from web.names import process_title
from web.procurements import bp
from web.state import services
from web.tasks.forms import field_views, outside_choices, submitted

BUSINESS_KEY = re.compile(r"^[A-Za-z0-9ÅÄÖåäö][A-Za-z0-9ÅÄÖåäö/_.:-]{0,63}$")


def startable(viewer: Viewer) -> list[ProcessModel]:
    """The newest version of each process the viewer may start."""
    if viewer.read_only:
        return []
    engine = services().engine
    latest = sorted(latest_versions(engine).items())
    return [process_model(engine, process_id, version) for process_id, version in latest
            if engine.resolver.may_start(viewer.username, process_id)]


@bp.get("/new")
@login_required
def choose() -> Any:
    processes = startable(current_viewer())
    if not processes:
        abort(403)
    if len(processes) == 1:
        return redirect(url_for("procurements.start", process_id=processes[0].process_id))
    return render_template("procurements/choose.html", processes=processes)


def _model(viewer: Viewer, process_id: str) -> ProcessModel:
    model = next((m for m in startable(viewer) if m.process_id == process_id), None)
    if model is None:
        abort(404)
    return model


def _render(model: ProcessModel, values: dict[str, str] | None = None, errors: dict[str, list[str]] | None = None,
            business_key: str = "", key_error: str | None = None, problem: str | None = None,
            status: int = 200) -> Any:
    fields = field_views(model.start_form, values, errors, field_choices(model.start_form, {}))
    return render_template("procurements/start.html", model=model, title=process_title(model, model.process_id),
                           fields=fields, business_key=business_key, key_error=key_error, problem=problem), status


@bp.route("/new/<process_id>", methods=["GET", "POST"])
@login_required
def start(process_id: str) -> Any:
    viewer = current_viewer()
    model = _model(viewer, process_id)
    if request.method == "GET":
        return _render(model)
    data, shown = submitted(model.start_form, request.form)
    business_key = request.form.get("business_key", "").strip()
    if business_key and not BUSINESS_KEY.match(business_key):
        return _render(model, shown, business_key=business_key, status=422,
                       key_error=_("Use letters, digits and / _ . : - only, at most 64 characters."))
    wrong = outside_choices(model.start_form, data, field_choices(model.start_form, {}))
    if wrong:
        return _render(model, shown, wrong, business_key=business_key, status=422)
    try:
        # the engine validates the data against the start event's form (the same marshmallow schema)
        instance = services().engine.start(process_id, viewer.username, data,
                                           business_key=business_key or _new_key())
    except FormInvalid as error:
        return _render(model, shown, error.errors, business_key=business_key, status=status_of(error))
    except ScriptFailed as error:
        return _render(model, shown, business_key=business_key, problem=reason(error),
                       status=status_of(error))
    except Conflict as error:
        return _render(model, shown, business_key=business_key, status=status_of(error),
                       key_error=_("This business key is already in use.") if business_key else reason(error))
    flash(_("The procurement %(key)s was started.", key=instance.business_key), "success")
    return redirect(url_for("procurements.show", instance_id=instance.id))


def _new_key() -> str:
    year = services().engine.clock().year
    return f"ALLI-{year}-{secrets.token_hex(3).upper()}"
