"""Who may see what. Every page asks here; nothing is shown that the rules below do not allow.

* A user acts only through memberships (organisation, role), as in the engine's resolver.
* People of **producer** organisations (tenderers, and later the contracted producer) are
  outside the public side: they see their own organisation's tasks and history only —
  never another tenderer's data, never the procurement's data as a whole.
* Orderer-side people see a procurement their organisation takes part in (the engine's participant
  records: started it, was assigned a task, sent a message) — each value as its visibility allows
  (`workflows.confidentiality`): tender data only the unit and the tenderer, public facts only for a
  municipality that declined.
* An **auditor** sees every procurement in full and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine import Assignment, AssignmentResolver, AuditEvent, FormField, InstanceView, TaskView
from web.definitions import ProcessModel
from workflows.confidentiality import Audience, Confidentiality, audience_of
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


def participants(instance: InstanceView) -> set[str]:
    """Organisations taking part: only what the engine recorded (started it, was assigned a task, sent a
    message) and who holds an open task — never strings that happen to be in its data."""
    found = set(instance.participants) | {m.organisation for m in instance.participant_roles}
    for task in instance.open_tasks:
        found.update(task.organisations)
    return found


def may_see_procurement(viewer: Viewer, instance: InstanceView, directory: Directory | None = None) -> bool:
    """Auditors see all; others a procurement their organisation takes or took part in (a municipality
    that declined sees its public facts only: see `audience`)."""
    return viewer.auditor or bool(viewer.organisation_ids & participants(instance))


def audience(viewer: Viewer, instance: InstanceView) -> Audience:
    """What this viewer may see of this procurement's data (workflows.confidentiality decides)."""
    return audience_of(viewer.user.memberships, instance, auditor=viewer.auditor)


def confidentiality(instance: InstanceView, model: ProcessModel, directory: Directory) -> Confidentiality:
    """The one filter every page, download and export of this procurement goes through."""
    forms: dict[str, tuple[FormField, ...]] = {eid: e.form for eid, e in model.elements.items() if e.form}
    forms[""] = model.start_form
    return Confidentiality(instance, forms, directory.memberships)


def full_view(viewer: Viewer, instance: InstanceView | None = None) -> bool:
    """Whether the viewer sees a procurement's diagram, participants and whole history (each value
    still filtered by its visibility): the orderer side taking part, and auditors."""
    if viewer.external:
        return False
    if instance is None or viewer.auditor:
        return True
    found = audience(viewer, instance)
    return found.orderer or found.unit


def own_event(viewer: Viewer, event: AuditEvent, directory: Directory) -> bool:
    """An event the viewer's organisation caused (the only history an external viewer sees)."""
    return bool(viewer.organisation_ids & {m.organisation for m in directory.memberships(event.actor)})
