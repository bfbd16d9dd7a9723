"""The SpiffWorkflow side of a command: build, load, run and dump one workflow.

Everything that touches SpiffWorkflow's workflow objects lives here, so the
rest of the engine works with plain values. Operations are pure with respect
to storage: they take a workflow and change it in memory.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import EventBasedGateway
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition as AnyMessageDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

import engine.determinism  # noqa: F401 - installs the clock, id and depth patches
from engine.audit import canonical_json
from engine.camunda.specs import CONVERTERS as CAMUNDA7_CONVERTERS
from engine.definitions import CompiledProcess
from engine.errors import Conflict, ScriptFailed
from engine.external_tasks import SERIALIZER_CONFIG as EXTERNAL_TASK_CONFIG
from engine.pruning import LEGACY_FORMAT, completed_elements, prune, start_format
from engine.sandbox import ScriptRejected

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(
    {**CAMUNDA_CONFIG, **CAMUNDA7_CONVERTERS, **EXTERNAL_TASK_CONFIG}))
RECORDED_STATES = {TaskState.WAITING, TaskState.READY, TaskState.STARTED, TaskState.COMPLETED,
                   TaskState.ERROR, TaskState.CANCELLED}


@dataclass(frozen=True)
class ReadyTask:
    id: str
    element_id: str
    name: str
    lane: str | None
    properties: Mapping[str, str]
    documentation: str | None
    data: Mapping[str, Any]
    spec: Any


@dataclass(frozen=True)
class PendingTimer:
    task_id: str
    element_id: str
    name: str
    due_at: datetime


@dataclass(frozen=True)
class StateChange:
    task_id: str
    element_id: str
    name: str
    kind: str
    state: str


def _guard(action: Callable[[], Any]) -> Any:
    """Run SpiffWorkflow; turn script and expression failures into ScriptFailed."""
    try:
        return action()
    except (ScriptFailed, Conflict):
        raise
    except ScriptRejected as error:
        raise ScriptFailed(None, str(error)) from None
    except WorkflowException as error:
        task_spec = getattr(error, "task_spec", None)
        element = getattr(task_spec, "bpmn_id", None) or getattr(task_spec, "name", None)
        message = str(error.args[0] if error.args else error)
        cause = error.__cause__ or error.__context__
        if isinstance(cause, ScriptRejected) and str(cause) not in message:  # spiff's expression errors omit it
            raise ScriptFailed(element, f"{message}: {cause}", str(cause)) from None
        kind = getattr(error, "error_type", None)  # the class of what the script raised, prefixed by spiff
        reason = message.removeprefix(f"{kind}:").strip() if kind else None
        raise ScriptFailed(element, message, reason) from None
    except SpiffWorkflowException as error:
        raise ScriptFailed(None, str(error)) from None
    except (ValueError, TypeError, KeyError, NameError, AttributeError, ZeroDivisionError, IndexError) as error:
        raise ScriptFailed(None, f"{type(error).__name__}: {error}") from None


def plain_copy(data: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy in canonical key order: the live command and its replay must insert keys alike."""
    return dict(json.loads(canonical_json(dict(data))))


def new_workflow(process: CompiledProcess, script_engine: Any, data: Mapping[str, Any],
                 state_format: int = LEGACY_FORMAT) -> BpmnWorkflow:
    """A new instance's workflow, its state format recorded in it (engine/pruning.py)."""
    workflow = BpmnWorkflow(process.spec, process.subprocess_specs, script_engine=script_engine)
    workflow.task_tree.data.update(plain_copy(data))
    start_format(workflow, state_format)
    _guard(workflow.do_engine_steps)
    return workflow


def load_workflow(state: str, script_engine: Any) -> BpmnWorkflow:
    stored = json.loads(state)
    SERIALIZER.migrate(stored)  # upgrades states written by an older SpiffWorkflow; drops the version key
    workflow = SERIALIZER.from_dict(stored)
    workflow.script_engine = script_engine
    return workflow


def dump_state(workflow: BpmnWorkflow) -> str:
    """The state a command stores: the workflow pruned as its state format says, then dumped. Live commands
    and replay both end a state-changing command here, so they prune alike."""
    prune(workflow)
    return dump_workflow(workflow)


def read_back(workflow: BpmnWorkflow, state: str) -> None:
    """Give every task of a workflow just dumped to `state` the data deserializing `state` would give it, key
    order included (the serializer rebuilds a task's data as its parent's plus its delta: in memory a
    multi-instance child holds its item's key first). Cheaper than a reload, for replay's in-memory path."""
    stored = json.loads(state)
    levels = [(workflow, stored)]
    levels += [(workflow.subprocesses[UUID(key)], entry) for key, entry in stored.get("subprocesses", {}).items()]
    restore = SERIALIZER.registry.restore
    for level, entry in levels:
        for task_id, task_entry in entry["tasks"].items():  # parents first, as written
            task = level.tasks[UUID(task_id)]
            delta = task_entry.get("delta")
            if delta and task.parent is not None:
                data = DeepMerge.merge({}, task.parent.data)
                data.update(restore(delta.get("updates", {})))
                for key in delta.get("deletions", {}):
                    data.pop(key, None)
            else:
                data = restore(task_entry["data"])
            task.data = data


def dump_workflow(workflow: BpmnWorkflow) -> str:
    # Not key-sorted: the serializer stores task data as deltas against the parent task, so parents
    # must come back before their children, in the order SpiffWorkflow wrote them.
    dumped = SERIALIZER.to_dict(workflow)
    dumped[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
    try:
        return json.dumps(dumped, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ScriptFailed(None, f"task data must be plain JSON: {error}") from None


@dataclass(frozen=True)
class StoredTask:
    """One task as the stored state holds it, read without rebuilding the workflow."""

    spec_name: str
    subprocess_spec: str | None  # the (sub)process spec it belongs to; None for the top level
    data: dict[str, Any]


def task_in_state(state: str, task_id: str) -> StoredTask | None:
    """A task's spec and data straight from the serialized state: its data is its root's data with every
    ancestor's delta applied in order, as the serializer rebuilds it (engine steps: parse, not restore the
    whole workflow; a task page needs one task)."""
    stored = json.loads(state)
    workflows = [(None, stored), *((sp.get("spec"), sp) for sp in stored.get("subprocesses", {}).values())]
    for spec, workflow in workflows:
        tasks = workflow["tasks"]
        if task_id not in tasks:
            continue
        chain = []
        current: str | None = task_id
        while current is not None:
            chain.append(tasks[current])
            current = tasks[current]["parent"]
        data: dict[str, Any] = {}
        for entry in reversed(chain):  # the root first: it stores its data whole
            delta = entry.get("delta")
            if delta and entry["parent"] is not None:
                data.update(delta.get("updates", {}))
                for key in delta.get("deletions", {}):
                    data.pop(key, None)
            else:
                data = dict(entry["data"])
        return StoredTask(tasks[task_id]["task_spec"], spec, SERIALIZER.registry.restore(data))
    return None


def state_digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def all_tasks(workflow: BpmnWorkflow) -> list[Any]:
    """Every task of the workflow and its subprocesses, straight from their dicts.

    Walking the tree with get_tasks() costs ~10x more and the tree only grows (trap 9).
    """
    tasks = list(workflow.tasks.values())
    for subprocess in workflow.subprocesses.values():
        tasks.extend(subprocess.tasks.values())
    return tasks


def task_states(workflow: BpmnWorkflow) -> dict[str, int]:
    return {str(task.id): task.state for task in all_tasks(workflow)}


def _element(task: Any) -> str | None:
    return getattr(task.task_spec, "bpmn_id", None)


def state_changes(workflow: BpmnWorkflow, before: Mapping[str, int]) -> list[StateChange]:
    """The diagram elements whose task moved to a recorded state during this command."""
    changes = []
    for task in all_tasks(workflow):
        task_id = str(task.id)
        if before.get(task_id) == task.state or task.state not in RECORDED_STATES or not _element(task):
            continue
        spec = task.task_spec
        changes.append(StateChange(task_id, spec.bpmn_id, spec.bpmn_name or spec.bpmn_id,
                                   type(spec).__name__, TaskState.get_name(task.state).lower()))
    return changes


def ready_human_tasks(workflow: BpmnWorkflow) -> list[ReadyTask]:
    tasks = []
    for task in all_tasks(workflow):
        if task.state != TaskState.READY or not task.task_spec.manual:
            continue
        spec = task.task_spec
        tasks.append(ReadyTask(str(task.id), spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, spec.lane,
                               dict(getattr(spec, "extensions", {}) or {}), spec.documentation, task.data, spec))
    return tasks


def find_task(workflow: BpmnWorkflow, task_id: str) -> Any:
    try:
        key = UUID(task_id)
    except ValueError:
        return None
    if key in workflow.tasks:
        return workflow.tasks[key]
    return next((sp.tasks[key] for sp in workflow.subprocesses.values() if key in sp.tasks), None)


def complete(workflow: BpmnWorkflow, task_id: str, data: Mapping[str, Any]) -> None:
    """Complete a READY human task with data (deep-copied: later tasks cannot change it)."""
    task = find_task(workflow, task_id)
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise Conflict("the task is no longer open")  # trap 2: run() checks nothing itself
    clean = plain_copy(data)
    task.data.update(clean)
    item = getattr(getattr(task.parent, "task_spec", None), "output_item", None)
    if item is not None and isinstance(task.data.get(item.bpmn_id), dict):
        # A multi-instance child also answers in its element variable, so the collection gathers every answer.
        task.data[item.bpmn_id].update(plain_copy(clean))
    _guard(task.run)
    _guard(workflow.do_engine_steps)


def fire_timers(workflow: BpmnWorkflow) -> None:
    _guard(workflow.refresh_timers)
    _guard(workflow.do_engine_steps)


def _event_definitions(spec: Any) -> list[Any]:
    """A task spec's event definitions; an event-based gateway waits on several at once."""
    definition = getattr(spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return list(definition.event_definitions)
    return [definition] if definition is not None else []


def _catchers(spec: Any) -> list[tuple[Any, Any]]:
    """(element that catches, event definition) pairs for a waiting task spec.

    An event-based gateway takes its targets' definitions over (their own become None
    events), in the order of its outputs, so the i-th definition belongs to the i-th target.
    """
    definitions = _event_definitions(spec)
    if isinstance(spec, EventBasedGateway):
        return list(zip(spec.outputs, definitions, strict=False))
    return [(spec, d) for d in definitions]


@dataclass(frozen=True)
class AwaitedMessage:
    name: str
    task_id: str
    element_id: str
    properties: Mapping[str, str]  # the catching element's camunda:properties (e.g. sender_role)
    data: Mapping[str, Any]
    result_var: str | None


def awaited_messages(workflow: BpmnWorkflow) -> list[AwaitedMessage]:
    """Every message some waiting task would catch now, with the element that catches it."""
    awaited = []
    for task in all_tasks(workflow):
        if task.state != TaskState.WAITING:
            continue
        for catcher, definition in _catchers(task.task_spec):
            if isinstance(definition, AnyMessageDefinition):
                awaited.append(AwaitedMessage(definition.name, str(task.id), catcher.bpmn_id or catcher.name,
                                              dict(getattr(catcher, "extensions", {}) or {}), task.data,
                                              getattr(definition, "result_var", None)))
    return awaited


def deliver_message(workflow: BpmnWorkflow, name: str, payload: Mapping[str, Any], task_id: str | None = None) -> None:
    """Deliver a message; its payload lands in the data under the catch event's
    camunda:resultVariable, or under the message's name. With `task_id` only that waiting task
    catches it (a message routed by correlation values); without, the first that waits for it."""
    waiting = [m for m in awaited_messages(workflow) if m.name == name and task_id in (None, m.task_id)]
    if not waiting:
        raise Conflict(f"the instance is not waiting for the message {name!r}")
    # SpiffWorkflow's Camunda message events carry {"payload": ..., "result_var": ...}
    wrapped = {"payload": plain_copy(payload), "result_var": waiting[0].result_var or name}
    event = BpmnEvent(MessageEventDefinition(name), payload=wrapped)
    if task_id is None:
        _guard(lambda: workflow.send_event(event))
    else:
        task = find_task(workflow, task_id)

        def catch() -> None:
            task.task_spec.catch(task, event)
            task.task_spec._update(task)
        _guard(catch)
    _guard(workflow.do_engine_steps)


def cancel(workflow: BpmnWorkflow) -> None:
    workflow.cancel()


def completed_human_tasks(workflow: BpmnWorkflow) -> list[Any]:
    """The completed human tasks still in the tree (a step one may return to), oldest first."""
    done = [t for t in all_tasks(workflow) if t.state == TaskState.COMPLETED and t.task_spec.manual]
    return sorted(done, key=lambda t: t.last_state_change)


def reset_to(workflow: BpmnWorkflow, task_id: str) -> str:
    """Return to a completed human task: it is open again and every later step is undone (SpiffWorkflow's
    reset; the task keeps its id, its data is as it was when it opened). Returns the task's element id."""
    task = find_task(workflow, task_id)
    if task is None or task.state != TaskState.COMPLETED or not task.task_spec.manual:
        raise Conflict("only a completed task can be returned to")
    element = str(task.task_spec.bpmn_id)
    _guard(lambda: workflow.reset_from_task_id(task.id))
    _guard(workflow.do_engine_steps)
    return element


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, dict):  # a cycle timer keeps {'next': iso, ...}
        value = value.get("next")
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = TimerEventDefinition.parse_time_or_duration(value)
        except (ValueError, TypeError):
            return None
        if not isinstance(parsed, datetime):
            return None
    else:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def pending_timers(workflow: BpmnWorkflow) -> list[PendingTimer]:
    timers = []
    for task in all_tasks(workflow):
        if task.state != TaskState.WAITING:
            continue
        if not any(isinstance(d, TimerEventDefinition) for d in _event_definitions(task.task_spec)):
            continue
        due = _as_datetime(task._get_internal_data("event_value"))
        if due is not None:
            spec = task.task_spec
            timers.append(PendingTimer(str(task.id), spec.bpmn_id or spec.name, spec.bpmn_name or spec.name, due))
    return timers


def element_states(workflow: BpmnWorkflow) -> dict[str, str]:
    """Element id → completed | active | waiting, for marking the diagram."""
    rank = {"completed": 0, "waiting": 1, "active": 2}
    states: dict[str, str] = dict.fromkeys(completed_elements(workflow), "completed")  # cut out by pruning
    for task in all_tasks(workflow):
        element = _element(task)
        if not element:
            continue
        if task.state in (TaskState.READY, TaskState.STARTED):
            mark = "active"
        elif task.state == TaskState.WAITING:
            mark = "waiting"
        elif task.state == TaskState.COMPLETED:
            mark = "completed"
        else:
            continue
        if rank[mark] >= rank.get(states.get(element, "completed"), 0):
            states[element] = mark
        if mark == "waiting" and isinstance(task.task_spec, EventBasedGateway):
            # the events an event-based gateway waits for are waiting too (their own tasks are FUTURE)
            for target in task.task_spec.outputs:
                if target.bpmn_id and states.get(target.bpmn_id) != "active":
                    states[target.bpmn_id] = "waiting"
    return states


def view_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The data an instance shows now: that of the innermost running (sub)process's open task.

    A call activity holds its data as of the call, so a phase's progress is only seen inside it;
    a multi-instance child holds one item (one tenderer's), so a shared task is preferred.
    """
    if workflow.is_completed():
        return dict(workflow.data)
    order = {TaskState.READY: 2, TaskState.WAITING: 1, TaskState.STARTED: 0}
    best, best_rank = None, None
    for task in all_tasks(workflow):
        if task.state not in order or isinstance(task.task_spec, SubWorkflowTask):
            continue
        shared = "key_or_index" not in task.internal_data and "item" not in task.internal_data
        rank = (getattr(task.workflow, "depth", 0), shared, order[task.state])
        if best_rank is None or rank > best_rank:
            best, best_rank = task, rank
    return dict(best.data) if best is not None else dict(workflow.data)


def evaluate(workflow: BpmnWorkflow, expression: str, data: Mapping[str, Any]) -> Any:
    return workflow.script_engine.environment.evaluate(expression, dict(data))


def due_date(value: Any, zone: tzinfo = UTC) -> datetime | None:
    """A dueDate expression's value: an ISO date (the end of that day where the users are) or datetime."""
    if isinstance(value, str):
        try:
            if len(value) == 10:
                end_of_day = datetime.combine(date.fromisoformat(value), time(23, 59, 59), zone)
                return end_of_day.astimezone(UTC)
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None
