"""Pages for auditors: history, step-through replay, replay check, chain verification,
equal treatment and exports. Every page only reads; the auditor role changes nothing (the
blueprint has no POST route, and `auditor_required` refuses everyone else)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, Response, abort, current_app, render_template, request, stream_template, url_for
from flask_babel import gettext

from engine import AuditEvent, InstanceView
from engine.outbox import Outbox
from engine.package import export_package
from web.auth import current_viewer, login_required
from web.definitions import ProcessModel, process_model
from web.diagram import DiagramError, draw
from web.facts import field_labels, field_units
from web.formats import show_value
from web.i18n import event_label, phase_label
from web.inbox.filters import Page, paginate
from web.names import element_title, organisation_names, process_title, procurement_title, user_name
from web.state import services
from workflows.equal_treatment import equal_treatment
from workflows.ocds import release_package

bp = Blueprint("audit", __name__, template_folder="templates")
HISTORY_PAGE = 50
View = TypeVar("View", bound=Callable[..., Any])


def auditor_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_viewer().auditor:
            abort(403)
        return view(*args, **kwargs)
    return cast(View, wrapped)


def _phase(model: ProcessModel | None, event: AuditEvent) -> str | None:
    element_id = event.payload.get("element_id")
    if model is None or not isinstance(element_id, str) or element_id not in model.elements:
        return None
    return model.elements[element_id].properties.get("phase")


def _model(instance: InstanceView) -> ProcessModel | None:
    try:
        return process_model(services().engine, instance.process_id, instance.definition_version)
    except LookupError:
        return None


def _organisations(actor: str) -> list[str]:
    directory = services().directory
    return sorted({m.organisation for m in directory.memberships(actor)})


def _diagram(model: ProcessModel | None, states: dict[str, str]) -> str | None:
    if model is None or not model.diagrams:
        return None
    first = model.diagrams[0]
    try:
        return draw(model.files[first.file], first.root_id, states)
    except DiagramError:
        return None


@bp.get("/")
@auditor_required
def index() -> Any:
    instances = services().engine.instances(limit=500)
    page: Page[InstanceView] = paginate(instances, request.args.get("page", "1"), current_app.config["PAGE_SIZE"])
    rows = [(i, procurement_title(i, _model(i)), process_title(_model(i), i.process_id)) for i in page.items]
    return render_template("audit/index.html", rows=rows, page=page,
                           page_url=lambda n: url_for("audit.index", page=n))


@bp.get("/<instance_id>/history")
@auditor_required
def history(instance_id: str) -> Any:
    engine = services().engine
    instance = engine.instance(instance_id)
    model = _model(instance)
    events = engine.history(instance_id)
    task_phase: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    for event in events:
        phase = _phase(model, event)
        if event.task_id and phase:
            task_phase[event.task_id] = phase
        rows.append({"event": event, "phase": phase, "organisations": _organisations(event.actor),
                     "data": event.payload.get("data") or event.payload.get("payload")})
    for row in rows:  # a command takes the phase of the task it acted on
        if row["phase"] is None and row["event"].task_id:
            row["phase"] = task_phase.get(row["event"].task_id)
    chosen = {k: request.args.get(k, "") for k in ("actor", "phase", "type")}
    shown = [r for r in rows if (not chosen["actor"] or r["event"].actor == chosen["actor"])
             and (not chosen["phase"] or r["phase"] == chosen["phase"])
             and (not chosen["type"] or r["event"].type == chosen["type"])]
    if request.args.get("steps") != "all":  # the commands unless every element's step is asked for
        shown = [r for r in shown if "op" in r["event"].payload or r["event"].type == chosen["type"]]
    options = {"actor": sorted(((a, user_name(a)) for a in {r["event"].actor for r in rows}), key=lambda o: o[1]),
               "phase": [(p, phase_label(p)) for p in sorted({r["phase"] for r in rows if r["phase"]})],
               "type": [(t, event_label(t)) for t in sorted({r["event"].type for r in rows})]}
    commands = [e.seq for e in events if "op" in e.payload]
    page: Page[dict[str, Any]] = paginate(shown, request.args.get("page", "1"), HISTORY_PAGE)
    labels, units, names = field_labels(model) if model else {}, field_units(model) if model else {}, \
        organisation_names()
    for row in page.items:
        event = row["event"]
        element_id = str(event.payload.get("element_id") or "")
        row["step"] = element_title(model, element_id, str(event.payload.get("name") or element_id))
        raw = row["data"] if isinstance(row["data"], dict) else {}
        row["values"] = [(labels.get(k, k), show_value(v, units.get(k), names)) for k, v in raw.items()]
        if event.payload.get("reason"):
            row["values"].append((gettext("Reason"), str(event.payload["reason"])))
    args: dict[str, Any] = {k: v for k, v in {**chosen, "steps": request.args.get("steps", "")}.items() if v}
    return render_template("audit/history.html", instance=instance, rows=page.items, chosen=chosen,
                           options=options, commands=commands, total=len(rows), shown_count=len(shown), page=page,
                           every_step=request.args.get("steps") == "all", title=_title(instance),
                           page_url=lambda n: url_for("audit.history", instance_id=instance_id, **args, page=n))


def _title(instance: InstanceView) -> str:
    return procurement_title(instance, _model(instance))


@bp.get("/<instance_id>/step/<int:seq>")
@auditor_required
def step(instance_id: str, seq: int) -> Any:
    engine = services().engine
    instance = engine.instance(instance_id)
    commands = [e.seq for e in engine.history(instance_id) if "op" in e.payload]
    state = engine.state_at(instance_id, seq)
    earlier = [s for s in commands if s < state.seq]
    later = [s for s in commands if s > state.seq]
    model = _model(instance)
    states = sorted(((element_title(model, element, element), word) for element, word in
                     state.element_states.items()), key=lambda pair: pair[0].casefold())
    return render_template("audit/step.html", instance=instance, state=state, title=_title(instance),
                           diagram=_diagram(model, state.element_states), states=states, model=model,
                           # replay hands the due times as ISO text; the page formats datetimes
                           timers=[{**t, "due_at": datetime.fromisoformat(t["due_at"])} for t in state.timers],
                           data_json=json.dumps(state.data, indent=2, ensure_ascii=False, sort_keys=True),
                           previous=earlier[-1] if earlier else None, next=later[0] if later else None,
                           position=len(earlier) + 1, steps=len(commands))


@bp.get("/<instance_id>/replay")
@auditor_required
def replay(instance_id: str) -> Any:
    """Streamed: a progress bar grows while the command log is re-executed, then the result."""
    engine = services().engine
    instance = engine.instance(instance_id)
    return stream_template("audit/replay.html", instance=instance, run=_by_percent(engine.replay_progress(instance_id)))


def _by_percent(run: Iterator[tuple[int, int, Any]]) -> Iterator[tuple[int, int, Any]]:
    """The replay's progress, at most one update per percent (a long history has thousands of steps)."""
    shown = -1
    for done, total, report in run:
        percent = done * 100 // max(total, 1)
        if report is not None or percent != shown:
            shown = percent
            yield done, total, report


@bp.get("/verify")
@auditor_required
def verify_all() -> Any:
    """Every chain: each procurement's and the deployments'."""
    return render_template("audit/verify.html", instance=None, report=services().engine.verify())


@bp.get("/<instance_id>/verify")
@auditor_required
def verify(instance_id: str) -> Any:
    engine = services().engine
    instance = engine.instance(instance_id)
    return render_template("audit/verify.html", instance=instance, report=engine.verify(instance_id))


@bp.get("/<instance_id>/equal-treatment")
@auditor_required
def equal(instance_id: str) -> Any:
    engine = services().engine
    instance = engine.instance(instance_id)
    directory = services().directory
    report = equal_treatment(instance, engine.history(instance_id), organisations_of=lambda user: [
        m.organisation for m in directory.memberships(user) if m.role == "tenderer"])
    return render_template("audit/equal_treatment.html", instance=instance, report=report,
                           mailed=_mailed(instance))


def _mailed(instance: InstanceView) -> dict[tuple[str, str], dict[str, int]]:
    """(kind, subject) → tenderer → how many e-mails about it were actually delivered to its people: what
    was recorded as sent is not taken for what reached them."""
    items = instance.data.get("communications")
    items = items if isinstance(items, list) else []
    directory = services().directory
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for note in Outbox(services().database).about(instance.id):
        _instance, _sep, index = note.key.rpartition(":communication:")
        if not _sep or not index.isdigit() or int(index) >= len(items) or note.sent_at is None:
            continue
        item = items[int(index)]
        key = (str(item.get("kind")), str(item.get("subject")))
        for membership in directory.memberships(note.recipient):
            if membership.role == "tenderer":
                per = counts.setdefault(key, {})
                per[membership.organisation] = per.get(membership.organisation, 0) + 1
    return counts


@bp.get("/<instance_id>/ocds.json")
@auditor_required
def ocds(instance_id: str) -> Response:
    engine = services().engine
    instance = engine.instance(instance_id)
    package = release_package(instance, services().directory, engine.history(instance_id))
    body = json.dumps(package, indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="ocds-{instance_id}.json"'})


@bp.get("/<instance_id>/package")
@auditor_required
def audit_package(instance_id: str) -> Any:
    content = export_package(services().engine, instance_id, datetime.now(timezone.utc))
    return Response(content, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="audit-package-{instance_id}.zip"'})


@bp.app_context_processor
def _has_package() -> dict[str, Any]:
    return {"audit_package_available": True}
