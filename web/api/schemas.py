"""The API's request and response bodies as marshmallow schemas: they validate what comes in and
are the source of the OpenAPI document (apispec's marshmallow plugin), so the two never drift."""

from __future__ import annotations

from marshmallow import RAISE, Schema, validate
from marshmallow import fields as f

KEY = validate.Length(min=1, max=200)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class Problem(Schema):
    type = f.String(required=True)
    title = f.String(required=True)
    status = f.Integer(required=True)
    detail = f.String(required=True)
    instance = f.String(required=True)
    errors = f.Dict(keys=f.String(), values=f.List(f.String()), metadata={"description": "messages per field (422)"})


class StartRequest(Strict):
    process_id = f.String(required=True, validate=KEY)
    business_key = f.String(allow_none=True, validate=KEY, load_default=None)
    data = f.Dict(keys=f.String(), load_default=dict, metadata={"description": "the start form's fields"})


class TaskSummary(Schema):
    id = f.String(required=True)
    instance_id = f.String(required=True)
    process_id = f.String(required=True)
    business_key = f.String(allow_none=True, required=True)
    element_id = f.String(required=True)
    name = f.String(required=True)
    role = f.String(allow_none=True, required=True)
    organisations = f.List(f.String(), required=True)
    claimed_by = f.String(allow_none=True, required=True)
    due_at = f.DateTime(allow_none=True, required=True)
    phase = f.String(allow_none=True, required=True)
    instance_version = f.Integer(required=True, metadata={"description": "send it as If-Match to complete"})


class FormFieldSchema(Schema):
    id = f.String(required=True)
    label = f.String(required=True)
    type = f.String(required=True, validate=validate.OneOf(["string", "long", "double", "boolean", "date", "enum"]))
    required = f.Boolean(required=True)


class Task(TaskSummary):
    documentation = f.String(allow_none=True, required=True)
    form = f.Dict(required=True, metadata={"description": "the form as a JSON Schema (draft 2020-12)"})
    form_fields = f.List(f.Nested(FormFieldSchema), required=True)
    data = f.Dict(required=True)


class TaskPage(Schema):
    """One page of the token's open tasks (paged by the database), due first, then oldest."""

    items = f.List(f.Nested(TaskSummary), required=True)
    page = f.Integer(required=True, metadata={"description": "this page's number (a page past the end is the last)"})
    pages = f.Integer(required=True, metadata={"description": "pages of `size` tasks (at least 1)"})
    size = f.Integer(required=True)
    total = f.Integer(required=True, metadata={"description": "open tasks that match the filters"})
    visible = f.Integer(required=True, metadata={"description": "all open tasks the token may do"})


class Procurement(Schema):
    id = f.String(required=True)
    process_id = f.String(required=True)
    definition_version = f.Integer(required=True)
    business_key = f.String(allow_none=True, required=True)
    status = f.String(required=True, validate=validate.OneOf(["running", "completed", "cancelled"]))
    version = f.Integer(required=True, metadata={"description": "also the ETag; If-Match takes it"})
    started_at = f.DateTime(required=True)
    updated_at = f.DateTime(required=True)
    full_view = f.Boolean(required=True, metadata={"description": "false: only the caller's own part is shown"})
    data = f.Dict(allow_none=True, required=True)
    open_tasks = f.List(f.Nested(TaskSummary), required=True)
    awaited_messages = f.List(f.String(), required=True)
    participants = f.List(f.String(), required=True)


class ProcurementPage(Schema):
    items = f.List(f.Nested(Procurement), required=True)
    next_cursor = f.String(allow_none=True, required=True)


class CompleteRequest(Strict):
    data = f.Dict(keys=f.String(), required=True, metadata={"description": "the form's fields"})


class MessageRequest(Strict):
    name = f.String(required=True, validate=KEY)
    business_key = f.String(required=True, validate=KEY)
    correlation = f.Dict(keys=f.String(validate=KEY), load_default=dict,
                         metadata={"description": "dotted path in the catching task's data → value"})
    payload = f.Dict(keys=f.String(), load_default=dict)


class CommandResult(Schema):
    """What a command left: the procurement's new version and status (and its id to read it)."""

    instance_id = f.String(required=True)
    business_key = f.String(allow_none=True, required=True)
    status = f.String(required=True)
    version = f.Integer(required=True)


class HistoryEvent(Schema):
    seq = f.Integer(required=True)
    type = f.String(required=True)
    at = f.DateTime(required=True)
    actor = f.String(required=True)
    task_id = f.String(allow_none=True, required=True)
    payload = f.Dict(required=True)
    prev_hash = f.String(required=True)
    hash = f.String(required=True)


class History(Schema):
    items = f.List(f.Nested(HistoryEvent), required=True)


class Verification(Schema):
    ok = f.Boolean(required=True)
    events = f.Integer(required=True)
    head = f.String(allow_none=True, required=True)
    broken_at = f.Integer(allow_none=True, required=True)
    reason = f.String(allow_none=True, required=True)


class TopicSchema(Strict):
    topic = f.String(required=True, validate=KEY)
    lock_duration = f.Integer(required=True, validate=validate.Range(min=1, max=7 * 24 * 3600 * 1000),
                              metadata={"description": "milliseconds"})


class FetchAndLockRequest(Strict):
    worker_id = f.String(required=True, validate=KEY)
    max_tasks = f.Integer(required=True, validate=validate.Range(min=1, max=100))
    topics = f.List(f.Nested(TopicSchema), required=True, validate=validate.Length(min=1, max=50))


class ExternalTask(Schema):
    id = f.String(required=True)
    instance_id = f.String(required=True)
    element_id = f.String(required=True)
    name = f.String(required=True)
    topic = f.String(required=True)
    worker_id = f.String(allow_none=True, required=True)
    lock_expires_at = f.DateTime(allow_none=True, required=True)
    retries = f.Integer(allow_none=True, required=True)
    error_message = f.String(allow_none=True, required=True)
    incident = f.Boolean(required=True)
    variables = f.Dict(allow_none=True, required=True)


class ExternalTaskList(Schema):
    items = f.List(f.Nested(ExternalTask), required=True)


class CompleteExternalRequest(Strict):
    worker_id = f.String(required=True, validate=KEY)
    variables = f.Dict(keys=f.String(), load_default=dict)


class FailureRequest(Strict):
    worker_id = f.String(required=True, validate=KEY)
    error_message = f.String(required=True, validate=validate.Length(min=1, max=4000))
    retries = f.Integer(required=True, validate=validate.Range(min=0, max=1000))
    retry_timeout = f.Integer(load_default=0, validate=validate.Range(min=0, max=7 * 24 * 3600 * 1000),
                              metadata={"description": "milliseconds before the task may be fetched again"})
