"""What a procurement page shows, computed from the engine's views: deadlines on a timeline,
participants, history and the diagrams. Each function takes what the viewer may see, nothing more."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from flask_babel import gettext

from engine import AuditEvent, InstanceView, TaskView
from engine.types import TimerView
from web import facts
from web.definitions import ProcessModel
from web.diagram import DiagramError, draw
from web.i18n import days_left, deadline_date, in_language, localized, role_label, state_words, zone
from web.names import element_title
from workflows.directory import Directory

# data keys that hold a deadline the procurement has set (ISO dates), by suffix
DEADLINE_SUFFIXES = ("_due", "_deadline", "_ends", "_last_day", "_until", "_by")


@dataclass(frozen=True)
class Deadline:
    at: datetime
    label: str
    kind: str  # task | timer | data
    days_left: int | None  # None once the procurement has ended: nothing counts down
    task_id: str | None = None

    @property
    def past(self) -> bool:
        return self.days_left is not None and self.days_left < 0


def _as_moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        if len(value) == 10:  # a date alone ends that day here, not in UTC (31.12. must not show as 1.1.)
            return datetime.combine(date.fromisoformat(value), time(23, 59, 59), zone()).astimezone(UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def data_deadlines(data: Mapping[str, Any], labels: Mapping[str, str]) -> list[tuple[str, datetime, str]]:
    """(key, moment, label) of the deadlines recorded in the data: ISO dates under keys ending `_due` etc."""
    found = []
    for key, value in data.items():
        if not key.endswith(DEADLINE_SUFFIXES):
            continue
        moment = _as_moment(value)
        if moment is not None:
            found.append((key, moment, labels.get(key) or key.replace("_", " ").capitalize()))
    return found


def timeline(tasks: Sequence[TaskView], instance: InstanceView | None, model: ProcessModel, now: datetime,
             field_labels: Mapping[str, str], running: bool = True,
             public_timers: Sequence[TimerView] = ()) -> list[Deadline]:
    """Deadlines in date order: open tasks' due dates, then (full view only) timers and recorded dates.
    Once the procurement has ended nothing counts down (days_left None)."""
    items = [Deadline(t.due_at, element_title(model, t.element_id, t.name), "task", days_left(t.due_at, now), t.id)
             for t in tasks if t.due_at]
    timers = instance.timers if instance is not None else public_timers
    items += [Deadline(timer.due_at, element_title(model, timer.element_id, timer.name), "timer",
                       days_left(timer.due_at, now)) for timer in timers]
    if instance is not None:
        seen = {(deadline_date(d.at), d.label) for d in items}
        for _key, moment, label in data_deadlines(instance.data, field_labels):
            if (deadline_date(moment), label) not in seen:
                items.append(Deadline(moment, label, "data", days_left(moment, now)))
    if not running:
        items = [Deadline(d.at, d.label, d.kind, None, d.task_id) for d in items]
    return sorted(items, key=lambda d: (d.at, d.label))


def field_labels(model: ProcessModel) -> dict[str, str]:
    """Data key → its label in the viewer's language (web.facts.field_labels)."""
    return facts.field_labels(model)


@dataclass
class Participant:
    organisation: str
    roles: set[str] = field(default_factory=set)


def participants(instance: InstanceView, history: Sequence[AuditEvent], directory: Directory,
                 organisations: set[str]) -> list[Participant]:
    """The organisations taking part, with the roles in which they have tasks or have acted."""
    found = {org: Participant(org) for org in organisations}
    for task in instance.open_tasks:
        for org in task.organisations:
            found.setdefault(org, Participant(org)).roles.add(task.role or "")
    for event in history:
        if event.type in ("instance_started", "task_completed"):
            for membership in directory.memberships(event.actor):
                found.setdefault(membership.organisation, Participant(membership.organisation)).roles.add(
                    membership.role)
    return sorted(found.values(), key=lambda p: (p.organisation not in directory.organisations, p.organisation))


def role_names(participant: Participant) -> str:
    return ", ".join(sorted(role_label(r) for r in participant.roles if r))


@dataclass(frozen=True)
class HistoryRow:
    event: AuditEvent
    step: str
    data: list[tuple[str, str]]
    files: list[dict[str, Any]] = field(default_factory=list)


MAIN_EVENTS = frozenset({"instance_started", "task_completed", "task_claimed", "task_released", "task_delegated",
                         "instance_cancelled", "instance_reset", "message_received", "timers_fired",
                         "instance_migrated", "file_attached"})
SHOWN_ELEMENT_KINDS = ("Event", "CallActivity", "SubWorkflowTask", "SubProcess")


def history_rows(events: Sequence[AuditEvent], model: ProcessModel, labels: Mapping[str, str],
                 every_step: bool = False, text: Callable[[Any, str | None], str] | None = None,
                 units: Mapping[str, str] | None = None,
                 shown_data: Callable[[AuditEvent], Mapping[str, Any]] | None = None,
                 shown_files: Callable[[AuditEvent], list[dict[str, Any]]] | None = None) -> list[HistoryRow]:
    """The history as rows; `text(value, unit)` formats each value (numbers and dates in the locale).
    Values and files appear only through `shown_data` / `shown_files` — the viewer's confidentiality
    filter — so a page that passes none shows no data at all."""
    text = text or (lambda value, _unit: _plain(value))
    units = units or {}
    rows = []
    for event in events:
        payload = event.payload
        if event.type not in MAIN_EVENTS:
            if not every_step and not (event.type == "element_completed"
                                       and str(payload.get("kind", "")).endswith(SHOWN_ELEMENT_KINDS)):
                continue
        element_id = str(payload.get("element_id") or "")
        step = element_title(model, element_id, str(payload.get("name") or element_id)) if element_id else ""
        data: list[tuple[str, str]] = []
        if shown_data is not None:
            data = [(labels.get(k, k), text(v, units.get(k))) for k, v in shown_data(event).items()
                    if not _is_file_list(v)]
        if event.type in ("instance_cancelled", "instance_reset") and payload.get("reason"):
            data = [(gettext("Reason"), str(payload["reason"]))]  # said to every viewer who sees the event
        files = shown_files(event) if shown_files is not None else []
        if event.type == "file_attached" and not files:
            continue  # a document the viewer may not see: not even that it exists
        rows.append(HistoryRow(event, step, data, files))
    return rows


def _is_file_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) and "sha256" in v for v in value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "✓" if value else "–"
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def diagram_names(model: ProcessModel) -> dict[str, str]:
    """What each element is called in the viewer's language: its `name_en` property in English; a sequence
    flow's "kyllä / yes" label is cut to the half of the language."""
    names = {element_id: localized(element.properties, "name", element.name)
             for element_id, element in model.elements.items() if element.name or element.properties.get("name_en")}
    names.update({element_id: in_language(element.name) for element_id, element in model.elements.items()
                  if element.kind == "sequenceFlow" and element.name})
    for element_id, element in model.elements.items():
        if element.kind == "participant" and element.ref and element.ref in names:
            names[element_id] = names[element.ref]
    names.update({lane_id: role_label(role) for lane_id, role in model.lanes.items() if role})
    return names


@dataclass(frozen=True)
class DrawnDiagram:
    title: str
    svg: str
    active: list[str]
    waiting: list[str]
    completed: int


def diagrams(model: ProcessModel, states: Mapping[str, str]) -> list[DrawnDiagram]:
    """Every drawable diagram of the procurement's definition, with its elements' states marked."""
    names = diagram_names(model)
    words = state_words()
    drawn = []
    for index, diagram in enumerate(model.diagrams):
        if diagram.root_id == model.process_id:
            title = localized(model.properties, "name", model.name)
        else:
            title = names.get(diagram.root_id) or diagram.name
        try:
            svg = draw(model.files[diagram.file], diagram.root_id, states, names=names, title=title,
                       id_prefix=f"diagram{index}", state_labels=words)
        except DiagramError:
            continue
        members = [e for e in model.elements.values() if e.file == diagram.file]
        drawn.append(DrawnDiagram(
            title, svg,
            active=[names.get(e.id, e.id) for e in members if states.get(e.id) == "active" and _drawn(e.id, svg)],
            waiting=[names.get(e.id, e.id) for e in members if states.get(e.id) == "waiting" and _drawn(e.id, svg)],
            completed=sum(1 for e in members if states.get(e.id) == "completed" and _drawn(e.id, svg))))
    return drawn


def _drawn(element_id: str, svg: str) -> bool:
    return f'data-element-id="{element_id}"' in svg


def outcome(instance: InstanceView, model: ProcessModel) -> str:
    """How a finished procurement ended: the name of the end event its main process reached."""
    if instance.status != "completed":
        return ""
    main_file = model.elements[model.process_id].file if model.process_id in model.elements else None
    reached = [element_title(model, e.id, e.name) for e in model.elements.values()
               if e.kind == "endEvent" and e.file == main_file and instance.element_states.get(e.id) == "completed"]
    return ", ".join(reached)


def timers_shown_to(instance: InstanceView, model: ProcessModel, roles: frozenset[str]) -> list[TimerView]:
    """The dates the procurement waits for that its diagram shows to one of these roles (`show_to`):
    a tenderer keeps seeing the tender period and the standstill after submitting."""
    def shown_to(element_id: str) -> set[str]:
        element = model.elements.get(element_id)
        return {r.strip() for r in (element.properties.get("show_to", "") if element else "").split(",")}
    found: dict[tuple[str, datetime], TimerView] = {}  # one per date: each tenderer's copy of a deadline is one
    for timer in instance.timers:
        if roles & shown_to(timer.element_id):
            found.setdefault((timer.element_id, timer.due_at), timer)
    return list(found.values())
