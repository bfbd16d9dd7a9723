"""Procurements: the list, a page per procurement, and starting a new one."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for

from engine import InstanceView, TaskView
from web import access
from web.auth import current_viewer, login_required
from web.definitions import ProcessModel, process_model
from web.documents import available
from web.facts import field_units, for_page, public
from web.formats import show_value
from web.i18n import days_left
from web.inbox.filters import Page, paginate
from web.names import element_title, organisation_names, procurement_title
from web.procurements import overview
from web.state import services

bp = Blueprint("procurements", __name__, template_folder="templates")
LIST_LIMIT = 1000
STATUS_CHOICES = ("running", "completed", "cancelled")


@dataclass(frozen=True)
class ListRow:
    instance: InstanceView
    title: str
    phases: list[str]
    next_deadline: datetime | None
    days_left: int | None


def _visible_tasks(viewer: access.Viewer, instance: InstanceView) -> list[TaskView]:
    """All open tasks for a full viewer; only their own organisation's for an external one."""
    if access.full_view(viewer, instance):
        return list(instance.open_tasks)
    return [t for t in instance.open_tasks if viewer.organisation_ids & set(t.organisations)
            or t.claimed_by == viewer.username]


def _list_row(viewer: access.Viewer, instance: InstanceView, model: ProcessModel, now: datetime) -> ListRow:
    tasks = _visible_tasks(viewer, instance)
    moments = [t.due_at for t in tasks if t.due_at]
    if access.full_view(viewer, instance):
        moments += [t.due_at for t in instance.timers]
    upcoming = min(moments) if moments else None
    counting = upcoming is not None and instance.status == "running"
    return ListRow(instance, procurement_title(instance, model), sorted({t.phase for t in tasks if t.phase}),
                   upcoming if counting else None, days_left(upcoming, now) if counting and upcoming else None)


@bp.get("/")
@login_required
def index() -> Any:
    viewer = current_viewer()
    wired = services()
    status = request.args.get("status", "")
    status = status if status in STATUS_CHOICES else ""
    query = request.args.get("q", "").strip()[:200]
    instances = [i for i in wired.engine.instances(status=status or None, limit=LIST_LIMIT)
                 if access.may_see_procurement(viewer, i, wired.directory)]
    if query:
        folded = query.casefold()
        instances = [i for i in instances if folded in (i.business_key or "").casefold()
                     or folded in procurement_title(i).casefold()]
    page: Page[InstanceView] = paginate(instances, request.args.get("page", "1"), current_app.config["PAGE_SIZE"])
    now = wired.engine.clock()
    rows = [_list_row(viewer, i, process_model(wired.engine, i.process_id, i.definition_version), now)
            for i in page.items]
    args: dict[str, Any] = {k: v for k, v in (("status", status), ("q", query)) if v}
    return render_template("procurements/index.html", rows=rows, page=page, status=status, query=query,
                           statuses=STATUS_CHOICES, can_start=bool(start.startable(viewer)),
                           page_url=lambda n: url_for("procurements.index", **args, page=n))


@bp.get("/<instance_id>")
@login_required
def show(instance_id: str) -> Any:
    viewer = current_viewer()
    wired = services()
    engine = wired.engine
    instance = engine.instance(instance_id)
    if not access.may_see_procurement(viewer, instance, wired.directory):
        abort(404)
    model = process_model(engine, instance.process_id, instance.definition_version)
    now = engine.clock_of(instance.id)
    labels = overview.field_labels(model)
    full = access.full_view(viewer, instance)
    tasks = _visible_tasks(viewer, instance)
    mine = {t.id for t in engine.inbox(viewer.username, instance.id)}
    all_events = engine.history(instance.id)
    events = all_events
    if not full:
        events = [e for e in events if "op" in e.payload and access.own_event(viewer, e, wired.directory)]
    every_step = full and request.args.get("steps") == "all"
    audience = access.audience(viewer, instance)
    conf = access.confidentiality(instance, model, wired.directory)
    shown = dataclasses.replace(instance, data=conf.data(audience))  # what of the data this viewer may see
    return render_template(
        "procurements/show.html", instance=instance, model=model, full=full,
        title=procurement_title(instance, model),
        tasks=[(t, element_title(model, t.element_id, t.name), t.id in mine) for t in tasks],
        deadlines=overview.timeline(tasks, shown if full else None, model, now, labels,
                                    running=instance.status == "running",
                                    public_timers=overview.timers_shown_to(instance, model, viewer.roles)),
        diagrams=overview.diagrams(model, instance.element_states) if full else [],
        participants=overview.participants(instance, events, wired.directory,
                                           access.participants(instance)) if full else [],
        role_names=overview.role_names,
        history=overview.history_rows(events, model, labels, every_step=every_step, units=field_units(model),
                                      text=lambda v, unit: show_value(v, unit, organisation_names()),
                                      shown_data=lambda e: conf.event_data(audience, e),
                                      shown_files=lambda e: conf.event_files(audience, e)),
        files=conf.files(audience, all_events), documents=available(viewer, instance, audience),
        may_compare=audience.unit or audience.auditor,
        facts=for_page(model.properties if full else public(model.properties), shown.data, model,
                       organisation_names()),
        outcome=overview.outcome(shown, model), events=events_module.offered(viewer, instance, model),
        recovery=recovery_module.returnable(instance, model) if recovery_module.recovery_role(
            viewer, instance, model) else None,
        demo_clock=recovery_module.may_move_clock(viewer, instance), every_step=every_step, now=now)


from web.procurements import events as events_module  # noqa: E402 - registers the event views on bp
from web.procurements import recovery as recovery_module  # noqa: E402 - registers the recovery views on bp
from web.procurements import start  # noqa: E402,F401 - registers the start views on bp
