"""Moving running instances to a newer version of their process, where that is safe.

Safe means the change lies only ahead of where the instance is: every task it has completed
or has open (ready, started, waiting) still exists in the new version under the same element
id with the same definition (name, form, lane, script, timer…); only what comes after may
differ. Such a task's outgoing flows may change as long as every task already reached after
it stays reachable. The rest of the tree (tasks not yet reached) is predicted afresh from the
new version, so task ids of completed and open tasks stay the same.

Migrating is a command like any other: one transaction, one audit event (`instance_migrated`,
op `migrate`, with the target version and its hash), and replay applies the same migration at
the same step, so the replayed state matches the stored one byte for byte.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.util.diff import SpecDiff
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import execution
from engine.errors import Conflict, DefinitionNotFound
from engine.models import Instance, ProcessDefinition

if TYPE_CHECKING:
    from engine.definitions import CompiledProcess
    from engine.storage import Database

REACHED = TaskState.COMPLETED | TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR
OPEN = TaskState.READY | TaskState.STARTED | TaskState.WAITING
# Attributes of a task's definition that may differ although the task is the same element.
FLOW_ATTRIBUTES = frozenset({"outputs", "inputs"})
# SpiffWorkflow's Camunda multi-instance tasks rewrite these on their spec while running (its own
# comment calls it an abomination): a running one differs from a fresh parse in them alone.
RUNTIME_ATTRIBUTES = ("data_input", "input_item", "cardinality")
IGNORED = FLOW_ATTRIBUTES | frozenset(RUNTIME_ATTRIBUTES)


@dataclass(frozen=True)
class MigrationCheck:
    """What moving one instance to another version would do, or why it cannot move."""

    instance_id: str
    business_key: str | None
    from_version: int
    to_version: int
    reasons: tuple[str, ...]  # why it cannot move; empty when it can
    changes: tuple[str, ...]  # what differs ahead of where it is

    @property
    def safe(self) -> bool:
        return not self.reasons


def _label(spec: Any) -> str:
    name, element = getattr(spec, "bpmn_name", None), getattr(spec, "bpmn_id", None) or spec.name
    return f"{element} ({name})" if name else str(element)


def _state(task: Any) -> str:
    return TaskState.get_name(task.state).lower()


def _pairs(workflow: Any, new: CompiledProcess) -> list[tuple[Any, Any | None, str]]:
    """(workflow or subworkflow, the new spec it would run, its label) for the instance's every level."""
    pairs: list[tuple[Any, Any | None, str]] = [(workflow, new.spec, "")]
    for subworkflow in workflow.subprocesses.values():
        pairs.append((subworkflow, new.subprocess_specs.get(subworkflow.spec.name), f"{subworkflow.spec.name}: "))
    return pairs


def _diff(old_spec: Any, new_spec: Any) -> SpecDiff:
    return SpecDiff(execution.SERIALIZER.registry, old_spec, new_spec)


def check_workflow(workflow: Any, new: CompiledProcess) -> tuple[list[str], list[str]]:
    """(reasons it cannot move, changes ahead of it) for one loaded workflow."""
    reasons: list[str] = []
    changes: list[str] = []
    for level, new_spec, prefix in _pairs(workflow, new):
        if new_spec is None:
            reasons.append(f"{prefix}the called process is not in the new version")
            continue
        diff = _diff(level.spec, new_spec)
        for task in level.tasks.values():
            spec = task.task_spec
            if not task.has_state(REACHED) or not getattr(spec, "bpmn_id", None):
                continue
            aligned = new_spec.task_specs.get(spec.name)
            if aligned is None:
                reasons.append(f"{prefix}{_label(spec)} is {_state(task)} here but not in the new version")
                continue
            changed = set(diff.comparisons.get(spec) or ()) - IGNORED
            if changed:
                reasons.append(f"{prefix}{_label(spec)} is {_state(task)} here and changed in the new version "
                               f"({', '.join(sorted(changed))})")
                continue
            reached_after = {c.task_spec.name for c in task.children if c.has_state(REACHED)}
            # only flows count: a multi-instance task's children are not among its outputs
            lost = (reached_after & {s.name for s in spec.outputs}) - {s.name for s in aligned.outputs}
            if lost:
                reasons.append(f"{prefix}the flow after {_label(spec)} no longer leads to "
                               f"{', '.join(sorted(lost))}, which this instance has reached")
        reached = {t.task_spec for t in level.tasks.values() if t.has_state(REACHED)}
        for spec, attributes in sorted(diff.changed.items(), key=lambda item: str(item[0].name)):
            if spec not in reached and getattr(spec, "bpmn_id", None) and set(attributes) - FLOW_ATTRIBUTES:
                changes.append(f"{prefix}{_label(spec)} changes ({', '.join(sorted(attributes))})")
        changes += [f"{prefix}{_label(s)} is added" for s in diff.added if getattr(s, "bpmn_id", None)]
        changes += [f"{prefix}{_label(s)} is removed" for s in diff.removed if getattr(s, "bpmn_id", None)]
    return list(dict.fromkeys(reasons)), sorted(set(changes))


def migrate_workflow(workflow: Any, new: CompiledProcess) -> None:
    """Put a workflow on the new version's specs; the caller has checked it is safe.

    Reached tasks keep their ids and data; what lies ahead of open tasks is predicted anew."""
    reasons, _changes = check_workflow(workflow, new)
    if reasons:
        raise Conflict("; ".join(reasons))
    # A private copy: running tasks may rewrite their spec, and the parsed version is shared (cached).
    new = replace(new, spec=copy.deepcopy(new.spec), subprocess_specs=copy.deepcopy(new.subprocess_specs))
    for level, new_spec, _prefix in _pairs(workflow, new):
        assert new_spec is not None  # checked above
        for task in list(level.tasks.values()):
            if task.id not in level.tasks:
                continue  # removed with a re-predicted branch above
            aligned = new_spec.task_specs.get(task.task_spec.name)
            if aligned is None:  # only tasks not yet reached can be missing: drop them
                level._remove_task(task.id)
                continue
            if task.has_state(REACHED):
                for attribute in RUNTIME_ATTRIBUTES:
                    if hasattr(task.task_spec, attribute):
                        setattr(aligned, attribute, getattr(task.task_spec, attribute))
            task.task_spec = aligned
        level.spec = new_spec
    workflow.subprocess_specs = dict(new.subprocess_specs)
    for level, _new_spec, _prefix in _pairs(workflow, new):
        for task in list(level.tasks.values()):
            if task.id in level.tasks and task.has_state(OPEN):
                for child in list(task.children):
                    if not child.has_state(REACHED):
                        level._remove_task(child.id)
                task.task_spec._predict(task, mask=TaskState.NOT_FINISHED_MASK)
    execution._guard(workflow.do_engine_steps)


class Migrations:
    """The engine's side: dry runs and the migrate command (mixed into Engine)."""

    db: Database

    def _compiled(self, row: ProcessDefinition) -> CompiledProcess:
        raise NotImplementedError

    def _target(self, session: Session, process_id: str, version: int) -> ProcessDefinition:
        row = session.execute(select(ProcessDefinition).where(
            ProcessDefinition.process_id == process_id, ProcessDefinition.version == version)).scalar_one_or_none()
        if row is None:
            raise DefinitionNotFound(f"no deployed process {process_id!r} version {version}")
        return row

    def running_by_version(self) -> dict[tuple[str, int], int]:
        """(process id, version) → how many running instances are on it."""
        with self.db.read() as session:
            rows = session.execute(select(ProcessDefinition.process_id, ProcessDefinition.version,
                                          func.count(Instance.id)).join(
                Instance, Instance.definition_id == ProcessDefinition.id).where(Instance.status == "running")
                .group_by(ProcessDefinition.process_id, ProcessDefinition.version)).all()
        return {(process_id, version): count for process_id, version, count in rows}

    def migration_plan(self, process_id: str, to_version: int,
                       instance_ids: Sequence[str] | None = None) -> list[MigrationCheck]:
        """A dry run: for each running instance of the process on another version, what moving would do."""
        checks = []
        with self.db.read() as session:
            target = self._target(session, process_id, to_version)
            new = self._compiled(target)
            query = select(Instance, ProcessDefinition.version).join(
                ProcessDefinition, ProcessDefinition.id == Instance.definition_id).where(
                Instance.process_id == process_id, Instance.status == "running",
                Instance.definition_id != target.id)
            if instance_ids is not None:
                query = query.where(Instance.id.in_(list(instance_ids)))
            for row, version in session.execute(query.order_by(Instance.started_at)).all():
                workflow = execution.load_workflow(row.state, None)
                if version > to_version:
                    reasons: list[str] = [f"it is on version {version}, newer than {to_version}"]
                    changes: list[str] = []
                else:
                    reasons, changes = check_workflow(workflow, new)
                checks.append(MigrationCheck(row.id, row.business_key, version, to_version,
                                             tuple(reasons), tuple(changes)))
        return checks
