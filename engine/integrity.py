"""What `verify` checks beyond the hash chain: that everything else stored agrees with it.

The chain protects the events; the rest of the database is derived from them or from the
workflow state, and a person with write access could edit it (the state, the data a view shows,
who may act on a task, who may see an instance, a definition's files). Each check here
recomputes a stored value from its source and names what differs:

- the state against its digest, and the digest against the last command recorded in the chain;
- the command count against the instance's version (deleted command events);
- data, element states, awaited messages and status against the state;
- open tasks (with role, organisations and claims), timers and participants against the state
  and the chain;
- every definition's files against its hash and its deployment event, and each instance's
  definition against the one its start event names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import execution
from engine.audit import DEFINITIONS_STREAM
from engine.definitions import bundle_digest
from engine.models import (
    FAR_FUTURE,
    AuditRecord,
    DueTimer,
    Instance,
    InstanceOrganisation,
    OpenTask,
    OpenTaskOrganisation,
    ProcessDefinition,
)
from engine.types import SourceFile


def check_definitions(session: Session, definition_id: int | None = None) -> list[str]:
    problems = []
    deployed: dict[tuple[str, int], dict[str, Any]] = {}
    for (payload,) in session.execute(select(AuditRecord.payload).where(AuditRecord.stream == DEFINITIONS_STREAM)):
        event = json.loads(payload)
        deployed[(event.get("process_id"), event.get("version"))] = event
    query = select(ProcessDefinition)
    if definition_id is not None:
        query = query.where(ProcessDefinition.id == definition_id)
    for row in session.execute(query).scalars():
        name = f"definition {row.process_id} v{row.version}"
        files = json.loads(row.files)
        if bundle_digest([SourceFile(n, text.encode()) for n, text in files.items()]) != row.sha256:
            problems.append(f"{name}: its stored files do not match its SHA-256 (a file was changed)")
        event = deployed.get((row.process_id, row.version))
        if event is None:
            problems.append(f"{name}: no deployment event in the chain")
        elif event.get("sha256") != row.sha256 or event.get("files") != {
                n: hashlib.sha256(t.encode()).hexdigest() for n, t in files.items()}:
            problems.append(f"{name}: differs from its deployment event")
    return problems


def check_instances(session: Session, resolver: Any, instance_id: str | None = None) -> list[str]:
    query = select(Instance).order_by(Instance.id)
    if instance_id is not None:
        query = query.where(Instance.id == instance_id)
    problems: list[str] = []
    instance_ids = set()
    for row in session.execute(query).scalars():
        instance_ids.add(row.id)
        problems += [f"instance {row.id}: {p}" for p in _check_instance(session, row, resolver)]
    if instance_id is None:
        # A chain named like an instance (32 hex digits) whose instance row is gone; other streams
        # (definitions, drafts, …) belong to no instance.
        streams = {s for s in session.execute(select(AuditRecord.stream).distinct()).scalars()
                   if len(s) == 32 and all(c in "0123456789abcdef" for c in s)}
        problems += [f"chain {s}: no instance of that id (the instance row was deleted)"
                     for s in sorted(streams - instance_ids)]
    return problems


def _check_instance(session: Session, row: Instance, resolver: Any) -> Iterable[str]:
    events = [(r.seq, r.type, r.actor, r.task_id, json.loads(r.payload)) for r in session.execute(
        select(AuditRecord).where(AuditRecord.stream == row.id).order_by(AuditRecord.seq)).scalars()]
    if not events:
        yield "its audit chain is missing (deleted)"
        return
    commands = [e for e in events if "op" in e[4]]
    if execution.state_digest(row.state) != row.state_digest:
        yield "the stored state does not match its digest (the state was changed)"
    if len(commands) != row.version:
        yield f"the chain records {len(commands)} commands but the instance is at version {row.version} " \
              "(events deleted, or the row changed)"
    if commands and commands[-1][4].get("state_digest") != row.state_digest:
        yield "the state is not the one the last recorded command left"
    definition = session.get(ProcessDefinition, row.definition_id)
    started = events[0][4]
    migrations = [e[4] for e in commands if e[4]["op"] == "migrate"]
    if definition is None or definition.process_id != row.process_id or (
            definition.version != migrations[-1].get("to_version") if migrations
            else started.get("definition_sha256") not in (None, definition.sha256)):
        yield "its definition is not the one its start event (or its last migration) names"
    try:
        workflow = execution.load_workflow(row.state, None)
    except Exception as error:  # noqa: BLE001 - whatever a hand-edited state breaks, it is reported, not raised
        yield f"the stored state cannot be loaded: {type(error).__name__}"
        return
    yield from _check_columns(row, workflow, commands)
    yield from _check_rows(session, row, workflow, events, resolver)


def _check_columns(row: Instance, workflow: Any, commands: list[Any]) -> Iterable[str]:
    status = "cancelled" if commands and commands[-1][4]["op"] == "cancel" else (
        "completed" if workflow.is_completed() else "running")
    if row.status != status:
        yield f"status is {row.status!r} but the state says {status!r}"
    if json.loads(row.data) != json.loads(json.dumps(execution.view_data(workflow))):
        yield "its data differs from the data in the state"
    if json.loads(row.element_states) != execution.element_states(workflow):
        yield "its element states differ from the state"
    awaited = sorted({m.name for m in execution.awaited_messages(workflow)})
    if json.loads(row.awaited_messages or "[]") != awaited:
        yield "its awaited messages differ from the state"


def _check_rows(session: Session, row: Instance, workflow: Any, events: list[Any], resolver: Any) -> Iterable[str]:
    ready = {t.id: t for t in execution.ready_human_tasks(workflow)} if row.status == "running" else {}
    stored = {t.id: t for t in session.execute(select(OpenTask).where(OpenTask.instance_id == row.id)).scalars()}
    if set(ready) != set(stored):
        yield f"open tasks {sorted(stored)} differ from the state's {sorted(ready)}"
    organisations: dict[str, set[str]] = {}
    for own in stored.values():
        if own.due_sort != (own.due_at or FAR_FUTURE):
            yield f"task {own.id}: its inbox sort key differs from its due date"
    for assignment in session.execute(select(OpenTaskOrganisation).where(
            OpenTaskOrganisation.task_id.in_(list(stored)))).scalars():
        organisations.setdefault(assignment.task_id, set()).add(assignment.organisation)
        own = stored[assignment.task_id]
        if (assignment.instance_id, assignment.claimed_by, assignment.due_sort, assignment.created_at,
                assignment.phase) != (own.instance_id, own.claimed_by, own.due_sort, own.created_at,
                                      own.phase):
            yield f"task {own.id}: its inbox row for {assignment.organisation} differs from the task"
    recorded: dict[str, dict[str, Any]] = {}
    claimed: dict[str, str | None] = {}
    for _seq, type_, actor, task_id, payload in events:
        if type_ == "element_ready" and "organisations" in payload:
            recorded[task_id] = payload
        op = payload.get("op")
        if op in ("claim", "delegate", "release", "complete"):
            claimed[str(payload.get("task_id"))] = {"claim": actor, "delegate": payload.get("to")}.get(op)
    for task_id in sorted(set(ready) & set(stored)):
        task, open_row = ready[task_id], stored[task_id]
        if task_id in recorded:
            role, orgs = recorded[task_id].get("role"), set(recorded[task_id]["organisations"])
        else:  # recorded before assignments were kept in the chain: ask the resolver again
            assignment = resolver.assign(task.lane, task.data)
            role, orgs = assignment.role, set(assignment.organisations)
        if open_row.role != role or organisations.get(task_id, set()) != orgs:
            yield f"task {task_id}: its role or organisations differ from its assignment"
        if open_row.element_id != task.element_id:
            yield f"task {task_id}: its element differs from the state"
        if open_row.claimed_by != claimed.get(task_id):
            yield f"task {task_id}: claimed by {open_row.claimed_by!r}, the chain says {claimed.get(task_id)!r}"
    timers = {(t.task_id, t.due_at) for t in execution.pending_timers(workflow)} if row.status == "running" else set()
    stored_timers = {(t.task_id, t.due_at) for t in session.execute(
        select(DueTimer).where(DueTimer.instance_id == row.id)).scalars()}
    if timers != stored_timers:
        yield "its timers differ from the state"
    if "organisations_added" in events[0][4]:  # participants are recorded in the chain since they were kept
        added = {o for e in events for o in e[4].get("organisations_added", ())}
        participants = set(session.execute(select(InstanceOrganisation.organisation).where(
            InstanceOrganisation.instance_id == row.id)).scalars())
        if participants != added:
            yield f"participants {sorted(participants)} differ from the chain's {sorted(added)}"
