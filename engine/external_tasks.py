"""Service tasks done outside the engine: Camunda 7's external-task pattern.

A `bpmn:serviceTask` with `camunda:type="external"` and a `camunda:topic` does not run in the
engine. It waits (SpiffWorkflow's STARTED state) until a worker fetches and locks it for a while,
then completes it with variables or reports a failure with the retries left. Every lock,
completion and failure is a command: one transaction, audited, replayable.

The open external tasks are derived rows (`external_tasks`) like the inbox's open tasks: the
lane's assignment (role and organisations) decides who may fetch one, as for a human task.
A lock expires by time; an expired lock is free for the next worker (the one before it died).
With no retries left a task is an incident and is not fetched again.

This module is the whole engine side of external tasks: the task spec and its serializer
converter (built by `engine/camunda/parsing.py` from `camunda:type="external"`, whose checks
refuse one without a topic; serialized through `execution.py`), the rows and the commands (a
mixin of `Engine`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import ForeignKey, Integer, String, Text, and_, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.errors import Conflict, NotAllowed, TaskNotReady
from engine.models import Base, UTCDateTime
from engine.types import JSON, Assignment, Membership

if TYPE_CHECKING:
    from engine.models import Instance
    from engine.runtime import _Step
    from engine.storage import Database
    from engine.types import AssignmentResolver

MAX_LOCK = timedelta(days=7)


# --- the task spec, its parser and its serializer ----------------------------------------------
class ExternalServiceTask(ServiceTask):
    """A service task a worker outside the engine does: it waits (STARTED) until completed."""

    def __init__(self, wf_spec: Any, bpmn_id: str, topic: str, **kwargs: Any):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.topic = topic

    def _run_hook(self, my_task: Any) -> None:
        return None  # SpiffWorkflow: None means "started, not done"; a worker completes it


class ExternalServiceTaskConverter(BpmnTaskSpecConverter):
    def to_dict(self, spec: Any) -> dict[str, Any]:
        dct: dict[str, Any] = self.get_default_attributes(spec)
        dct["topic"] = spec.topic
        return dct


SERIALIZER_CONFIG = {ExternalServiceTask: ExternalServiceTaskConverter}


# --- what SpiffWorkflow holds --------------------------------------------------------------------
@dataclass(frozen=True)
class WaitingExternalTask:
    id: str
    element_id: str
    name: str
    topic: str
    lane: str | None
    data: Mapping[str, Any]


def _has_external_tasks(workflow: Any) -> bool:
    specs = [workflow.spec, *workflow.subprocess_specs.values()]
    return any(isinstance(t, ExternalServiceTask) for spec in specs for t in spec.task_specs.values())


def waiting(workflow: Any) -> list[WaitingExternalTask]:
    from engine.execution import all_tasks

    found = []
    for task in all_tasks(workflow):
        spec = task.task_spec
        if task.state == TaskState.STARTED and isinstance(spec, ExternalServiceTask):
            found.append(WaitingExternalTask(str(task.id), spec.bpmn_id, spec.bpmn_name or spec.bpmn_id,
                                             spec.topic, spec.lane, task.data))
    return found


def complete(workflow: Any, task_id: str, variables: Mapping[str, Any]) -> None:
    """Complete a waiting external task with the worker's variables, then run until the workflow waits."""
    from engine.execution import _guard, find_task, plain_copy

    task = find_task(workflow, task_id)
    if task is None or task.state != TaskState.STARTED or not isinstance(task.task_spec, ExternalServiceTask):
        raise TaskNotReady("the external task is no longer open")
    task.data.update(plain_copy(variables))
    _guard(task.complete)
    _guard(workflow.do_engine_steps)


# --- the derived rows ----------------------------------------------------------------------------
class ExternalTaskRow(Base):
    """An external task waiting for a worker, with its lock and retries."""

    __tablename__ = "external_tasks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id"), index=True)
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))
    topic: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str | None] = mapped_column(String(200))
    organisations: Mapped[str] = mapped_column(Text)  # JSON list: who may fetch it (the lane's assignment)
    worker_id: Mapped[str | None] = mapped_column(String(200))
    lock_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    retries: Mapped[int | None] = mapped_column(Integer)  # None: never failed; 0: an incident
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class ExternalTaskView:
    id: str
    instance_id: str
    element_id: str
    name: str
    topic: str
    role: str | None
    organisations: tuple[str, ...]
    worker_id: str | None
    lock_expires_at: datetime | None
    retries: int | None
    error_message: str | None
    created_at: datetime
    variables: Mapping[str, JSON] | None = None  # given to the worker that locked it

    @property
    def incident(self) -> bool:
        return self.retries == 0


def _view(row: ExternalTaskRow, variables: Mapping[str, JSON] | None = None) -> ExternalTaskView:
    return ExternalTaskView(row.id, row.instance_id, row.element_id, row.name, row.topic, row.role,
                            tuple(json.loads(row.organisations)), row.worker_id, row.lock_expires_at, row.retries,
                            row.error_message, row.created_at, variables)


def refresh_rows(session: Session, instance_id: str, workflow: Any, running: bool, at: datetime,
                 resolver: AssignmentResolver) -> list[Membership]:
    """Keep one row per waiting external task (its lock and retries survive); returns who was assigned."""
    now_waiting = {t.id: t for t in waiting(workflow)} if running else {}
    if not now_waiting and not _has_external_tasks(workflow):
        return []  # a diagram without external tasks never has their rows: no query
    existing = {r.id: r for r in session.execute(
        select(ExternalTaskRow).where(ExternalTaskRow.instance_id == instance_id)).scalars()}
    for task_id, row in existing.items():
        if task_id not in now_waiting:
            session.delete(row)
    assigned: list[Membership] = []
    for task_id, task in now_waiting.items():
        if task_id in existing:
            continue
        assignment = resolver.assign(task.lane, task.data)
        session.add(ExternalTaskRow(id=task_id, instance_id=instance_id, element_id=task.element_id, name=task.name,
                                    topic=task.topic, role=assignment.role,
                                    organisations=json.dumps(list(assignment.organisations)),
                                    worker_id=None, lock_expires_at=None, retries=None, error_message=None,
                                    created_at=at))
        assigned += [Membership(o, assignment.role or "") for o in assignment.organisations]
    session.flush()
    return assigned


# --- the commands ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TopicRequest:
    topic: str
    lock_duration: timedelta


class ExternalTasks:
    """Fetch-and-lock, complete and fail: commands of `Engine` (which provides `_command`)."""

    db: Database
    resolver: AssignmentResolver

    def _now(self) -> datetime:
        raise NotImplementedError

    def _command(self, instance_id: str, actor: str, act: Any, expected_version: int | None = None,
                 at: datetime | None = None, require_change: bool = False, skip_locked: bool = False) -> Any:
        raise NotImplementedError

    def _missing_task(self, task_id: str) -> Exception:
        raise NotImplementedError

    def external_tasks(self, actor: str, topic: str | None = None) -> list[ExternalTaskView]:
        """The open external tasks the actor may fetch (locked or not), oldest first."""
        with self.db.read() as session:
            query = select(ExternalTaskRow).order_by(ExternalTaskRow.created_at, ExternalTaskRow.id)
            if topic:
                query = query.where(ExternalTaskRow.topic == topic)
            rows = session.execute(query).scalars().all()
        return [_view(r) for r in rows if self._may_work_on(actor, r)]

    def _may_work_on(self, actor: str, row: ExternalTaskRow) -> bool:
        return self.resolver.may_act(actor, Assignment(row.role, tuple(json.loads(row.organisations))))

    def fetch_and_lock(self, actor: str, worker_id: str, topics: Sequence[TopicRequest],
                       max_tasks: int) -> list[ExternalTaskView]:
        """Lock up to `max_tasks` free tasks of the topics for this worker. Competing workers never get
        the same task: each lock is a command that re-checks the row under the instance lock."""
        if not worker_id or not topics or max_tasks < 1:
            return []
        if any(not (timedelta(0) < t.lock_duration <= MAX_LOCK) for t in topics):
            raise Conflict("a lock must last more than 0 ms and at most 7 days")
        durations = {t.topic: t.lock_duration for t in topics}
        now = self._now()
        with self.db.read() as session:
            candidates = session.execute(
                select(ExternalTaskRow).where(ExternalTaskRow.topic.in_(list(durations)), _free(now))
                .order_by(ExternalTaskRow.created_at, ExternalTaskRow.id)).scalars().all()
        locked: list[ExternalTaskView] = []
        for candidate in candidates:
            if len(locked) >= max_tasks:
                break
            if not self._may_work_on(actor, candidate):
                continue
            try:
                locked.append(self._lock_one(candidate.id, candidate.instance_id, actor, worker_id,
                                             durations[candidate.topic]))
            except Conflict:
                continue  # another worker took it, or the instance moved on meanwhile
        return locked

    def _lock_one(self, task_id: str, instance_id: str, actor: str, worker_id: str,
                  duration: timedelta) -> ExternalTaskView:
        from engine.execution import find_task, plain_copy
        from engine.runtime import _Step

        result: list[ExternalTaskView] = []

        def act(session: Session, row: Instance, workflow: Any) -> _Step:
            now = self._now()
            current = session.get(ExternalTaskRow, task_id, populate_existing=True)
            if current is None or not _is_free(current, now):
                raise Conflict("the external task was taken by another worker")
            current.worker_id = worker_id
            current.lock_expires_at = now + duration
            session.flush()
            task = find_task(workflow, task_id)
            result.append(_view(current, plain_copy(task.data) if task is not None else {}))
            return _Step("external_task_locked", task_id, {
                "op": "lock_external", "task_id": task_id, "element_id": current.element_id,
                "topic": current.topic, "worker_id": worker_id, "lock_expires_at": current.lock_expires_at.isoformat()})
        self._command(instance_id, actor, act, skip_locked=True)
        return result[0]

    def _locked_row(self, session: Session, task_id: str, actor: str, worker_id: str) -> ExternalTaskRow:
        row = session.get(ExternalTaskRow, task_id, populate_existing=True)
        if row is None:
            raise TaskNotReady("the external task is no longer open")
        if not self._may_work_on(actor, row):
            raise NotAllowed(f"{actor} may not work on this external task")
        lock = row.lock_expires_at
        if row.worker_id != worker_id or lock is None or lock <= self._now():
            raise Conflict("the external task is not locked by this worker (the lock may have expired)")
        return row

    def _instance_of_external(self, task_id: str) -> str:
        with self.db.read() as session:
            instance_id = session.execute(select(ExternalTaskRow.instance_id)
                                          .where(ExternalTaskRow.id == task_id)).scalar()
        if instance_id is None:
            raise self._missing_task(task_id)
        return instance_id

    def complete_external_task(self, task_id: str, actor: str, worker_id: str,
                               variables: Mapping[str, Any] | None = None) -> Any:
        from engine.runtime import _plain, _Step

        clean = _plain(variables or {})

        def act(session: Session, row: Instance, workflow: Any) -> _Step:
            locked = self._locked_row(session, task_id, actor, worker_id)
            complete(workflow, task_id, clean)
            return _Step("external_task_completed", task_id, {
                "op": "complete_external", "task_id": task_id, "element_id": locked.element_id,
                "topic": locked.topic, "worker_id": worker_id, "data": clean})
        return self._command(self._instance_of_external(task_id), actor, act)

    def fail_external_task(self, task_id: str, actor: str, worker_id: str, error_message: str, retries: int,
                           retry_timeout: timedelta = timedelta(0)) -> ExternalTaskView:
        """Record a worker's failure. With retries left the task is free again after `retry_timeout`;
        with none it is an incident and no worker fetches it."""
        from engine.runtime import _Step

        if retries < 0 or retry_timeout < timedelta(0) or retry_timeout > MAX_LOCK:
            raise Conflict("retries must be 0 or more and the retry timeout at most 7 days")
        result: list[ExternalTaskView] = []

        def act(session: Session, row: Instance, workflow: Any) -> _Step:
            locked = self._locked_row(session, task_id, actor, worker_id)
            locked.worker_id = None
            locked.retries = retries
            locked.error_message = error_message[:4000]
            locked.lock_expires_at = self._now() + retry_timeout if retries and retry_timeout else None
            session.flush()
            result.append(_view(locked))
            return _Step("external_task_failed", task_id, {
                "op": "fail_external", "task_id": task_id, "element_id": locked.element_id, "topic": locked.topic,
                "worker_id": worker_id, "error_message": locked.error_message, "retries": retries})
        self._command(self._instance_of_external(task_id), actor, act)
        return result[0]


def _is_free(row: ExternalTaskRow, now: datetime) -> bool:
    return row.retries != 0 and (row.lock_expires_at is None or row.lock_expires_at <= now)


def _free(now: datetime) -> Any:
    return and_(or_(ExternalTaskRow.retries.is_(None), ExternalTaskRow.retries != 0),
                or_(ExternalTaskRow.lock_expires_at.is_(None), ExternalTaskRow.lock_expires_at <= now))
