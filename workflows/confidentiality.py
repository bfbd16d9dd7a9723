"""Confidentiality as data: who may see which value of a procurement. Every page, export and API
that shows a procurement's data goes through here (web/access.py asks it for the viewer).

Each form field carries a visibility (camunda:property `visibility`, and optionally `after_decision`);
data keys the scripts write carry theirs in `data/visibility.json`. Levels, narrowest first:

    unit          the procurement unit
    submitter     the organisation that submitted it (or the item's owner) and the unit
    orderers      the orderer side taking part (joining orderers, the unit, the steering group)
    participants  the orderer side and the tenderers taking part
    public        also a municipality that declined, and the OCDS export

Who takes part, and in which role, comes only from the engine's participant records
(`InstanceView.participant_roles`), never from strings in the data. After the procurement decision
has been served, `after_decision` widens a field (the parties' right to see each other's tenders);
the parts a tenderer marked as business secrets (a boolean field with property `secret_of` naming
the fields it covers) stay with the tenderer and the unit. Auditors see everything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from engine import AuditEvent, FormField, InstanceView, Membership

LEVELS = ("unit", "submitter", "orderers", "participants", "public")
ORDERER_SIDE_ROLES = frozenset({"orderer", "procurement_unit", "steering_group"})
TENDERER_ROLES = frozenset({"tenderer", "producer"})
UNIT_ROLE = "procurement_unit"
DEFAULT_VISIBILITY = "orderers"
DATA_EVENTS = {"instance_started": "data", "task_completed": "data", "message_received": "payload"}
# data keys whose presence says the decision has been served (issue-independent: any of them)
DECISION_SERVED_KEYS = ("decision_service", "decision_served_to", "served_decision")


@dataclass(frozen=True)
class Rule:
    visibility: str = DEFAULT_VISIBILITY
    after_decision: str | None = None
    owner_key: str | None = None  # in a list of items: the key naming each item's organisation
    public_after_decision: tuple[str, ...] = ()  # keys of an owned item anyone sees after the decision

    def level(self, decided: bool) -> str:
        return self.after_decision if decided and self.after_decision else self.visibility


@dataclass(frozen=True)
class Audience:
    """What one viewer may see of one procurement."""

    auditor: bool = False
    unit: bool = False
    orderer: bool = False
    party: bool = False  # a tenderer taking part
    memberships: frozenset[Membership] = frozenset()

    @classmethod
    def public(cls) -> Audience:
        """Anyone: the open-data export and a municipality that declined."""
        return cls()

    def sees(self, rule: Rule, owners: Collection[Membership] = (), decided: bool = False,
             secret: bool = False) -> bool:
        """`owners`: the (organisation, role) that submitted the value; people holding the same see it."""
        if self.auditor or self.unit:
            return True
        if owners and self.memberships & set(owners):
            return True  # one's own submission
        level = rule.visibility if secret else rule.level(decided)
        if level == "public":
            return True
        if level == "participants":
            return self.orderer or self.party
        if level == "orderers":
            return self.orderer
        return False  # unit, submitter (owners handled above), or an unknown level


def audience_of(memberships: Iterable[Membership], instance: InstanceView, auditor: bool = False) -> Audience:
    """The viewer's audience in this procurement, from its participant records only."""
    recorded = set(instance.participant_roles)
    orderer_side = {m.organisation for m in recorded if m.role in ORDERER_SIDE_ROLES}
    tenderers = {m.organisation for m in recorded if m.role in TENDERER_ROLES}
    mine = list(memberships)
    return Audience(
        auditor=auditor,
        unit=any(m.role == UNIT_ROLE and m in recorded for m in mine),
        orderer=any(m.organisation in orderer_side for m in mine if m.role not in TENDERER_ROLES),
        party=any(m.organisation in tenderers and m.role in TENDERER_ROLES for m in mine),
        memberships=frozenset(mine))


def takes_part(memberships: Iterable[Membership], instance: InstanceView) -> bool:
    """Whether the viewer's organisation has taken part in any role (and so sees at least the public facts)."""
    organisations = {m.organisation for m in instance.participant_roles} | set(instance.participants)
    return any(m.organisation in organisations for m in memberships)


@cache
def _rules_document(path: str | None = None) -> Mapping[str, Any]:
    file = Path(path) if path else Path(__file__).parent / "data" / "visibility.json"
    return json.loads(file.read_text(encoding="utf-8"))


def _rule(raw: Mapping[str, Any]) -> Rule:
    visibility = raw.get("visibility", DEFAULT_VISIBILITY)
    after = raw.get("after_decision") or None
    for level in (visibility, after):
        if level is not None and level not in LEVELS:
            raise ValueError(f"unknown visibility {level!r} (known: {', '.join(LEVELS)})")
    return Rule(visibility, after, raw.get("owner_key"), tuple(raw.get("public_after_decision", ())))


def data_rule(key: str) -> Rule:
    document = _rules_document()
    return _rule(document["keys"].get(key, document["default"]))


def field_rule(form_field: FormField) -> Rule:
    """A form field's own visibility; without one, the data key's rule."""
    if "visibility" not in form_field.properties:
        return data_rule(form_field.id)
    return _rule({"visibility": form_field.properties["visibility"],
                  "after_decision": form_field.properties.get("after_decision")})


def decided(data: Mapping[str, Any]) -> bool:
    return any(data.get(key) for key in DECISION_SERVED_KEYS)


def secret_fields(fields: Sequence[FormField], values: Mapping[str, Any]) -> set[str]:
    """The fields the submitter marked as business secrets in this submission."""
    found: set[str] = set()
    for form_field in fields:
        covered = form_field.properties.get("secret_of", "")
        if covered and values.get(form_field.id) is True:
            found.update(part.strip() for part in covered.split(",") if part.strip())
    return found


class Confidentiality:
    """The one filter: what of a procurement's data, history and files a given audience may see.

    `forms` maps an element id to its form fields (from the pinned definition); `organisations_of`
    gives the memberships of a user (the directory), to tell whose submission an event is."""

    def __init__(self, instance: InstanceView, forms: Mapping[str, Sequence[FormField]],
                 memberships_of: Callable[[str], Collection[Membership]]):
        self.instance = instance
        self.forms = forms
        self.memberships_of = memberships_of
        self.decided = decided(instance.data)

    # --- the instance's data ---------------------------------------------------------------
    def data(self, audience: Audience, data: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The data keys (and, in owned lists, the items) the audience may see."""
        shown: dict[str, Any] = {}
        fields = {f.id: f for form in self.forms.values() for f in form}
        for key, value in (self.instance.data if data is None else data).items():
            rule = field_rule(fields[key]) if key in fields and "visibility" in fields[key].properties \
                else data_rule(key)
            if rule.owner_key and isinstance(value, list):
                items = [self._item(audience, rule, item) for item in value]
                if any(items) or not value:
                    shown[key] = [item for item in items if item]
            elif rule.owner_key and isinstance(value, Mapping):
                if audience.sees(rule, _owners(value, rule.owner_key), self.decided):
                    shown[key] = value
            elif audience.sees(rule, (), self.decided):
                shown[key] = value
        return shown

    def _item(self, audience: Audience, rule: Rule, item: Any) -> Any:
        """An owned item in full, or only its public part after the decision, or nothing."""
        assert rule.owner_key is not None
        if audience.sees(rule, _owners(item, rule.owner_key), self.decided):
            return item
        if self.decided and rule.public_after_decision and isinstance(item, Mapping):
            return {k: item[k] for k in rule.public_after_decision if k in item}
        return None

    # --- history -----------------------------------------------------------------------------
    def owners(self, event: AuditEvent) -> set[Membership]:
        return set(self.memberships_of(event.actor))

    def event_data(self, audience: Audience, event: AuditEvent) -> dict[str, Any]:
        """The values of a command event the audience may see (empty for events without data)."""
        key = DATA_EVENTS.get(event.type)
        raw = event.payload.get(key) if key else None
        if not isinstance(raw, Mapping):
            return {}
        form = self._form(event)
        by_id = {f.id: f for f in form}
        secrets = secret_fields(form, raw)
        owners = self.owners(event)
        shown = {}
        for field_id, value in raw.items():
            rule = field_rule(by_id[field_id]) if field_id in by_id else data_rule(field_id)
            if audience.sees(rule, owners, self.decided, secret=field_id in secrets):
                shown[field_id] = value
        return shown

    def event_files(self, audience: Audience, event: AuditEvent) -> list[dict[str, Any]]:
        """The file references of an event the audience may see (attachments and generated documents)."""
        refs = event.payload.get("files")
        if not isinstance(refs, list):
            return []
        form = self._form(event)
        by_id = {f.id: f for f in form}
        secrets = secret_fields(form, event.payload.get("data") or {})
        owners = self.owners(event)
        shown = []
        for ref in refs:
            if not isinstance(ref, Mapping):
                continue
            field_id = str(ref.get("field") or "")
            if field_id:
                rule = field_rule(by_id[field_id]) if field_id in by_id else data_rule(field_id)
                visible = audience.sees(rule, owners, self.decided, secret=field_id in secrets)
            else:  # an archived document says its own visibility and, if it concerns one, its owner
                rule = _rule({"visibility": ref.get("visibility", "unit")})
                document_owners = {Membership(str(ref["owner"]), role) for role in TENDERER_ROLES} \
                    if ref.get("owner") else set()
                visible = audience.sees(rule, document_owners, self.decided)
            if visible:
                shown.append(dict(ref))
        return shown

    def files(self, audience: Audience, history: Sequence[AuditEvent]) -> list[tuple[AuditEvent, dict[str, Any]]]:
        """Every file of the procurement the audience may see, with the event that recorded it."""
        return [(event, ref) for event in history for ref in self.event_files(audience, event)]

    def may_download(self, audience: Audience, history: Sequence[AuditEvent], sha256: str) -> bool:
        return any(ref.get("sha256") == sha256 for _event, ref in self.files(audience, history))

    def _form(self, event: AuditEvent) -> Sequence[FormField]:
        if event.type == "instance_started":
            return self.forms.get("", ())  # the start event's form
        return self.forms.get(str(event.payload.get("element_id") or ""), ())


def _owners(item: Any, owner_key: str) -> tuple[Membership, ...]:
    """An owned item (a tender, an assessment) belongs to a tenderer organisation."""
    if isinstance(item, Mapping) and isinstance(item.get(owner_key), str):
        return tuple(Membership(item[owner_key], role) for role in TENDERER_ROLES)
    return ()
