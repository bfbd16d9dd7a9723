"""The engine's own small types: what the rest of the product sees instead of SpiffWorkflow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

JSON = Any  # plain JSON values: str, int, float, bool, None, list, dict


@dataclass(frozen=True)
class SourceFile:
    """One .bpmn or .dmn file of a bundle, by its name inside the bundle."""

    name: str
    content: bytes


@dataclass(frozen=True)
class FormField:
    """A `camunda:formField`, with its constraints read into plain attributes."""

    id: str
    label: str
    type: str  # string | long | double | boolean | date | enum
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    options: tuple[tuple[str, str], ...] = ()  # enum (id, label)
    default: str | None = None
    properties: Mapping[str, str] = field(default_factory=dict)  # label_en, help, help_en, multiline
    readonly: bool = False  # shown, never submitted: a value sent for it is refused (Camunda's `readonly`)


@dataclass(frozen=True)
class Assignment:
    """Who plays a task's lane in one instance: a role and the organisations holding it."""

    role: str | None
    organisations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidates:
    """A user task's Camunda 7 assignment, evaluated over its data: who may (or must) do it."""

    assignee: str | None
    groups: tuple[str, ...] = ()
    users: tuple[str, ...] = ()


@dataclass(frozen=True)
class Membership:
    organisation: str
    role: str


class AssignmentResolver(Protocol):
    """Given by the caller: turns lanes into organisations and decides who may act."""

    def assign(self, lane: str | None, data: Mapping[str, JSON]) -> Assignment: ...

    def may_act(self, actor: str, assignment: Assignment) -> bool: ...

    def memberships(self, actor: str) -> list[Membership]: ...

    def may_start(self, actor: str, process_id: str) -> bool: ...


class FormValidator(Protocol):
    """Validates submitted data against form fields; returns clean data or raises FormInvalid."""

    def __call__(self, fields: Sequence[FormField], data: Mapping[str, JSON]) -> dict[str, JSON]: ...


@dataclass(frozen=True)
class ProcessInfo:
    process_id: str
    name: str
    sha256: str
    files: tuple[str, ...]
    notes: tuple[Any, ...] = ()  # engine.errors.Problem: what deploying ignored (Camunda 7 listeners, data stores)
    version_tag: str | None = None  # camunda:versionTag, kept as the designer's own label of the version


@dataclass(frozen=True)
class DeployedProcess:
    process_id: str
    name: str
    version: int
    sha256: str
    deployed_at: datetime
    created: bool  # False when identical content was already deployed


@dataclass(frozen=True)
class TaskView:
    id: str
    instance_id: str
    process_id: str
    business_key: str | None
    element_id: str
    name: str
    lane: str | None
    role: str | None
    organisations: tuple[str, ...]
    claimed_by: str | None
    due_at: datetime | None
    phase: str | None
    created_at: datetime
    properties: Mapping[str, str] = field(default_factory=dict)
    documentation: str | None = None
    form: tuple[FormField, ...] = ()
    data: Mapping[str, JSON] = field(default_factory=dict)
    instance_version: int = 0
    generic_form: bool = False  # Camunda's generic form: the fields are the variables, and new ones may be added


@dataclass(frozen=True)
class TimerView:
    element_id: str
    name: str
    due_at: datetime


@dataclass(frozen=True)
class InstanceView:
    id: str
    process_id: str
    definition_version: int
    business_key: str | None
    status: str  # running | completed | cancelled
    version: int  # optimistic-lock counter; one per applied command
    data: Mapping[str, JSON]
    started_by: str
    started_at: datetime
    updated_at: datetime
    open_tasks: tuple[TaskView, ...] = ()
    element_states: Mapping[str, str] = field(default_factory=dict)  # element id -> completed|active|waiting
    timers: tuple[TimerView, ...] = ()
    awaited_messages: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()  # organisations that have taken part (started, assigned, messaged)
    participant_roles: tuple[Membership, ...] = ()  # (organisation, role) in which each took part


@dataclass(frozen=True)
class AuditEvent:
    stream: str
    seq: int
    type: str
    at: datetime
    actor: str
    task_id: str | None
    payload: Mapping[str, JSON]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class BrokenLink:
    stream: str
    seq: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    streams: int
    events: int
    heads: Mapping[str, str]
    broken: BrokenLink | None
    problems: tuple[str, ...] = ()  # stored rows that disagree with the chain or the state (engine.integrity)

    @property
    def ok(self) -> bool:
        return self.broken is None and not self.problems


@dataclass(frozen=True)
class ReplayStep:
    seq: int  # audit sequence of the command event
    command: str
    stored_digest: str
    replayed_digest: str
    # redone on the stored form of the step before: continuing in memory gave other bytes (engine/replay.py)
    reloaded: bool = False

    @property
    def consistent(self) -> bool:
        return self.stored_digest == self.replayed_digest


@dataclass(frozen=True)
class ReplayReport:
    instance_id: str
    steps: tuple[ReplayStep, ...]
    final_state_matches: bool
    error: str | None = None

    @property
    def first_difference(self) -> ReplayStep | None:
        return next((s for s in self.steps if not s.consistent), None)

    @property
    def consistent(self) -> bool:
        return self.error is None and self.first_difference is None and self.final_state_matches
