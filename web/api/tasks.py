"""Tasks: the token's inbox a page at a time (filtered, paged and counted by the database), one task with
its form as a JSON Schema, claim, release and complete (the same form validation as the web; `If-Match`
with the instance version, 412 when stale)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, request

from engine import StaleInstance, TaskView
from web import access
from web.api import bp, schemas
from web.api.auth import actor, api_viewer
from web.api.jsonschema_forms import form_schema
from web.api.problems import ApiProblem
from web.api.replies import command_result, etag, if_match, reply
from web.api.spec import header_parameter, operation, path_parameter, query_parameter
from web.api.visibility import task_summary
from web.state import services

TAG = "tasks"
MAX_SIZE = 100  # tasks per page
MAX_PAGE = 100_000  # a page number past this is refused rather than read as an offset that deep
TASK = path_parameter("task_id", "the task's id")
IF_MATCH = header_parameter("If-Match", "the procurement's version the change is based on (412 when stale)",
                            {"type": "string", "maxLength": 20})


def _visible_task(task_id: str) -> TaskView:
    """The open task, or 404 when the token may not see it (as on the web); a done task is 409."""
    engine = services().engine
    task = engine.task(task_id)
    if not access.may_see_task(api_viewer(), task, engine.resolver):
        raise ApiProblem(404, f"no task {task_id}")
    return task


@operation(bp, "/tasks", "get", "The open tasks the token may do, a page at a time", tag=TAG,
           response=schemas.TaskPage, errors=(422,), parameters=(
               query_parameter("page", "page number (from 1; past the end: the last page)",
                               {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
               query_parameter("size", "tasks per page", {"type": "integer", "minimum": 1, "maximum": MAX_SIZE,
                                                          "default": 20}),
               query_parameter("instance_id", "only this procurement's tasks", {"type": "string", "maxLength": 200}),
               query_parameter("phase", "only tasks of this phase", {"type": "string", "maxLength": 200}),
               query_parameter("business_key_contains", "only procurements whose business key contains this "
                               "text (any case)", {"type": "string", "maxLength": 200})))
def my_tasks() -> Response:
    args = request.args
    errors: dict[str, list[str]] = {}
    page = _whole(args, "page", 1, MAX_PAGE, 1, errors)
    size = _whole(args, "size", 1, MAX_SIZE, 20, errors)
    if errors:
        raise ApiProblem(422, "the query is not valid", errors=errors)
    found = services().engine.inbox_page(actor(), page=page, size=size, instance_id=args.get("instance_id") or None,
                                         phase=args.get("phase") or None,
                                         business_key_contains=args.get("business_key_contains") or None)
    return reply(schemas.TaskPage, {"items": [task_summary(t) for t in found.items], "page": found.number,
                                    "pages": found.pages, "size": size, "total": found.total,
                                    "visible": found.visible})


def _whole(args: Mapping[str, str], name: str, low: int, high: int, default: int, errors: dict[str, list[str]]) -> int:
    """A whole-number query parameter within [low, high]; a wrong one is named in `errors`."""
    text = args.get(name)
    if text is None or text == "":
        return default
    if text.isdigit() and low <= int(text) <= high:
        return int(text)
    errors[name] = [f"a whole number from {low} to {high}"]
    return default


@operation(bp, "/tasks/<task_id>", "get", "Read a task with its form as a JSON Schema", tag=TAG,
           response=schemas.Task, errors=(404, 409), parameters=(TASK,))
def read_task(task_id: str) -> Response:
    task = _visible_task(task_id)
    form_ids = {f.id for f in task.form}
    data = dict(task.data) if access.full_view(api_viewer()) else {
        k: v for k, v in task.data.items() if k in form_ids}  # a tenderer sees its own form's values only
    shown: dict[str, Any] = {
        **task_summary(task), "documentation": task.documentation, "form": form_schema(task.form, task.generic_form),
        "form_fields": [{"id": f.id, "label": f.label, "type": f.type, "required": f.required} for f in task.form],
        "data": data}
    return reply(schemas.Task, shown, headers=etag(task.instance_version))


@operation(bp, "/tasks/<task_id>/claim", "post", "Claim a task (others no longer see it)", tag=TAG,
           response=schemas.CommandResult, errors=(403, 404, 409), parameters=(TASK,))
def claim_task(task_id: str) -> Response:
    task = _visible_task(task_id)
    instance = services().engine.claim(task.id, actor())
    return reply(schemas.CommandResult, command_result(instance), headers=etag(instance.version))


@operation(bp, "/tasks/<task_id>/release", "post", "Release a claimed task", tag=TAG,
           response=schemas.CommandResult, errors=(403, 404, 409), parameters=(TASK,))
def release_task(task_id: str) -> Response:
    task = _visible_task(task_id)
    instance = services().engine.release(task.id, actor())
    return reply(schemas.CommandResult, command_result(instance), headers=etag(instance.version))


@operation(bp, "/tasks/<task_id>/complete", "post", "Complete a task with its form's data", tag=TAG,
           body=schemas.CompleteRequest, response=schemas.CommandResult, errors=(403, 404, 409, 412, 422),
           parameters=(TASK, IF_MATCH))
def complete_task(task_id: str, body: dict[str, Any]) -> Response:
    expected = if_match()
    task = _visible_task(task_id)
    if expected is not None and expected != task.instance_version:
        raise ApiProblem(412, f"the procurement is at version {task.instance_version}, not {expected}: "
                              "read it again", headers=etag(task.instance_version))
    try:
        instance = services().engine.complete_task(task.id, actor(), body["data"], expected_version=expected)
    except StaleInstance as error:
        if expected is None:
            raise
        raise ApiProblem(412, str(error)) from None
    return reply(schemas.CommandResult, command_result(instance), headers=etag(instance.version))
