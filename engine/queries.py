"""Read-side of the engine: views of instances, tasks, inboxes, history and the chain."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from engine import execution
from engine.audit import to_event, verify_chain
from engine.camunda.generic_form import is_generic
from engine.checkpoints import CheckpointReport, chain_heads, make_checkpoint, verify_checkpoint
from engine.definitions import load_process
from engine.errors import DefinitionNotFound, InstanceNotFound, StateTampered
from engine.forms import task_form
from engine.inbox_scope import visible_task_ids
from engine.integrity import check_definitions, check_instances
from engine.models import (
    AuditRecord,
    DueTimer,
    Instance,
    InstanceOrganisation,
    InstanceParticipantRole,
    OpenTask,
    OpenTaskOrganisation,
    ProcessDefinition,
)
from engine.types import (
    AuditEvent,
    ChainReport,
    DeployedProcess,
    InstanceView,
    Membership,
    SourceFile,
    TaskView,
    TimerView,
)

if TYPE_CHECKING:
    from engine.definitions import CompiledProcess
    from engine.storage import Database
    from engine.types import AssignmentResolver


class Queries:
    db: Database
    resolver: AssignmentResolver

    def _compiled(self, row: ProcessDefinition) -> CompiledProcess:
        raise NotImplementedError

    def _missing_task(self, task_id: str, actor: str | None = None) -> Exception:
        raise NotImplementedError

    def definitions(self) -> list[DeployedProcess]:
        with self.db.read() as session:
            rows = session.execute(select(ProcessDefinition).order_by(
                ProcessDefinition.process_id, ProcessDefinition.version)).scalars().all()
        return [DeployedProcess(r.process_id, r.name, r.version, r.sha256, r.deployed_at, True) for r in rows]

    def definition_files(self, process_id: str, version: int) -> dict[str, str]:
        with self.db.read() as session:
            files = session.execute(select(ProcessDefinition.files).where(
                ProcessDefinition.process_id == process_id, ProcessDefinition.version == version)).scalar()
        if files is None:
            raise DefinitionNotFound(f"no definition {process_id} v{version}")
        return dict(json.loads(files))

    def instance(self, instance_id: str) -> InstanceView:
        with self.db.read() as session:
            found = session.execute(select(Instance, ProcessDefinition.version).join(
                ProcessDefinition, ProcessDefinition.id == Instance.definition_id).where(
                Instance.id == instance_id)).first()
            if found is None:
                raise InstanceNotFound(f"no instance {instance_id}")
            row, definition_version = found
            tasks = self._task_views(session, [OpenTask.instance_id == instance_id], with_details=False)
            timers = session.execute(select(DueTimer).where(DueTimer.instance_id == instance_id)
                                     .order_by(DueTimer.due_at)).scalars().all()
            participants = self._participants(session, [instance_id])
            roles = self._participant_roles(session, [instance_id])
            return _instance_view(row, definition_version, tasks, timers, participants.get(instance_id, ()),
                                  roles.get(instance_id, ()))

    @staticmethod
    def _participants(session: Any, instance_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for instance_id, organisation in session.execute(
                select(InstanceOrganisation.instance_id, InstanceOrganisation.organisation)
                .where(InstanceOrganisation.instance_id.in_(list(instance_ids)))
                .order_by(InstanceOrganisation.organisation)):
            found.setdefault(instance_id, []).append(organisation)
        return {k: tuple(v) for k, v in found.items()}

    @staticmethod
    def _participant_roles(session: Any, instance_ids: Sequence[str]) -> dict[str, tuple[Membership, ...]]:
        found: dict[str, list[Membership]] = {}
        for instance_id, organisation, role in session.execute(
                select(InstanceParticipantRole.instance_id, InstanceParticipantRole.organisation,
                       InstanceParticipantRole.role)
                .where(InstanceParticipantRole.instance_id.in_(list(instance_ids)))
                .order_by(InstanceParticipantRole.organisation, InstanceParticipantRole.role)):
            found.setdefault(instance_id, []).append(Membership(organisation, role))
        return {k: tuple(v) for k, v in found.items()}

    def task(self, task_id: str, actor: str | None = None) -> TaskView:
        """One open task with its form, documentation and data (callers decide who may see it).

        A task no longer open is TaskNotReady only for an actor who could have done it (or for a trusted
        caller, without `actor`); for anyone else it is TaskNotFound, so its state is not given away."""
        with self.db.read() as session:
            views = self._task_views(session, [OpenTask.id == task_id], with_details=True)
        if not views:
            raise self._missing_task(task_id, actor)
        return views[0]

    def element_of_task(self, task_id: str) -> str | None:
        """The diagram element of an open task, None when no task of that id is open: one indexed read, for
        callers that decide by the element before reading the whole task."""
        with self.db.read() as session:
            return session.execute(select(OpenTask.element_id).where(OpenTask.id == task_id)).scalar_one_or_none()

    def inbox(self, actor: str, instance_id: str) -> list[TaskView]:
        """The open tasks of one instance that the actor may do: claimed by them, or unclaimed in their
        organisations' roles. An instance has few open tasks (its diagram bounds them); every task of an
        actor, however many, is read a page at a time with `inbox_page`."""
        visible = visible_task_ids(actor, self.resolver.memberships(actor), lambda c: [c.instance_id == instance_id])
        with self.db.read() as session:
            return self._task_summaries(session, OpenTask.id.in_(select(visible.c.id)))

    @staticmethod
    def _task_summaries(session: Any, condition: Any, params: Mapping[str, Any] | None = None) -> list[TaskView]:
        """The open tasks matching `condition` (with its bound `params`) in inbox order, without form or data,
        read with their instances and organisations in one statement (one row per task and organisation)."""
        rows = session.execute(
            select(OpenTask, Instance.process_id, Instance.business_key, Instance.version,
                   OpenTaskOrganisation.organisation)
            .join(Instance, Instance.id == OpenTask.instance_id)
            .outerjoin(OpenTaskOrganisation, OpenTaskOrganisation.task_id == OpenTask.id).where(condition)
            .order_by(OpenTask.due_sort, OpenTask.created_at, OpenTask.id), params).all()
        found: dict[str, tuple[OpenTask, str, str | None, int, list[str]]] = {}
        for open_row, process_id, business_key, version, organisation in rows:
            entry = found.setdefault(open_row.id, (open_row, process_id, business_key, version, []))
            if organisation is not None:
                entry[4].append(organisation)
        return [_summary(*entry) for entry in found.values()]

    def _task_views(self, session: Any, filters: Sequence[Any], with_details: bool, limit: int | None = None,
                    offset: int = 0) -> list[TaskView]:
        columns: list[Any] = [OpenTask, Instance.process_id, Instance.business_key, Instance.version]
        if with_details:  # the form, instructions and data live in the workflow state and its definition
            columns += [Instance.state, Instance.state_digest, ProcessDefinition.id, ProcessDefinition.sha256]
        query = select(*columns).join(Instance, Instance.id == OpenTask.instance_id)
        if with_details:
            query = query.join(ProcessDefinition, ProcessDefinition.id == Instance.definition_id)
        rows = session.execute(query.where(*filters).order_by(OpenTask.due_sort, OpenTask.created_at, OpenTask.id)
                               .limit(limit).offset(offset or None)).all()
        task_ids = [r[0].id for r in rows]
        organisations: dict[str, list[str]] = {}
        if task_ids:
            for task_id, org in session.execute(select(OpenTaskOrganisation.task_id, OpenTaskOrganisation.organisation)
                                                .where(OpenTaskOrganisation.task_id.in_(task_ids))):
                organisations.setdefault(task_id, []).append(org)
        views = []
        for open_row, process_id, business_key, version, *stored_form in rows:
            details: dict[str, Any] = {}
            if with_details:
                state, digest, definition_id, sha256 = stored_form
                if execution.state_digest(state) != digest:
                    raise StateTampered(f"the stored state of instance {open_row.instance_id} does not match its "
                                        "digest; run `allianssi verify` on it")
                stored = execution.task_in_state(state, open_row.id)
                if stored is None:
                    raise StateTampered(f"the stored state of instance {open_row.instance_id} lacks its open task "
                                        f"{open_row.id}; run `allianssi verify` on it")
                spec = self._task_spec(session, definition_id, process_id, sha256, stored)
                details = {"documentation": spec.documentation, "form": task_form(spec, stored.data),
                           "generic_form": is_generic(spec), "data": json.loads(json.dumps(stored.data))}
            views.append(_summary(open_row, process_id, business_key, version, organisations.get(open_row.id, []),
                                  **details))
        return views

    @staticmethod
    def _task_spec(session: Any, definition_id: int, process_id: str, sha256: str,
                   stored: execution.StoredTask) -> Any:
        """A task's spec from its instance's compiled definition (parsed once per definition), not from
        the state: the state holds the same spec, but rebuilding it costs what loading the workflow does."""

        def files() -> list[SourceFile]:  # read only when this definition is not parsed yet in this process
            stored = session.execute(select(ProcessDefinition.files).where(
                ProcessDefinition.id == definition_id)).scalar_one()
            return [SourceFile(name, text.encode()) for name, text in json.loads(stored).items()]
        compiled = load_process(files, process_id, sha256)
        spec = compiled.spec if stored.subprocess_spec is None else compiled.subprocess_specs[stored.subprocess_spec]
        return spec.task_specs[stored.spec_name]

    def history(self, instance_id: str) -> list[AuditEvent]:
        with self.db.read() as session:
            records = session.execute(select(AuditRecord).where(AuditRecord.stream == instance_id)
                                      .order_by(AuditRecord.seq)).scalars().all()
            if not records and session.get(Instance, instance_id) is None:
                raise InstanceNotFound(f"no instance {instance_id}")
        return [to_event(r) for r in records]

    def verify(self, instance_id: str | None = None) -> ChainReport:
        """Walk the hash chain(s), then check that the stored rows agree with the chain and the state
        (engine.integrity): an instance's own definition, or with no instance every definition."""
        with self.db.read() as session:
            row = session.get(Instance, instance_id) if instance_id is not None else None
            if instance_id is not None and row is None:
                raise InstanceNotFound(f"no instance {instance_id}")
            report = verify_chain(session, instance_id)
            problems = check_definitions(session, row.definition_id if row else None)
            problems += check_instances(session, self.resolver, instance_id)
            return dataclasses.replace(report, problems=tuple(problems))

    def checkpoint(self, private_pem: bytes, at: datetime) -> bytes:
        """Every chain's head, signed (engine.checkpoints): what an organisation keeps outside the database."""
        with self.db.read() as session:
            return make_checkpoint(chain_heads(session), private_pem, at)

    def verify_against(self, checkpoint: bytes, public_pem: bytes | None = None) -> CheckpointReport:
        """Whether every event a checkpoint names is still stored unchanged (deleted tails, rewrites)."""
        with self.db.read() as session:
            return verify_checkpoint(checkpoint, session, public_pem)

    def count_events(self) -> int:
        with self.db.read() as session:
            return session.execute(select(func.count()).select_from(AuditRecord)).scalar_one()


def _summary(open_row: OpenTask, process_id: str, business_key: str | None, version: int,
             organisations: Sequence[str], **details: Any) -> TaskView:
    return TaskView(
        id=open_row.id, instance_id=open_row.instance_id, process_id=process_id, business_key=business_key,
        element_id=open_row.element_id, name=open_row.name, lane=open_row.lane, role=open_row.role,
        organisations=tuple(sorted(organisations)), claimed_by=open_row.claimed_by, due_at=open_row.due_at,
        phase=open_row.phase, created_at=open_row.created_at, properties=json.loads(open_row.properties or "{}"),
        instance_version=version, **details)


def _instance_view(row: Instance, definition_version: int, tasks: Sequence[TaskView],
                   timers: Sequence[DueTimer], participants: tuple[str, ...],
                   participant_roles: tuple[Membership, ...] = ()) -> InstanceView:
    return InstanceView(
        id=row.id, process_id=row.process_id, definition_version=definition_version, business_key=row.business_key,
        status=row.status, version=row.version, data=json.loads(row.data), started_by=row.started_by,
        started_at=row.started_at, updated_at=row.updated_at, open_tasks=tuple(tasks),
        element_states=json.loads(row.element_states),
        awaited_messages=tuple(json.loads(row.awaited_messages or "[]")), participants=participants,
        participant_roles=participant_roles, timers=tuple(TimerView(t.element_id, t.name, t.due_at) for t in timers))


