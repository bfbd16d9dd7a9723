"""External tasks (Camunda 7's pattern): workers fetch and lock service tasks of their topics,
then complete them or report a failure with the retries left."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, request

from engine import ExternalTaskView, TopicRequest
from web.api import bp, schemas
from web.api.auth import actor
from web.api.replies import reply
from web.api.spec import operation, path_parameter, query_parameter
from web.state import services

TAG = "external tasks"
TASK = path_parameter("task_id", "the external task's id")


def _shown(task: ExternalTaskView) -> dict[str, Any]:
    return {"id": task.id, "instance_id": task.instance_id, "element_id": task.element_id, "name": task.name,
            "topic": task.topic, "worker_id": task.worker_id, "lock_expires_at": task.lock_expires_at,
            "retries": task.retries, "error_message": task.error_message, "incident": task.incident,
            "variables": dict(task.variables) if task.variables is not None else None}


@operation(bp, "/external-tasks", "get", "The open external tasks the token may work on", tag=TAG,
           response=schemas.ExternalTaskList,
           parameters=(query_parameter("topic", "only this topic", {"type": "string", "maxLength": 200}),))
def list_external_tasks() -> Response:
    tasks = services().engine.external_tasks(actor(), request.args.get("topic") or None)
    return reply(schemas.ExternalTaskList, {"items": [_shown(t) for t in tasks]})


@operation(bp, "/external-tasks/fetch-and-lock", "post", "Fetch and lock free tasks of the given topics",
           tag=TAG, body=schemas.FetchAndLockRequest, response=schemas.ExternalTaskList)
def fetch_and_lock(body: dict[str, Any]) -> Response:
    topics = [TopicRequest(t["topic"], timedelta(milliseconds=t["lock_duration"])) for t in body["topics"]]
    locked = services().engine.fetch_and_lock(actor(), body["worker_id"], topics, body["max_tasks"])
    return reply(schemas.ExternalTaskList, {"items": [_shown(t) for t in locked]})


@operation(bp, "/external-tasks/<task_id>/complete", "post", "Complete a task this worker has locked", tag=TAG,
           body=schemas.CompleteExternalRequest, response=schemas.CommandResult, errors=(403, 404, 409, 422),
           parameters=(TASK,))
def complete_external_task(task_id: str, body: dict[str, Any]) -> Response:
    instance = services().engine.complete_external_task(task_id, actor(), body["worker_id"], body["variables"])
    return reply(schemas.CommandResult, {"instance_id": instance.id, "business_key": instance.business_key,
                                         "status": instance.status, "version": instance.version})


@operation(bp, "/external-tasks/<task_id>/failure", "post", "Report a failure; retries 0 makes an incident",
           tag=TAG, body=schemas.FailureRequest, response=schemas.ExternalTask, errors=(403, 404, 409),
           parameters=(TASK,))
def fail_external_task(task_id: str, body: dict[str, Any]) -> Response:
    task = services().engine.fail_external_task(task_id, actor(), body["worker_id"], body["error_message"],
                                                body["retries"], timedelta(milliseconds=body["retry_timeout"]))
    return reply(schemas.ExternalTask, _shown(task))
