"""Lane → role → organisations, per instance (the engine's AssignmentResolver).

A lane in the diagrams names a role. Which organisations play it is read from the task's
data, by a fixed rule per role:

* an **item key** is a multi-instance element variable (`{"organisation": id, ...}` or an id):
  when the task has it, only that one organisation acts (a municipality's own joining
  decision, one orderer's vote, one tenderer's tender, one party's exit-gate decision);
* otherwise the **group keys** are data keys listing the organisations that play the role
  (`orderers`, `procurement_unit`, `alliance_parties`, `contractor`), the first present wins.

The `tenderer` role has no group: a tenderer task without its own `tender` item is assigned to
nobody, so a tenderer can never receive another tenderer's task.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine import Assignment, Membership
from workflows.directory import Directory, demo_directory
from workflows.errors import UnknownRole

MAIN_PROCESS = "alliance_procurement"


@dataclass(frozen=True)
class LaneRule:
    role: str
    item_keys: tuple[str, ...]
    group_keys: tuple[str, ...]
    description: str


LANES: dict[str, LaneRule] = {rule.role: rule for rule in (
    LaneRule("municipality", ("municipality_decision",), (),
             "a candidate municipality deciding on its own joining"),
    LaneRule("orderer", ("orderer_vote", "legal_confirmation", "orderer_budget"), ("orderers", "region"),
             "the joining orderers (the region and the municipalities that joined)"),
    LaneRule("procurement_unit", ("unit_vote",), ("procurement_unit",),
             "the procurement unit: every joining orderer (joint) or the authorised orderer (delegated)"),
    LaneRule("tenderer", ("tender",), (),
             "one tenderer, on its own tender only"),
    LaneRule("steering_group", ("party_decision", "party_position"), ("alliance_parties",),
             "the alliance steering group: the orderers and the contracted producer; a party's own exit-gate "
             "decision or position on a joint decision belongs to that party alone"),
    LaneRule("producer", ("provider",), ("contractor",),
             "the contracted service producer; a provider's own cost report belongs to that provider (the "
             "producer, or an orderer's own production)"),
)}


def organisations_of(value: Any) -> tuple[str, ...]:
    """Organisation ids from a data value: an id, an item `{"organisation": id}` or a list of them."""
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, Mapping):
        org = value.get("organisation")
        return (org,) if isinstance(org, str) and org else ()
    if isinstance(value, (list, tuple)):
        out: list[str] = []
        for item in value:
            out.extend(o for o in organisations_of(item) if o not in out)
        return tuple(out)
    return ()


def lane_rule(lane: str | None) -> LaneRule:
    rule = LANES.get(lane or "")
    if rule is None:
        raise UnknownRole(f"lane {lane!r} names no known role; known roles: {', '.join(LANES)}")
    return rule


class ProcurementResolver:
    """Resolves lanes to organisations and checks users' memberships against the directory."""

    def __init__(self, directory: Directory | None = None) -> None:
        self.directory = directory or demo_directory()

    def assign(self, lane: str | None, data: Mapping[str, Any]) -> Assignment:
        rule = lane_rule(lane)
        for key in rule.item_keys:
            if data.get(key) is not None:
                return Assignment(rule.role, organisations_of(data[key]))
        for key in rule.group_keys:
            if data.get(key) is not None:
                return Assignment(rule.role, organisations_of(data[key]))
        return Assignment(rule.role, ())

    def may_act(self, actor: str, assignment: Assignment) -> bool:
        if not assignment.role or not assignment.organisations:
            return False
        return any(m.role == assignment.role and m.organisation in assignment.organisations
                   for m in self.directory.memberships(actor))

    def memberships(self, actor: str) -> list[Membership]:
        return self.directory.memberships(actor)

    def roles(self) -> frozenset[str]:
        """The role ids a lane may name; the engine refuses a diagram whose user task's lane names another."""
        return frozenset(LANES)

    def may_start(self, actor: str, process_id: str) -> bool:
        """An orderer organisation's orderers (a region, a municipality or an employment area: the
        kinds are data in the directory) start an alliance procurement; the phase processes are
        started by it as call activities, never directly."""
        if process_id != MAIN_PROCESS:
            return False
        return any(m.role == "orderer" and self.directory.is_orderer(m.organisation)
                   for m in self.directory.memberships(actor))
