"""Change notices: when a sent contract notice's content changes (a time limit extended, the documents'
address changed, …), the change notice says so — the notice regenerated from the procurement's data
now, with `efac:Changes` naming the notice it changes (BT-758: its identifier and version), what
changed (BT-141) and why (BT-140, BT-762).

What changed is found by comparing the sent notice (the archived XML) with the regenerated one,
field by field, through the SDK's `fields.json` XPaths of the business terms the unit can change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from workflows.directory import Directory
from workflows.eforms import Notice, generate, sdk
from workflows.eforms.build import LOT, NS
from workflows.errors import RuleViolation

# business terms a unit may change after sending, in the order a change is described
WATCHED = ("BT-1311(d)-Lot", "BT-1311(t)-Lot", "BT-15-Lot", "BT-18-Lot", "BT-24-Procedure", "BT-262-Procedure",
           "BT-263-Procedure", "BT-5071-Procedure", "BT-36-Lot", "BT-750-Lot", "BT-27-Procedure")


@dataclass(frozen=True)
class Change:
    field: str
    name: str
    before: tuple[str, ...]
    after: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.field} {self.name}: {', '.join(self.before) or '–'} → {', '.join(self.after) or '–'}"


def _values(tree: Any, xpath: str) -> tuple[str, ...]:
    found = tree.xpath(xpath.replace("/*/", "/*[1]/", 1), namespaces=NS)
    return tuple((f if isinstance(f, str) else (f.text or "")).strip() for f in found)


def changes_between(sent: bytes, now: bytes, watched: Sequence[str] = WATCHED) -> list[Change]:
    fields = sdk().fields
    before, after = etree.fromstring(sent), etree.fromstring(now)
    found = []
    for field_id in watched:
        field = fields[field_id]
        old, new = _values(before, field.xpath), _values(after, field.xpath)
        if old != new:
            found.append(Change(field_id, field.name, old, new))
    return found


def identifier(xml: bytes) -> str:
    """BT-758's value for a notice: its identifier and version, `<uuid>-01`."""
    tree = etree.fromstring(xml)
    return f"{tree.findtext('cbc:ID', namespaces=NS)}-{tree.findtext('cbc:VersionID', namespaces=NS)}"


def change_notice(sent: bytes, data: Mapping[str, Any], directory: Directory, *, instance_id: str, reference: str,
                  reason: str, issued_at: str | None = None, reason_en: str = "") -> tuple[Notice, list[Change]]:
    """The change notice for the sent contract notice `sent`, from the procurement's data now.
    Refused when nothing the notice says has changed, or without a reason (in English too when the
    notice is in English)."""
    if not reason.strip():
        raise RuleViolation("Muutoksen syy puuttuu. / Say why the notice changes.")
    draft = generate("contract-notice", data, directory, instance_id=instance_id, reference=reference,
                     issued_at=issued_at or str(data.get("notice_sent_at")), validate=False)
    found = changes_between(sent, draft.xml)
    if not found:
        raise RuleViolation("Ilmoituksen sisältö ei ole muuttunut. / The notice's content has not changed.")
    described = "; ".join(str(c) for c in found)      # field ids, names and values: the same in both
    descriptions, reasons = {"FIN": described}, {"FIN": reason.strip()}
    if "ENG" in draft.content["languages"]:
        if not reason_en.strip():
            raise RuleViolation("Ilmoitus on myös englanniksi: kerro muutoksen syy myös englanniksi (reason_en). / "
                                "The notice is in English too: give the reason for the change in English too.")
        descriptions["ENG"], reasons["ENG"] = described, reason_en.strip()
    change = {"changed_notice": identifier(sent), "sections": [LOT], "description": descriptions,
              "reason_code": "update-add", "reason": reasons}
    notice = generate("contract-notice", data, directory, instance_id=instance_id, reference=reference,
                      issued_at=issued_at, change=change)
    notice.kind = "change-notice"  # a contract notice's content and subtype, sent as a change
    return notice, found
