"""eForms notices of a procurement: the contract notice and the contract award notice, generated from
the procurement's data and checked by the EU's own rules (the SDK's XSD and Schematron) before use.

    notice = generate("contract-notice", data, directory, instance_id=…, reference=…)
    notice.xml            # bytes, UBL 2.3 + eForms extensions
    notice.problems       # [] when the XSD and every Schematron error rule pass
    notice.require_valid()  # NoticeRefused naming each failed rule and its field otherwise
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from workflows.directory import Directory
from workflows.eforms.build import build
from workflows.eforms.content import KINDS, notice_content
from workflows.eforms.sdk import Problem, SdkMissing, sdk
from workflows.errors import RuleViolation

# ContractFolderID: one per procedure, the same in all its notices (derived from the instance id)
_FOLDER = uuid.UUID("6b1f3f52-9d3c-4b59-a7e5-0f2f8a6f1e17")


class NoticeRefused(RuleViolation):
    """The notice breaks the eForms schemas or business rules: each failed rule with its field."""

    def __init__(self, kind: str, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"Ilmoitus ({kind}) ei läpäise eForms-tarkistusta: {len(problems)} virhettä. / The {kind} "
                         f"fails the eForms rules: {len(problems)} errors.\n{lines}")


@dataclass
class Notice:
    kind: str
    content: dict[str, Any]
    xml: bytes
    problems: list[Problem] = field(default_factory=list)

    @property
    def subtype(self) -> str:
        return str(self.content["subtype"])

    @property
    def file_name(self) -> str:
        return f"{self.kind}-{self.content['reference']}-{self.content['version']}.xml"

    def require_valid(self) -> Notice:
        if self.problems:
            raise NoticeRefused(self.kind, self.problems)
        return self


def folder_id(instance_id: str) -> str:
    """Stable per procedure; eForms wants the UUID version 4 form, so uuid5's bits are set to it."""
    return str(uuid.UUID(bytes=uuid.uuid5(_FOLDER, instance_id).bytes, version=4))


def generate(kind: str, data: Mapping[str, Any], directory: Directory, *, instance_id: str, reference: str,
             issued_at: str | None = None, notice_id: str | None = None, version: int = 1,
             change: Mapping[str, Any] | None = None, validate: bool = True) -> Notice:
    """The `kind` notice of the procurement (`contract-notice` or `award-notice`), validated unless told not to.

    `issued_at` defaults to the time the contract notice was sent (`notice_sent_at`) for a contract
    notice, and to now for the award notice; `notice_id` to a fresh UUID."""
    the_sdk = sdk()
    if issued_at is None:
        sent = data.get("notice_sent_at") if kind == "contract-notice" and not change else None
        issued_at = str(sent) if sent else datetime.now(UTC).replace(microsecond=0).isoformat()
    content = notice_content(kind, data, directory, nuts_regions=the_sdk.nuts_fi,
                             notice_id=notice_id or str(uuid.uuid4()), folder_id=folder_id(instance_id),
                             issued_at=issued_at, reference=reference, version=version, change=change)
    xml = build(content, the_sdk.customization_id)
    notice = Notice(kind, content, xml)
    if validate:
        notice.problems = the_sdk.check(xml, notice.subtype)
    return notice


__all__ = ["KINDS", "Notice", "NoticeRefused", "Problem", "SdkMissing", "folder_id", "generate", "sdk"]
