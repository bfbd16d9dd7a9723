"""Replay: rebuild an instance from its pinned definition and its command log.

The command events in the audit log hold everything a command needed (its
time, actor, task id and clean data); ids and clocks are seeded per command,
so replay reproduces the stored state byte for byte. Replay checks each
step's state digest against the one recorded when the command ran, and can
stop at any step to show the instance as it was then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine import execution, external_tasks
from engine.audit import to_event
from engine.errors import EngineError, InstanceNotFound
from engine.migration import migrate_workflow
from engine.models import AuditRecord, Instance, ProcessDefinition
from engine.pruning import LEGACY_FORMAT
from engine.types import AuditEvent, ReplayReport, ReplayStep

if TYPE_CHECKING:
    from engine.definitions import CompiledProcess
    from engine.storage import Database

STATE_CHANGING = frozenset({"start", "complete", "cancel", "message", "fire_timers", "complete_external",
                            "migrate", "reset"})


@dataclass(frozen=True)
class ReplayedState:
    """An instance as it was right after one command."""

    seq: int
    event: AuditEvent
    data: dict[str, Any]
    element_states: dict[str, str]
    open_tasks: list[dict[str, Any]]
    timers: list[dict[str, Any]]
    completed: bool
    digest: str


class Replays:
    db: Database
    script_engine: Any

    def _compiled(self, row: ProcessDefinition) -> CompiledProcess:
        raise NotImplementedError

    @staticmethod
    def _version(session: Any, process_id: str, version: int) -> ProcessDefinition | None:
        return session.execute(select(ProcessDefinition).where(
            ProcessDefinition.process_id == process_id, ProcessDefinition.version == version)).scalar_one_or_none()

    def _command_log(self, instance_id: str) -> tuple[Instance, ProcessDefinition, list[AuditEvent]]:
        with self.db.read() as session:
            row = session.get(Instance, instance_id)
            if row is None:
                raise InstanceNotFound(f"no instance {instance_id}")
            records = session.execute(select(AuditRecord).where(AuditRecord.stream == instance_id)
                                      .order_by(AuditRecord.seq)).scalars().all()
            events = [e for e in map(to_event, records) if "op" in e.payload]  # commands (each parsed once)
            # the version it started on: a migrated instance's row names the version it moved to
            started = next((e.payload.get("definition_version") for e in events if e.payload["op"] == "start"), None)
            definition = (self._version(session, row.process_id, started) if isinstance(started, int)
                          else session.get(ProcessDefinition, row.definition_id))
            assert definition is not None
        return row, definition, events

    def _rerun(self, instance_id: str, definition: ProcessDefinition, events: list[AuditEvent],
               secret: str | None) -> Iterator[tuple[AuditEvent, Any, str, bool]]:
        """Yield (command event, workflow, serialized state, whether it was redone on the stored form) after
        each command.

        The live command always continued from the stored form (deserializing is part of the state: a
        workflow continued in memory may hold its task data's keys in another order). Replay first
        continues in memory, which is cheap, and keeps that step only if its state has exactly the
        digest the command recorded; otherwise it redoes the command on the stored form of the step
        before, as the live command ran, and that result is the step's. So every step's state is the
        one the reloading path gives, and a long replay is linear and loads a state only where the two
        paths part."""
        process = self._compiled(definition)
        workflow: Any = None
        state = ""
        for event in events:
            op = event.payload["op"]
            reloaded = False
            if op in STATE_CHANGING:
                recorded = event.payload.get("state_digest")
                after = None
                if op == "start" or (workflow is not None and recorded):
                    try:
                        workflow, after = self._apply(instance_id, secret, process, definition, event, workflow)
                    except Exception:  # noqa: BLE001 - whatever failed in memory is decided on the stored form
                        if op == "start":
                            raise
                        after = None
                if op != "start" and (after is None or execution.state_digest(after) != recorded):
                    reloaded = True
                    stored = execution.load_workflow(state, self.script_engine)
                    workflow, after = self._apply(instance_id, secret, process, definition, event, stored)
                assert after is not None
                state = after
                if op == "start":  # a new workflow runs on the shared compiled spec: go on with a private copy
                    workflow = execution.load_workflow(state, self.script_engine)
                elif not reloaded:
                    execution.read_back(workflow, state)  # its task data as the stored form reads
            yield event, workflow, state, reloaded

    def _apply(self, instance_id: str, secret: str | None, process: CompiledProcess, definition: ProcessDefinition,
               event: AuditEvent, workflow: Any) -> tuple[Any, str]:
        """Run one recorded command on a workflow as the live command did; returns it and its stored form."""
        from engine.determinism import command_seed, deterministic

        payload = event.payload
        op = payload["op"]
        with deterministic(command_seed(secret, instance_id, event.seq), event.at):
            if op == "start":
                workflow = execution.new_workflow(process, self.script_engine, payload["data"],
                                                  payload.get("state_format", LEGACY_FORMAT))
            elif op == "complete":
                execution.complete(workflow, payload["task_id"], payload["data"])
            elif op == "message":
                execution.deliver_message(workflow, payload["name"], payload["payload"],
                                          task_id=payload.get("catch_task_id"))
            elif op == "complete_external":
                external_tasks.complete(workflow, payload["task_id"], payload["data"])
            elif op == "fire_timers":
                execution.fire_timers(workflow)
            elif op == "cancel":
                execution.cancel(workflow)
            elif op == "reset":
                execution.reset_to(workflow, payload["task_id"])
            elif op == "migrate":
                with self.db.read() as session:
                    target = self._version(session, definition.process_id, payload["to_version"])
                if target is None:
                    raise EngineError(f"version {payload['to_version']} is not stored")
                migrate_workflow(workflow, self._compiled(target))
            return workflow, execution.dump_state(workflow)  # prunes as the live command did

    def replay_progress(self, instance_id: str) -> Iterator[tuple[int, int, ReplayReport | None]]:
        """Re-execute the command log step by step: yields (steps done, steps in all, None) after each
        step and finally (done, all, report). Long histories can show their progress this way."""
        row, definition, events = self._command_log(instance_id)
        steps: list[ReplayStep] = []
        state = ""
        try:
            for event, _workflow, state, reloaded in self._rerun(instance_id, definition, events, row.seed):
                steps.append(ReplayStep(event.seq, event.payload["op"], event.payload.get("state_digest", ""),
                                        execution.state_digest(state), reloaded))
                yield len(steps), len(events), None
        except EngineError as error:
            failed = f"replay failed after {len(steps)} steps: {error}"
            yield len(steps), len(events), ReplayReport(instance_id, tuple(steps), False, failed)
            return
        yield len(steps), len(events), ReplayReport(instance_id, tuple(steps), state == row.state)

    def replay(self, instance_id: str, progress: Callable[[int, int], None] | None = None) -> ReplayReport:
        """Re-execute the whole command log; compare the digest after every step with the stored one."""
        for done, total, report in self.replay_progress(instance_id):
            if report is not None:
                return report
            if progress:
                progress(done, total)
        raise AssertionError("replay_progress always ends with a report")

    def state_at(self, instance_id: str, seq: int) -> ReplayedState:
        """The instance as it was after the last command at or before audit sequence `seq`."""
        row, definition, events = self._command_log(instance_id)
        chosen = [e for e in events if e.seq <= seq]
        if not chosen:
            raise InstanceNotFound(f"instance {instance_id} has no step {seq}")
        *_, (event, _workflow, state, _reloaded) = self._rerun(instance_id, definition, chosen, row.seed)
        workflow = execution.load_workflow(state, self.script_engine)  # shown as its stored form reads
        return ReplayedState(
            seq=event.seq, event=event, data=execution.view_data(workflow),
            element_states=execution.element_states(workflow),
            open_tasks=[{"id": t.id, "element_id": t.element_id, "name": t.name, "lane": t.lane}
                        for t in execution.ready_human_tasks(workflow)],
            timers=[{"element_id": t.element_id, "name": t.name, "due_at": t.due_at.isoformat()}
                    for t in execution.pending_timers(workflow)],
            completed=workflow.is_completed(), digest=execution.state_digest(state))
