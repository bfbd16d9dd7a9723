"""Who may see what. Every page asks here; nothing is shown that the rules below do not allow.

* A user acts only through memberships (organisation, role), as in the engine's resolver.
* People of **producer** organisations (tenderers, and later the contracted producer) are
  outside the public side: they see their own organisation's tasks and history only —
  never another tenderer's data, never the procurement's data as a whole.
* Orderer-side people see a procurement their organisation takes part in (named in its data,
  holding one of its open tasks, or having started it) in full.
* An **auditor** sees every procurement in full and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine import Assignment, AssignmentResolver, AuditEvent, InstanceView, TaskView
from workflows.directory import Directory, Organisation, User

EXTERNAL_KINDS = frozenset({"producer"})
READ_ONLY_ROLES = frozenset({"auditor"})


@dataclass(frozen=True)
class Viewer:
    """The signed-in user with their organisations."""

    user: User
    organisations: Mapping[str, Organisation]

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def organisation_ids(self) -> frozenset[str]:
        return frozenset(m.organisation for m in self.user.memberships)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(m.role for m in self.user.memberships)

    @property
    def auditor(self) -> bool:
        return "auditor" in self.roles

    @property
    def read_only(self) -> bool:
        return bool(self.roles) and self.roles <= READ_ONLY_ROLES

    @property
    def external(self) -> bool:
        """Every organisation of the user is a private producer: sees only its own things."""
        kinds = {self.organisations[o].kind for o in self.organisation_ids if o in self.organisations}
        return bool(kinds) and kinds <= EXTERNAL_KINDS


def viewer_for(directory: Directory, username: str) -> Viewer | None:
    user = directory.users.get(username)
    if user is None:
        return None
    return Viewer(user, {m.organisation: directory.organisations[m.organisation] for m in user.memberships
                         if m.organisation in directory.organisations})


def may_see_task(viewer: Viewer, task: TaskView, resolver: AssignmentResolver) -> bool:
    if task.claimed_by == viewer.username or viewer.auditor:
        return True
    return resolver.may_act(viewer.username, Assignment(task.role, task.organisations))


def may_act_on_task(viewer: Viewer, task: TaskView, resolver: AssignmentResolver) -> bool:
    if viewer.read_only or task.claimed_by not in (None, viewer.username):
        return False
    return resolver.may_act(viewer.username, Assignment(task.role, task.organisations))


def _strings(value: Any, depth: int = 0) -> Iterable[str]:
    if depth > 6:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, depth + 1)


def participants(instance: InstanceView, directory: Directory) -> set[str]:
    """Organisations taking part: those the engine recorded (started it, were assigned a task, sent a
    message), those holding an open task, and those named in its data (e.g. applicants)."""
    known = directory.organisations
    found = {s for s in _strings(instance.data) if s in known}
    found.update(instance.participants)
    for task in instance.open_tasks:
        found.update(task.organisations)
    return found


def may_see_procurement(viewer: Viewer, instance: InstanceView, directory: Directory) -> bool:
    """Auditors see all; others see a procurement their organisation takes part in or took part in."""
    return viewer.auditor or bool(viewer.organisation_ids & participants(instance, directory))


def full_view(viewer: Viewer) -> bool:
    """Whether the viewer sees a procurement's data, diagram, participants and whole history."""
    return not viewer.external


def own_event(viewer: Viewer, event: AuditEvent, directory: Directory) -> bool:
    """An event the viewer's organisation caused (the only history an external viewer sees)."""
    return bool(viewer.organisation_ids & {m.organisation for m in directory.memberships(event.actor)})
