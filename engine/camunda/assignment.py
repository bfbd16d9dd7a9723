"""Camunda 7's user task assignment without lanes: camunda:assignee, candidateGroups, candidateUsers.

The attributes are JUEL composites (`${approverGroups}`, `accounting, sales`), evaluated over the
task's data when the task opens. A list value gives several candidates, a text is split on commas,
as Camunda does. The resolver maps the result to a role and organisations (its optional
`assign_candidates`); without it each candidate group is read as a lane name would be.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.camunda import juel
from engine.types import Assignment, AssignmentResolver, Candidates

KEYS = {"assignee": "camunda:assignee", "groups": "camunda:candidateGroups", "users": "camunda:candidateUsers"}


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(dict.fromkeys(str(item).strip() for item in items if item is not None and str(item).strip()))


def candidates(properties: Mapping[str, str], data: Mapping[str, Any]) -> Candidates | None:
    """The task's Camunda 7 assignment over its data, or None when it has none (a lane decides)."""
    if not any(key in properties for key in KEYS.values()):
        return None
    values = {name: juel.evaluate(properties[key], data) if key in properties else None for name, key in KEYS.items()}
    assignee = _names(values["assignee"])
    return Candidates(assignee[0] if assignee else None, _names(values["groups"]), _names(values["users"]))


def assign(resolver: AssignmentResolver, found: Candidates, lane: str | None, data: Mapping[str, Any]) -> Assignment:
    own = getattr(resolver, "assign_candidates", None)
    if callable(own):
        result: Assignment = own(found, lane, data)
        return result
    assignments = [resolver.assign(group, data) for group in found.groups]
    if not assignments:
        return Assignment(None, ())
    organisations = tuple(dict.fromkeys(o for a in assignments for o in a.organisations))
    return Assignment(assignments[0].role, organisations)
