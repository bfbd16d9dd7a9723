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
from web.inbox.filters import DUE_CHOICES, Filters, Page, due_bounds
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
    now = engine.clock()
    filters = Filters.from_args(request.args)
    due_by, without_due = due_bounds(filters.due, now)
    try:
        wanted = int(request.args.get("page", "1"))
    except ValueError:
        wanted = 1
    found = engine.inbox_page(viewer.username, page=wanted, size=current_app.config["PAGE_SIZE"],
                              instance_id=filters.procurement or None, phase=filters.phase or None,
                              due_by=due_by, without_due=without_due, business_key_contains=filters.query or None)
    page: Page[TaskView] = Page(found.items, found.number, found.pages, found.total)
    rows = describe(list(page.items), viewer.username, now)
    procurements = sorted(((i, k or i[:8]) for i, k in found.instances), key=lambda p: p[1])
    return render_template("inbox/index.html", rows=rows, page=page, filters=filters, total=found.visible,
                           procurements=procurements, phases=found.phases, due_choices=DUE_CHOICES,
                           page_url=lambda n: url_for("inbox.index", page=n, **filters.as_args()))
