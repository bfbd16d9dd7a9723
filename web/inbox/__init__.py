"""The inbox: tasks claimed by me and tasks of my organisations' roles that I may claim."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from engine import InstanceView, TaskView
from web.auth import current_viewer, login_required
from web.definitions import ProcessModel, process_model
from web.i18n import days_left
from web.inbox.filters import DUE_CHOICES, Filters, Page, apply_filters, paginate
from web.names import element_title, procurement_title
from web.state import services

bp = Blueprint("inbox", __name__, template_folder="templates")


@dataclass(frozen=True)
class InboxRow:
    task: TaskView
    title: str
    procurement: str
    days_left: int | None
    mine: bool

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


def describe(tasks: list[TaskView], username: str, now: datetime) -> list[InboxRow]:
    """Titles in the viewer's language for one page of tasks (one look-up per procurement)."""
    engine = services().engine
    instances: dict[str, InstanceView] = {}
    models: dict[tuple[str, int], ProcessModel] = {}
    rows = []
    for task in tasks:
        instance = instances.get(task.instance_id) or engine.instance(task.instance_id)
        instances[task.instance_id] = instance
        key = (instance.process_id, instance.definition_version)
        if key not in models:
            models[key] = process_model(engine, *key)
        model = models[key]
        rows.append(InboxRow(task, element_title(model, task.element_id, task.name), procurement_title(instance, model),
                             days_left(task.due_at, now) if task.due_at else None, task.claimed_by == username))
    return rows


@bp.get("/")
@login_required
def index() -> Any:
    viewer = current_viewer()
    if viewer.auditor and "audit" in current_app.blueprints and not request.args:
        return redirect(url_for("audit.index"))  # an auditor has no tasks: the start page is the audit index
    engine = services().engine
    tasks = engine.inbox(viewer.username)
    now = engine.clock()
    filters = Filters.from_args(request.args)
    chosen = apply_filters(tasks, filters, now)
    page: Page[TaskView] = paginate(chosen, request.args.get("page", "1"), current_app.config["PAGE_SIZE"])
    rows = describe(list(page.items), viewer.username, now)
    procurements = sorted({(t.instance_id, t.business_key or t.instance_id[:8]) for t in tasks}, key=lambda p: p[1])
    phases = sorted({t.phase for t in tasks if t.phase})
    return render_template("inbox/index.html", rows=rows, page=page, filters=filters, total=len(tasks),
                           procurements=procurements, phases=phases, due_choices=DUE_CHOICES,
                           page_url=lambda n: url_for("inbox.index", page=n, **filters.as_args()))
