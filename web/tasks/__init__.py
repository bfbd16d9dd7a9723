"""A task's page: its procurement and phase, instructions and form; completing, claiming, releasing
and delegating it. The engine checks every command again; these views decide what to show."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import FormInvalid, ScriptFailed, TaskNotFound, TaskView
from engine.inbox_scope import in_inbox
from web import access
from web.access import Viewer, may_act_on_task, may_see_task
from web.auth import current_viewer, login_required
from web.choices import field_choices, needs_participants
from web.definitions import process_model
from web.errors import reason, status_of
from web.facts import for_page
from web.i18n import days_left, localized
from web.names import element_title, organisation_names, procurement_title, user_name
from web.security import safe_next
from web.state import services
from web.tasks import variables
from web.tasks.forms import field_views, outside_choices, submitted, uploads
from web.tasks.variables import NewVariable

bp = Blueprint("tasks", __name__, template_folder="templates")


def _visible_task(task_id: str, viewer: Viewer) -> TaskView:
    """The open task, or 404 when it does not exist or belongs to someone the viewer may not see.
    A task that is no longer open is told (409) only to those who could have done it (the engine checks)."""
    task = services().engine.task(task_id, None if viewer.auditor else viewer.username)
    if not may_see_task(viewer, task, services().engine.resolver):
        abort(404)
    return task


def colleagues(viewer: Viewer, task: TaskView) -> list[tuple[str, str]]:
    """(user name, name) of the people in the viewer's own organisations who could do this task."""
    directory = services().directory
    found: dict[str, str] = {}
    for organisation in sorted(set(task.organisations) & viewer.organisation_ids):
        for user in directory.users_in(organisation, task.role or ""):
            if user.username != viewer.username:
                found[user.username] = user.name
    return sorted(found.items(), key=lambda pair: pair[1])


def _render(task: TaskView, viewer: Viewer, values: dict[str, str] | None = None,
            errors: dict[str, list[str]] | None = None, problem: str | None = None, status: int = 200,
            new_rows: list[NewVariable] | None = None) -> Any:
    engine = services().engine
    instance = engine.instance(task.instance_id)
    model = process_model(engine, instance.process_id, instance.definition_version)
    can_act = may_act_on_task(viewer, task, engine.resolver)
    fields = field_views(task.form, values, errors, field_choices(task.form, task.data, instance.participants),
                         task.data)
    new_rows = (new_rows or variables.blank_rows()) if task.generic_form else []
    now = engine.clock_of(instance.id)
    return render_template(
        "tasks/show.html", task=task, instance=instance, fields=fields, can_act=can_act,
        subject=_subject(viewer, task, instance, model),
        title=element_title(model, task.element_id, task.name),
        procurement=procurement_title(instance, model),
        instructions=localized(task.properties, "documentation", task.documentation),
        days_left=days_left(task.due_at, now) if task.due_at else None,
        colleagues=colleagues(viewer, task) if can_act else [],
        claimed_by_other=task.claimed_by not in (None, viewer.username),
        claimed_by_name=user_name(task.claimed_by), problem=problem, task_data=task.data,
        facts=for_page(task.properties, _visible_data(viewer, task, instance, model), model, organisation_names()),
        new_rows=new_rows, type_options=variables.type_options(),
        error_count=sum(1 for f in fields if f.errors) + sum(1 for r in new_rows if r.errors)), status


@bp.get("/<task_id>")
@login_required
def show(task_id: str) -> Any:
    viewer = current_viewer()
    return _render(_visible_task(task_id, viewer), viewer)


@bp.post("/<task_id>")
@login_required
def complete(task_id: str) -> Any:
    viewer = current_viewer()
    engine = services().engine
    try:
        task = _visible_task(task_id, viewer)
    except TaskNotFound:
        # Gone since the form was opened: the engine tells a completed task (409) from an unknown one (404).
        engine.complete_task(task_id, viewer.username, {})
        raise
    if not may_act_on_task(viewer, task, engine.resolver):
        abort(403)
    data, shown = submitted(task.form, request.form)
    wrong = outside_choices(task.form, data, field_choices(task.form, task.data, engine.instance(
        task.instance_id).participants if needs_participants(task.form) else ()))
    if wrong:  # an organisation not among the choices is refused at its field, before the engine
        return _render(task, viewer, shown, wrong, status=422)
    rows: list[NewVariable] = []
    added: dict[str, Any] = {}
    if task.generic_form:  # Camunda's generic form: new variables beside the task's own
        added, rows = variables.read_rows(variables.posted_rows(request.form), {f.id for f in task.form})
        if any(row.errors for row in rows):  # said with the fields' own errors, all at once
            return _render(task, viewer, shown, variables.field_errors(task.form, data, services().directory),
                           status=422, new_rows=rows)
    files = uploads(task.form, request.files)
    try:
        after = engine.complete_task(task_id, viewer.username, {**data, **added} if rows else data, files=files)
    except FormInvalid as error:
        # errors under no field of the form (e.g. `notice`: an eForms rule about data from elsewhere) are
        # said above the form, else they would be lost and the page would look unchanged
        fields = {f.id for f in task.form} | {r.name for r in rows}
        stray = [m for key, messages in error.errors.items() if key not in fields for m in messages]
        return _render(task, viewer, shown, error.errors, problem="\n".join(stray) or None,
                       status=status_of(error), new_rows=variables.with_engine_errors(rows, error.errors))
    except ScriptFailed as error:
        return _render(task, viewer, shown, problem=reason(error), status=status_of(error), new_rows=rows)
    # the command returns the instance as it left it: its version and open tasks need no second read
    flash(_("Done: %(task)s.", task=element_title(process_model(engine, task.process_id, after.definition_version),
                                                    task.element_id, task.name)), "success")
    memberships = engine.resolver.memberships(viewer.username)
    following = [t for t in after.open_tasks if t.id != task.id and in_inbox(t, viewer.username, memberships)]
    return redirect(url_for("tasks.show", task_id=following[0].id) if following else url_for("inbox.index"))


# a task about one tenderer carries that tenderer's item under one of these keys; its tender is in the list
SUBJECT_KEYS = {"evaluation": "final_tenders", "assessment": "round_tenders", "tender": ""}


def _visible_data(viewer: Viewer, task: TaskView, instance: Any, model: Any) -> dict[str, Any]:
    """The task's data as far as the viewer may see it (the facts beside the form draw from this)."""
    audience = access.audience(viewer, instance)
    return access.confidentiality(instance, model, services().directory).data(audience, task.data)


def _subject(viewer: Viewer, task: TaskView, instance: Any, model: Any) -> dict[str, Any] | None:
    """The tenderer a task is about and, as far as the viewer may see them, its tender and attachments."""
    wired = services()
    audience = access.audience(viewer, instance)
    conf = access.confidentiality(instance, model, wired.directory)
    data = conf.data(audience, task.data)
    for key, tenders_key in SUBJECT_KEYS.items():
        item = task.data.get(key)
        if not isinstance(item, dict) or not isinstance(item.get("organisation"), str):
            continue
        organisation = item["organisation"]
        tender = next((t for t in data.get(tenders_key) or [] if isinstance(t, dict)
                       and t.get("organisation") == organisation), None) if tenders_key else None
        files = [ref for event, ref in conf.files(audience, wired.engine.history(instance.id))
                 if event.type == "task_completed" and any(
                     m.organisation == organisation for m in wired.directory.memberships(event.actor))]
        values = {k: v for k, v in (tender or {}).items() if k not in ("organisation", "submitted")}
        return {"organisation": organisation, "tender": values, "files": files}
    return None


def _back(task_id: str) -> str:
    return safe_next(request.form.get("next"), url_for("tasks.show", task_id=task_id))


@bp.post("/<task_id>/claim")
@login_required
def claim(task_id: str) -> Any:
    viewer = current_viewer()
    task = _visible_task(task_id, viewer)
    services().engine.claim(task.id, viewer.username)
    flash(_("You claimed the task. Others in your organisation no longer see it in their inbox."), "success")
    return redirect(_back(task_id))


@bp.post("/<task_id>/release")
@login_required
def release(task_id: str) -> Any:
    viewer = current_viewer()
    task = _visible_task(task_id, viewer)
    services().engine.release(task.id, viewer.username)
    flash(_("You released the task. Everyone in your organisation with the role can claim it."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("inbox.index")))


@bp.post("/<task_id>/delegate")
@login_required
def delegate(task_id: str) -> Any:
    viewer = current_viewer()
    task = _visible_task(task_id, viewer)
    to_user = request.form.get("to", "")
    if to_user not in dict(colleagues(viewer, task)):
        abort(400)
    services().engine.delegate(task.id, viewer.username, to_user)
    flash(_("The task was delegated to %(name)s.", name=user_name(to_user)), "success")
    return redirect(url_for("inbox.index"))
