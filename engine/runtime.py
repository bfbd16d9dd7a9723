"""The Engine: every change to an instance is a command applied in one transaction.

lock the instance → load → check (task READY, actor allowed, form valid) →
apply → run until it waits → dump → refresh derived rows → append audit
events → commit. Any error rolls everything back and reaches the caller as an
EngineError; nothing is half-written.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, delete, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import execution
from engine.attachments import CheckedFile, Upload, check_uploads, is_file_field
from engine.audit import ChainWriter, canonical_json
from engine.blobs import BlobStore, sha256_of
from engine.bounds import DEFAULT_LIMITS, SandboxLimits
from engine.camunda import assignment as camunda_assignment
from engine.camunda import generic_form
from engine.camunda.juel import JuelError
from engine.deployments import Deployments
from engine.determinism import command_seed, deterministic, utc_now
from engine.drafts import Drafts
from engine.errors import (
    Conflict,
    EngineError,
    FormInvalid,
    InstanceNotFound,
    NotAllowed,
    ScriptFailed,
    StaleInstance,
    StateTampered,
    TaskNotFound,
    TaskNotReady,
)
from engine.external_tasks import ExternalTasks, refresh_rows
from engine.forms import task_form
from engine.listing import Listing
from engine.messages import MessageRouting
from engine.migration import Migrations, migrate_workflow
from engine.models import (
    FAR_FUTURE,
    AuditRecord,
    DueTimer,
    Instance,
    InstanceClock,
    InstanceOrganisation,
    InstanceParticipantRole,
    OpenTask,
    OpenTaskOrganisation,
    ProcessDefinition,
)
from engine.pruning import LEGACY_FORMAT, STATE_FORMAT
from engine.queries import Queries
from engine.replay import Replays
from engine.sandbox import make_script_engine
from engine.storage import Database
from engine.types import (
    Assignment,
    AssignmentResolver,
    Candidates,
    FormField,
    FormValidator,
    InstanceView,
    Membership,
    TaskView,
    TimerView,
)

RUNNING, COMPLETED, CANCELLED = "running", "completed", "cancelled"


@dataclass
class _Step:
    """What one command did, for the audit log."""

    event: str
    task_id: str | None
    payload: dict[str, Any]


class Engine(Deployments, Queries, Listing, Replays, Migrations, Drafts, ExternalTasks, MessageRouting):
    def __init__(
        self,
        database: Database,
        resolver: AssignmentResolver,
        helpers: Mapping[str, Callable[..., Any]] | None = None,
        form_validator: FormValidator | None = None,
        clock: Callable[[], datetime] = utc_now,
        local_timezone: str = "UTC",
        service_handlers: Mapping[str, Callable[[dict[str, Any]], Any]] | None = None,
        blobs: BlobStore | None = None,
        demo_clock: bool = False,
        sandbox_limits: SandboxLimits = DEFAULT_LIMITS,
        state_format: int = STATE_FORMAT,
    ):
        self.db = database
        self.resolver = resolver
        self.form_validator = form_validator
        self.clock = clock
        self.local_timezone = ZoneInfo(local_timezone)  # where a date-only due date ends
        # what a service task's camunda:class / delegateExpression / expression names (docs/camunda7.md)
        self.service_handlers = dict(service_handlers or {})
        self.script_engine = make_script_engine(helpers or {}, self.service_handlers, sandbox_limits)
        self.blobs = blobs  # where attached files go; without one, file fields refuse uploads
        self.demo_clock = demo_clock  # demonstrations only: an instance's clock can be moved forward
        self._definition_versions: dict[int, int] = {}  # definition row id -> version
        # the state format new instances start with (engine/pruning.py); 1 keeps the whole task tree
        self.state_format = state_format

    def _now(self) -> datetime:
        """The command's time, in UTC: it is hashed into the audit chain and must read back the same."""
        return self.clock().astimezone(timezone.utc)

    # --- commands ----------------------------------------------------------------------------
    def start(self, process_id: str, actor: str, data: Mapping[str, Any] | None = None,
              business_key: str | None = None) -> InstanceView:
        with self.db.read() as session:
            self._definition(session, process_id)  # an unknown process is "not found", for anyone
        if not self.resolver.may_start(actor, process_id):
            raise NotAllowed(f"{actor} may not start {process_id}")
        data = _plain(data or {})
        at = self._now()
        instance_id = uuid.uuid4().hex
        seed = secrets.token_hex(32)  # never shown to users: their task ids cannot be computed from what they see
        try:
            with self.db.write() as session:
                definition = self._definition(session, process_id)
                process = self._compiled(definition)
                if process.start_form and self.form_validator is not None:
                    data = self.form_validator(process.start_form, data)
                chain = ChainWriter(session, instance_id, head=(None, None), bulk=True)
                with deterministic(command_seed(seed, instance_id, chain.next_seq), at):
                    workflow = execution.new_workflow(process, self.script_engine, data, self.state_format)
                    changes = execution.state_changes(workflow, {})
                    state = execution.dump_state(workflow)
                row = Instance(id=instance_id, definition_id=definition.id, process_id=process_id,
                               business_key=business_key, status=RUNNING, version=0, state="", state_digest="",
                               data="{}", element_states="{}", awaited_messages="[]",
                               started_by=actor, seed=seed, started_at=at, updated_at=at)
                session.add(row)
                session.flush()
                self._add_participants(session, instance_id, self.resolver.memberships(actor))
                # the state format is chained with the start: replay prunes exactly as the instance did
                formats = {"state_format": self.state_format} if self.state_format != LEGACY_FORMAT else {}
                step = _Step("instance_started", None, {
                    "op": "start", "process_id": process_id, "definition_version": definition.version,
                    "definition_sha256": definition.sha256, "data": data, "business_key": business_key,
                    **formats})
                view = self._save(session, row, workflow, state, chain, step, changes, actor, at)
        except IntegrityError:
            raise Conflict(f"business key {business_key!r} is already in use") from None
        return view

    def complete_task(self, task_id: str, actor: str, data: Mapping[str, Any],
                      expected_version: int | None = None,
                      files: Mapping[str, Sequence[Upload]] | None = None) -> InstanceView:
        """Complete a task with its form data and, for its file fields, the uploaded files. Files are
        checked (size, type sniffed from the content) with the form; stored only when all is valid; and
        removed again when the command fails after storing them, so a refused command leaves nothing."""
        stored: list[str] = []

        def act(session: Session, row: Instance, workflow: Any) -> _Step:
            task = self._open_task(session, row, workflow, task_id, actor)
            clean, checked = self._validate_form(task.spec, task.data, data, files or {})
            stored.extend(self._store(checked))
            refs = [{"field": c.field, **c.reference} for c in checked]
            execution.complete(workflow, task_id, clean)
            payload: dict[str, Any] = {"op": "complete", "task_id": task_id, "element_id": task.element_id,
                                       "data": clean}
            if refs:
                payload["files"] = refs  # the hashes, in the hash-chained event
            return _Step("task_completed", task_id, payload)
        try:
            return self._command(None, actor, act, expected_version, task_id=task_id)
        except BaseException:
            self._unstore(stored)
            raise

    def attach_file(self, instance_id: str, actor: str, name: str, content: bytes, content_type: str,
                    meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Archive a file produced for an instance (e.g. a generated document) in the blob store, its hash
        in a `file_attached` event. The workflow itself does not change. Returns the file reference."""
        if self.blobs is None:
            raise Conflict("no blob store is configured")
        ref: dict[str, Any] = {"sha256": sha256_of(content), "name": name, "size": len(content),
                               "content_type": content_type, **_plain(meta or {})}
        stored: list[str] = []

        def act(session: Session, row: Instance, workflow: Any) -> _Step:
            stored.extend(self._store([CheckedFile("", content, ref)]))
            return _Step("file_attached", None, {"op": "attach", "files": [ref]})
        try:
            self._command(instance_id, actor, act)
        except BaseException:
            self._unstore(stored)
            raise
        return ref

    def _store(self, checked: Sequence[CheckedFile]) -> list[str]:
        """Put the files in the blob store; returns the hashes this call newly wrote."""
        if checked and self.blobs is None:
            raise FormInvalid({c.field or "file": ["Files cannot be stored: no blob store is configured."]
                               for c in checked})
        written = []
        for item in checked:
            assert self.blobs is not None
            sha = str(item.reference["sha256"])
            if not self.blobs.exists(sha):
                self.blobs.put(item.content)
                written.append(sha)
        return written

    def _unstore(self, written: Sequence[str]) -> None:
        # Only blobs this command wrote: a file that was there before belongs to earlier commands too.
        for sha in written:
            if self.blobs is not None:
                self.blobs.delete(sha)

    def claim(self, task_id: str, actor: str) -> InstanceView:
        def act(session: Session, row: Instance, workflow: Any) -> _Step:
            task = self._open_task(session, row, workflow, task_id, actor)
            open_row = session.get(OpenTask, task_id)
            assert open_row is not None
            if open_row.claimed_by == actor:
                raise Conflict("you have already claimed this task")
            if open_row.claimed_by:
                raise Conflict(f"the task is claimed by {open_row.claimed_by}")
            _claim(session, open_row, actor)
            return _Step("task_claimed", task_id, {"op": "claim", "task_id": task_id, "element_id": task.element_id})
        return self._command(None, actor, act, task_id=task_id)

    def release(self, task_id: str, actor: str) -> InstanceView:
        def act(session: Session, row: Instance, workflow: Any) -> _Step:
            open_row = session.get(OpenTask, task_id)
            if open_row is None:
                raise TaskNotReady("the task is no longer open")
            if open_row.claimed_by != actor:
                raise NotAllowed("only the user who claimed the task can release it")
            _claim(session, open_row, None)
            return _Step("task_released", task_id, {"op": "release", "task_id": task_id,
                                                    "element_id": open_row.element_id})
        return self._command(None, actor, act, task_id=task_id)

    def delegate(self, task_id: str, actor: str, to_user: str) -> InstanceView:
        """Hand an open task to a colleague who may also do it; it becomes claimed by them."""
        def act(session: Session, row: Instance, workflow: Any) -> _Step:
            task = self._open_task(session, row, workflow, task_id, actor)
            if not self.resolver.may_act(to_user, self._assignment(task)):
                raise NotAllowed(f"{to_user} may not do this task")
            open_row = session.get(OpenTask, task_id)
            assert open_row is not None
            _claim(session, open_row, to_user)
            return _Step("task_delegated", task_id, {"op": "delegate", "task_id": task_id,
                                                     "element_id": task.element_id, "to": to_user})
        return self._command(None, actor, act, task_id=task_id)

    def cancel(self, instance_id: str, actor: str, reason: str, role: str | None = None) -> InstanceView:
        """Cancel a running instance for a reason. With `role`, only its holders in this instance may."""
        def act(session: Session, row: Instance, workflow: Any) -> _Step:
            self._require_role(actor, role, execution.view_data(workflow))
            execution.cancel(workflow)
            return _Step("instance_cancelled", None, {"op": "cancel", "reason": reason})
        return self._command(instance_id, actor, act)

    def return_to(self, instance_id: str, task_id: str, actor: str, reason: str,
                  role: str | None = None) -> InstanceView:
        """Return a running instance to one of its completed human tasks (a step done by mistake): the task
        is open again and every later step is undone. With `role`, only its holders in this instance may."""
        if not reason.strip():
            raise NotAllowed("a reason is required")

        def act(session: Session, row: Instance, workflow: Any) -> _Step:
            self._require_role(actor, role, execution.view_data(workflow))
            if execution.find_task(workflow, task_id) is None and session.execute(select(AuditRecord.seq).where(
                    AuditRecord.stream == row.id, AuditRecord.task_id == task_id,
                    AuditRecord.type == "task_completed").limit(1)).first() is not None:
                # pruned (engine/pruning.py): only the most recent completed step stays within reach
                raise Conflict("that step was completed too far back to return to: a return reaches the most "
                               "recent completed step and the steps open now")
            element_id = execution.reset_to(workflow, task_id)
            return _Step("instance_reset", task_id, {"op": "reset", "task_id": task_id, "element_id": element_id,
                                                     "reason": reason})
        return self._command(instance_id, actor, act)

    def completed_steps(self, instance_id: str) -> list[TaskView]:
        """The completed human tasks one may return to, oldest first (read only)."""
        with self.db.read() as session:
            row = session.get(Instance, instance_id)
            if row is None:
                raise InstanceNotFound(f"no instance {instance_id}")
            workflow = execution.load_workflow(row.state, self.script_engine)
            business_key, process_id, created = row.business_key, row.process_id, row.updated_at
        return [TaskView(id=str(t.id), instance_id=instance_id, process_id=process_id, business_key=business_key,
                         element_id=str(t.task_spec.bpmn_id), name=str(t.task_spec.bpmn_name or t.task_spec.bpmn_id),
                         lane=t.task_spec.lane, role=None, organisations=(), claimed_by=None, due_at=None,
                         phase=(getattr(t.task_spec, "extensions", {}) or {}).get("phase"), created_at=created,
                         properties=dict(getattr(t.task_spec, "extensions", {}) or {}), data=dict(t.data))
                for t in execution.completed_human_tasks(workflow)]

    def _require_role(self, actor: str, role: str | None, data: Mapping[str, Any]) -> None:
        if role and not self.resolver.may_act(actor, self.resolver.assign(role, data)):
            raise NotAllowed(f"{actor} may not do this: it belongs to the role {role}")

    def deliver_message(self, instance_id: str, name: str, payload: Mapping[str, Any], actor: str) -> InstanceView:
        clean = _plain(payload)

        def act(session: Session, row: Instance, workflow: Any) -> _Step:
            payload = clean
            for awaited in execution.awaited_messages(workflow):
                # a catch event may say who sends it (sender_role): the resolver decides as for tasks
                role = awaited.properties.get("sender_role")
                if awaited.name != name or not role:
                    continue
                assignment = self.resolver.assign(role, awaited.data)
                if not self.resolver.may_act(actor, assignment):
                    raise NotAllowed(f"{actor} may not send {name!r} to this instance")
                # The diagram learns for whom the sender acts from the engine, never from the payload:
                # the sender's own organisations among those that play the role here.
                own = [m.organisation for m in self.resolver.memberships(actor)
                       if m.role == assignment.role and m.organisation in assignment.organisations]
                payload = {**clean, "sender": {"user": actor, "organisations": list(dict.fromkeys(own))}}
            execution.deliver_message(workflow, name, payload)
            self._add_participants(session, instance_id, self.resolver.memberships(actor))
            return _Step("message_received", None, {"op": "message", "name": name, "payload": payload})
        return self._command(instance_id, actor, act)

    def fire_due_timers(self, now: datetime | None = None, actor: str = "timer") -> int:
        """Fire every timer due by `now` (one command per instance); returns how many instances moved.
        An instance whose demonstration clock was moved forward is fired on its own clock."""
        now = (now or self._now()).astimezone(timezone.utc)
        with self.db.read() as session:
            offsets = self._offsets(session)
            if offsets:
                rows = [(r[0], r[1]) for r in session.execute(select(DueTimer.instance_id, DueTimer.due_at))]
                due = sorted({i for i, at in rows if at < now + offsets.get(i, _ZERO)})
            else:  # strictly earlier, as SpiffWorkflow decides whether a timer has fired
                due = sorted(set(session.execute(select(DueTimer.instance_id).where(DueTimer.due_at < now))
                                 .scalars()))
        fired = 0
        for instance_id in due:
            def act(session: Session, row: Instance, workflow: Any) -> _Step:
                execution.fire_timers(workflow)
                return _Step("timers_fired", None, {"op": "fire_timers"})
            try:
                self._command(instance_id, actor, act, at=now + offsets.get(instance_id, _ZERO),
                              require_change=True, skip_locked=True)
                fired += 1
            except Conflict:
                continue  # another worker holds or already fired it, or it ended meanwhile
        return fired

    def migrate(self, instance_id: str, to_version: int, actor: str, reason: str = "") -> InstanceView:
        """Move a running instance to another version of its process, if safe (engine/migration.py)."""
        def act(session: Session, row: Instance, workflow: Any) -> _Step:
            current = session.get(ProcessDefinition, row.definition_id)
            target = self._target(session, row.process_id, to_version)
            assert current is not None
            if target.version <= current.version:
                raise Conflict(f"the instance is on version {current.version}; it can only move to a newer one")
            migrate_workflow(workflow, self._compiled(target))
            row.definition_id = target.id
            return _Step("instance_migrated", None, {
                "op": "migrate", "from_version": current.version, "to_version": target.version,
                "to_sha256": target.sha256, "reason": reason})
        return self._command(instance_id, actor, act)

    # --- a demonstration's clock, per instance ------------------------------------------------
    def _offsets(self, session: Session) -> dict[str, timedelta]:
        if not self.demo_clock:
            return {}
        return {r.instance_id: timedelta(seconds=r.offset_seconds)
                for r in session.execute(select(InstanceClock)).scalars()}

    def clock_of(self, instance_id: str) -> datetime:
        """The time as one instance sees it: the engine's clock, moved forward in a demonstration."""
        with self.db.read() as session:
            return self._now() + self._offsets(session).get(instance_id, _ZERO)

    def advance_clock(self, instance_id: str, actor: str) -> datetime:
        """Demonstrations only: move this instance's clock just past its next due timer and fire it. Its
        clock never goes back, so its audit times stay in order; no other instance is moved."""
        if not self.demo_clock:
            raise NotAllowed("the clock can be moved in a demonstration only")
        view = self.instance(instance_id)
        if view.status != RUNNING or not view.timers:
            raise Conflict("the instance waits for no date")
        target = min(t.due_at for t in view.timers) + timedelta(seconds=1)
        with self.db.write() as session:
            row = session.get(InstanceClock, instance_id)
            offset = (target - self._now()).total_seconds()
            if row is None:
                session.add(InstanceClock(instance_id=instance_id, offset_seconds=max(0.0, offset)))
            elif offset > row.offset_seconds:
                row.offset_seconds = offset

        def act(session: Session, row: Instance, workflow: Any) -> _Step:
            execution.fire_timers(workflow)
            return _Step("timers_fired", None, {"op": "fire_timers"})
        self._command(instance_id, actor, act, require_change=True)
        return target

    # --- the command pipeline ----------------------------------------------------------------
    def _command(self, instance_id: str | None, actor: str, act: Callable[[Session, Instance, Any], _Step],
                 expected_version: int | None = None, at: datetime | None = None,
                 require_change: bool = False, skip_locked: bool = False,
                 task_id: str | None = None) -> InstanceView:
        """One transaction: the instance is found (by its id, or by one of its open tasks) in the query that
        locks it; derived rows and audit events are written in bulk; the returned view is built from what
        the command already holds, without reading it back."""
        with self.db.write() as session:
            row = self._lock(session, instance_id, skip_locked, task_id, actor)
            instance_id = row.id
            # an instance's demonstration clock may run ahead of the engine's (never behind its own past)
            at = (at or self._now() + self._offsets(session).get(instance_id, _ZERO)).astimezone(timezone.utc)
            if expected_version is not None and row.version != expected_version:
                raise StaleInstance("the procurement has changed since you opened it; reload and try again")
            if row.status != RUNNING:
                raise Conflict(f"the instance is {row.status}")
            if execution.state_digest(row.state) != row.state_digest:
                raise StateTampered(f"the stored state of instance {instance_id} does not match its digest: "
                                    "the command was refused; run `allianssi verify` on it")
            workflow = execution.load_workflow(row.state, self.script_engine)
            self._open_rows(session, instance_id)  # the inbox rows, once: checks and the refresh use them
            # the chain's head is read after the lock, never in the locking query: a statement that waited
            # for the lock still sees its own snapshot in its other subqueries (READ COMMITTED)
            chain = ChainWriter(session, instance_id, bulk=True)
            before = execution.task_states(workflow)
            session.info[_TIMERS_BEFORE] = _timer_keys(execution.pending_timers(workflow))
            with deterministic(command_seed(row.seed, instance_id, chain.next_seq), at):
                step = act(session, row, workflow)
                changes = execution.state_changes(workflow, before)
                if require_change and not changes:
                    raise Conflict("nothing changed")  # e.g. a timer another worker already fired
                state = execution.dump_state(workflow) if changes or step.payload["op"] in STATEFUL else row.state
            return self._save(session, row, workflow, state, chain, step, changes, actor, at)

    def _lock(self, session: Session, instance_id: str | None, skip_locked: bool = False,
              task_id: str | None = None, actor: str | None = None) -> Instance:
        """Lock the instance row, found by its id or by one of its open tasks. With skip_locked (timer
        workers), a row another process holds is skipped, not waited for, so workers spread over instances
        instead of queueing."""
        query = select(Instance)
        if task_id is not None:
            query = query.where(Instance.id == select(OpenTask.instance_id).where(
                OpenTask.id == task_id).scalar_subquery())
        else:
            query = query.where(Instance.id == instance_id)
        if not self.db.is_sqlite:  # SQLite: BEGIN IMMEDIATE already holds the write lock
            query = query.with_for_update(skip_locked=skip_locked)
        row = session.execute(query).scalar_one_or_none()
        if row is None:
            if task_id is not None:
                raise self._missing_task(task_id, actor)
            if skip_locked and session.get(Instance, instance_id, populate_existing=True) is not None:
                raise Conflict("another process holds this instance")
            raise InstanceNotFound(f"no instance {instance_id}")
        return row

    @staticmethod
    def _open_rows(session: Session, instance_id: str) -> dict[str, tuple[OpenTask, list[str]]]:
        """The instance's open-task rows with their organisations (one query per command, kept in the session)."""
        key = (_OPEN_ROWS, instance_id)
        found = session.info.get(key)
        if found is None:
            found = {}
            for open_row, organisation in session.execute(
                    select(OpenTask, OpenTaskOrganisation.organisation)
                    .outerjoin(OpenTaskOrganisation, OpenTaskOrganisation.task_id == OpenTask.id)
                    .where(OpenTask.instance_id == instance_id)):
                entry = found.setdefault(open_row.id, (open_row, []))
                if organisation is not None:
                    entry[1].append(organisation)
            session.info[key] = found
        return dict(found)

    def _save(self, session: Session, row: Instance, workflow: Any, state: str, chain: ChainWriter, step: _Step,
              changes: list[execution.StateChange], actor: str, at: datetime) -> InstanceView:
        digest = execution.state_digest(state)
        status = CANCELLED if step.payload["op"] == "cancel" else (COMPLETED if workflow.is_completed() else RUNNING)
        old_version = row.version
        data = execution.view_data(workflow)
        element_states = execution.element_states(workflow)
        awaited = sorted({m.name for m in execution.awaited_messages(workflow)})
        result = session.execute(
            update(Instance).where(Instance.id == row.id, Instance.version == old_version).values(
                state=state, state_digest=digest, status=status, version=old_version + 1, updated_at=at,
                data=canonical_json(data), element_states=canonical_json(element_states),
                awaited_messages=canonical_json(awaited))
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleInstance("the instance was changed by another request at the same time")
        assignments, timers = self._refresh_derived(session, row.id, workflow, status, at)
        added = session.info.pop(_ADDED_ORGANISATIONS, [])
        # The chain keeps what the derived rows hold (who may act, who takes part), so verify can check them.
        extra = {"organisations_added": added} if added else {}
        chain.append(step.event, at, actor, step.task_id, {**step.payload, "state_digest": digest, **extra})
        for change in changes:
            assigned = assignments.get(change.task_id) if change.state == "ready" else None
            who = {"role": assigned.role, "organisations": list(assigned.organisations)} if assigned else {}
            chain.append(f"element_{change.state}", at, actor, change.task_id, {
                "element_id": change.element_id, "name": change.name, "kind": change.kind, **who})
        chain.write()
        organisations, roles = self._known_participants(session, row.id)
        open_tasks = [TaskView(
            id=r.id, instance_id=row.id, process_id=row.process_id, business_key=row.business_key,
            element_id=r.element_id, name=r.name, lane=r.lane, role=r.role, organisations=tuple(sorted(orgs)),
            claimed_by=r.claimed_by, due_at=r.due_at, phase=r.phase, created_at=r.created_at,
            properties=json.loads(r.properties or "{}"), instance_version=old_version + 1)
            for r, orgs in self._open_rows(session, row.id).values()]
        open_tasks.sort(key=lambda t: (t.due_at is None, t.due_at or at, t.created_at, t.id))
        return InstanceView(
            id=row.id, process_id=row.process_id, definition_version=self._definition_version(session, row),
            business_key=row.business_key, status=status, version=old_version + 1,
            data=json.loads(canonical_json(data)), started_by=row.started_by, started_at=row.started_at,
            updated_at=at, open_tasks=tuple(open_tasks), element_states=element_states,
            awaited_messages=tuple(awaited), participants=tuple(sorted(organisations)),
            participant_roles=tuple(Membership(o, r) for o, r in sorted(roles)),
            timers=tuple(TimerView(t.element_id, t.name, t.due_at) for t in sorted(timers, key=lambda t: t.due_at)))

    def _definition_version(self, session: Session, row: Instance) -> int:
        """A stored definition's version never changes: remembered by its row id (one engine, one database)."""
        version = self._definition_versions.get(row.definition_id)
        if version is None:
            version = session.execute(select(ProcessDefinition.version).where(
                ProcessDefinition.id == row.definition_id)).scalar_one()
            self._definition_versions[row.definition_id] = version
        return version

    def _refresh_derived(self, session: Session, instance_id: str, workflow: Any, status: str,
                         at: datetime) -> tuple[dict[str, Any], list[execution.PendingTimer]]:
        """Bring the inbox, participant and timer rows up to date, writing only what changed, in bulk;
        returns the new open tasks' assignments and the pending timers."""
        ready = {t.id: t for t in execution.ready_human_tasks(workflow)} if status == RUNNING else {}
        existing = self._open_rows(session, instance_id)
        gone = [task_id for task_id in existing if task_id not in ready]
        if gone:
            for task_id in gone:
                session.expunge(existing[task_id][0])
            session.execute(delete(OpenTask).where(OpenTask.id.in_(gone)).execution_options(
                synchronize_session=False))
        kept = {task_id: entry for task_id, entry in existing.items() if task_id in ready}
        assigned: list[Membership] = []
        assignments: dict[str, Any] = {}
        new_rows: list[OpenTask] = []
        new_organisations: list[dict[str, Any]] = []
        for task_id, task in ready.items():
            if task_id in existing:
                continue
            assignment = assignments[task_id] = self._assignment(task)
            due = None
            due_expression = task.properties.get("dueDate") or task.properties.get("camunda:dueDate")
            if due_expression:
                with deterministic(f"{task_id}:due", at):  # `dateTime()` reads the command's time
                    with_value = _evaluate_quietly(workflow, due_expression, task.data)
                due = execution.due_date(with_value, self.local_timezone)
            open_row = OpenTask(id=task_id, instance_id=instance_id, element_id=task.element_id, name=task.name,
                                lane=task.lane, role=assignment.role, phase=task.properties.get("phase"),
                                due_at=due, due_sort=due or FAR_FUTURE, claimed_by=self._assignee(task), created_at=at,
                                properties=canonical_json(dict(task.properties)))
            new_rows.append(open_row)
            organisations = list(dict.fromkeys(assignment.organisations))
            new_organisations += [{"task_id": task_id, "organisation": o, "role": assignment.role,
                                   "instance_id": instance_id, "claimed_by": open_row.claimed_by,
                                   "due_sort": due or FAR_FUTURE, "created_at": at, "phase": open_row.phase}
                                  for o in organisations]
            kept[task_id] = (open_row, organisations)
            assigned += [Membership(o, assignment.role or "") for o in assignment.organisations]
        if new_rows:  # one INSERT per table, not one flush per row
            session.execute(insert(OpenTask), [_columns(r) for r in new_rows])
            if new_organisations:
                session.execute(insert(OpenTaskOrganisation), new_organisations)
        session.info[(_OPEN_ROWS, instance_id)] = kept
        assigned += refresh_rows(session, instance_id, workflow, status == RUNNING, at, self.resolver)
        if assigned:  # one look-up of the known participants per command, not one per new task
            self._add_participants(session, instance_id, assigned)
        timers = execution.pending_timers(workflow) if status == RUNNING else []
        if _timer_keys(timers) != session.info.pop(_TIMERS_BEFORE, None):
            session.execute(delete(DueTimer).where(DueTimer.instance_id == instance_id))
            if timers:
                session.execute(insert(DueTimer), [
                    {"instance_id": instance_id, "task_id": t.task_id, "element_id": t.element_id, "name": t.name,
                     "due_at": t.due_at} for t in timers])
        return assignments, timers

    @staticmethod
    def _known_participants(session: Session, instance_id: str) -> tuple[set[str], set[tuple[str, str]]]:
        """The instance's participants and their roles: one query per command, kept in the session."""
        key = (_PARTICIPANTS, instance_id)
        known = session.info.get(key)
        if known is None:
            organisations: set[str] = set()
            roles: set[tuple[str, str]] = set()
            for organisation, role in session.execute(
                    select(InstanceOrganisation.organisation, literal(None, String).label("role")).where(
                        InstanceOrganisation.instance_id == instance_id)
                    .union_all(select(InstanceParticipantRole.organisation, InstanceParticipantRole.role).where(
                        InstanceParticipantRole.instance_id == instance_id))):
                if role is None:
                    organisations.add(organisation)
                else:
                    roles.add((organisation, role))
            known = session.info[key] = (organisations, roles)
        return known

    def _add_participants(self, session: Session, instance_id: str, memberships: Sequence[Membership]) -> None:
        """Record who took part, and in which role: the only source of who may see an instance."""
        known, known_roles = self._known_participants(session, instance_id)
        new_organisations: list[dict[str, str]] = []
        new_roles: list[dict[str, str]] = []
        for membership in dict.fromkeys(memberships):
            if membership.organisation not in known:
                known.add(membership.organisation)
                new_organisations.append({"instance_id": instance_id, "organisation": membership.organisation})
                session.info.setdefault(_ADDED_ORGANISATIONS, []).append(membership.organisation)
            if membership.role and (membership.organisation, membership.role) not in known_roles:
                known_roles.add((membership.organisation, membership.role))
                new_roles.append({"instance_id": instance_id, "organisation": membership.organisation,
                                  "role": membership.role})
        if new_organisations:
            session.execute(insert(InstanceOrganisation), new_organisations)
        if new_roles:
            session.execute(insert(InstanceParticipantRole), new_roles)

    # --- checks ------------------------------------------------------------------------------
    def _missing_task(self, task_id: str, actor: str | None = None) -> EngineError:
        """A task that was open once is a conflict (already done), but only for someone who could have done
        it (or did something to it): anyone else learns nothing of its state, and gets not found. Without an
        actor (trusted callers: operators, auditors) the state is told."""
        with self.db.read() as session:
            records = session.execute(select(AuditRecord.actor, AuditRecord.payload).where(
                AuditRecord.task_id == task_id)).all()
        if records and (actor is None or self._knew_task(actor, records)):
            return TaskNotReady("the task has already been completed or is no longer open")
        return TaskNotFound(f"no task {task_id}")

    def _knew_task(self, actor: str, records: Sequence[Any]) -> bool:
        for record_actor, payload_json in records:
            if record_actor == actor:
                return True
            payload = json.loads(payload_json)
            if "organisations" in payload and self.resolver.may_act(actor, Assignment(
                    payload.get("role"), tuple(payload["organisations"]))):
                return True
        return False

    def _open_task(self, session: Session, row: Instance, workflow: Any, task_id: str,
                   actor: str) -> execution.ReadyTask:
        task = next((t for t in execution.ready_human_tasks(workflow) if t.id == task_id), None)
        if task is None:
            raise TaskNotReady("the task has already been completed or is no longer open")
        if not self.resolver.may_act(actor, self._assignment(task)):
            raise NotAllowed(f"{actor} may not do this task")
        open_row = session.get(OpenTask, task_id)
        if open_row is not None and open_row.claimed_by not in (None, actor):
            raise NotAllowed(f"the task is claimed by {open_row.claimed_by}")
        return task

    def _assignment(self, task: execution.ReadyTask) -> Any:
        found = self._candidates(task)
        if found is not None:
            return camunda_assignment.assign(self.resolver, found, task.lane, task.data)
        return self.resolver.assign(task.lane, task.data)

    def _candidates(self, task: execution.ReadyTask) -> Candidates | None:
        try:
            return camunda_assignment.candidates(task.properties, task.data)
        except JuelError as error:
            raise ScriptFailed(task.element_id, f"assignment of {task.element_id}: {error}") from None

    def _assignee(self, task: execution.ReadyTask) -> str | None:
        """camunda:assignee: the task opens claimed by that user, as in Camunda 7's task list."""
        found = self._candidates(task)
        return found.assignee if found is not None else None

    def _validate_form(self, spec: Any, variables: Mapping[str, Any], data: Mapping[str, Any],
                       uploads: Mapping[str, Sequence[Upload]]) -> tuple[dict[str, Any], list[CheckedFile]]:
        """Clean data and the checked files. A file field's value comes only from its uploads (never from
        the data sent), so no one can point a field at a file they did not upload. A read-only field takes
        no value (Camunda 7's `readonly`); Camunda's generic form (a formKey without fields) also takes new
        variables."""
        fields = task_form(spec, variables)
        file_ids = {f.id for f in fields if is_file_field(f)}
        readonly = {f.id for f in fields if f.readonly}
        errors: dict[str, list[str]] = {key: ["This field is read only."] for key in readonly
                                        if data.get(key) not in (None, "")}
        given = {k: v for k, v in data.items() if k not in file_ids | readonly}
        others: list[FormField] = [f for f in fields if f.id not in file_ids | readonly]
        clean: dict[str, Any] = {}
        added: dict[str, Any] = {}
        if generic_form.is_generic(spec):
            added, wrong = generic_form.new_variables(given, {f.id for f in fields})
            errors.update(wrong)
            given = {k: v for k, v in given.items() if k not in added and k not in wrong}
        try:
            if self.form_validator is not None:
                clean = self.form_validator(others, given)
            else:
                known = {f.id for f in others}
                clean = _plain({k: v for k, v in given.items() if k in known} if fields else given)
        except FormInvalid as error:
            errors.update(error.errors)
        clean.update(added)
        checked, file_errors = check_uploads(fields, uploads)
        errors.update(file_errors)
        if errors:
            raise FormInvalid(errors)
        for field_id in file_ids:
            refs = [c.reference for c in checked if c.field == field_id]
            if refs:
                clean[field_id] = refs
        return clean, checked


_ADDED_ORGANISATIONS = "engine.organisations_added"  # session.info key: participants this command added
_OPEN_ROWS = "engine.open_rows"  # session.info key (with the instance id): its open-task rows and organisations
_PARTICIPANTS = "engine.participants"  # session.info key (with the instance id): its participants and roles
_TIMERS_BEFORE = "engine.timers_before"  # session.info key: the pending timers the command started with
_ZERO = timedelta(0)
STATEFUL = frozenset({"start", "complete", "cancel", "message", "fire_timers", "complete_external", "migrate",
                      "reset"})


def _claim(session: Session, open_row: OpenTask, user: str | None) -> None:
    """Claim (or release, with None) an open task: its assignment rows say so too (they are the inbox's)."""
    open_row.claimed_by = user
    session.execute(update(OpenTaskOrganisation).where(OpenTaskOrganisation.task_id == open_row.id)
                    .values(claimed_by=user).execution_options(synchronize_session=False))


def _timer_keys(timers: Sequence[execution.PendingTimer]) -> list[tuple[str, str, str, datetime]]:
    return sorted((t.task_id, t.element_id, t.name, t.due_at) for t in timers)


def _columns(row: OpenTask) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in OpenTask.__table__.columns}


def _evaluate_quietly(workflow: Any, expression: str, data: Mapping[str, Any]) -> Any:
    """A due date that cannot be computed yet (its data is missing) is simply unknown."""
    try:
        return execution.evaluate(workflow, expression, data)
    except Exception:  # noqa: BLE001 - the expression compiled at deploy; missing data only
        return None


def _plain(data: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return json.loads(canonical_json(dict(data)))
    except (TypeError, ValueError) as error:
        raise ScriptFailed(None, f"data must be plain JSON: {error}") from None
