"""Recording a notice as sent: only a notice that passes the eForms rules, and the exact XML archived.

The tasks `publish_contract_notice` and `publish_award_notice` record a notice as sent when they are
completed. Before the command runs, the notice is generated from the procurement's data with the
form's values and the time of sending (the engine's clock) and checked against the SDK's XSD and
Schematron; a notice that fails refuses the command (`FormInvalid`, each failed rule under the form
field to fix, or under `notice`). After the command, the exact XML is archived in the procurement
(`attach_file`: the blob store, its SHA-256 in a `file_attached` event of the hash chain, so
`verify` and `verify-package` check it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from engine import AuditEvent, FormInvalid, TaskView
from engine.blobs import BlobStore
from workflows.award import parse_award_criteria
from workflows.calendar import HELSINKI
from workflows.directory import Directory
from workflows.eforms import Notice, generate
from workflows.eforms.changes import change_notice
from workflows.eforms.sdk import checks_off, gate_on
from workflows.errors import WorkflowsError
from workflows.helpers import check_period, extend_period

NOTICE_TASKS = {"publish_contract_notice": "contract-notice", "publish_award_notice": "award-notice",
                "publish_change_notice": "change-notice"}
CHANGEABLE = ("contract-notice", "change-notice")   # what a change notice changes: the notice in force
CONTENT_TYPE = "application/xml"
# eForms business term → the form field the unit fixes (the rest are shown under "notice")
FORM_FIELD = {"BT-262": "cpv_main", "BT-263": "cpv_additional", "BT-5071": "place_nuts", "BT-36": "duration_months",
              "BT-750": "selection_criteria", "BT-15": "tendering_url", "BT-18": "tendering_url",
              "BT-1311": "participation_deadline", "BT-24": "needs", "BT-541": "award_criteria",
              "BT-734": "award_criteria", "BT-1351": "timetable_justification"}


def _field_for(term: str) -> str:
    bt = "-".join(term.split("-")[:2]).split("(")[0]
    return FORM_FIELD.get(bt, "notice")


def sending_data(kind: str, task: TaskView, clean: Mapping[str, Any], now: datetime) -> dict[str, Any] | None:
    """The procurement's data as the completing command will record it, or None when the diagram's own
    checks will refuse the command (a period too short, criteria that do not add up): they speak first,
    in their own words."""
    data = {**task.data, **clean}
    if kind == "change-notice":
        return _extended(task, data, now)
    if kind != "contract-notice":
        return data
    sent_on = now.astimezone(HELSINKI).date().isoformat()
    data["notice_sent_at"] = now.isoformat()
    try:
        data["award_criteria_weights"] = parse_award_criteria(data.get("award_criteria") or "")
        period = check_period("participation", sent_on, str(data.get("participation_deadline") or ""),
                              bool(data.get("minimum_periods_apply")), bool(data.get("electronic_tenders")),
                              bool(data.get("urgent")), data.get("timetable_justification"))
    except (WorkflowsError, ValueError):
        return None
    data["participation_closes_at"] = period["closes_at"]
    return data


def _extended(task: TaskView, data: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    """A change of the participation period (the diagram's `check_changed_period` checks it the same way)."""
    before = task.data.get("participation_period") or {}
    try:
        period = extend_period("participation", str(data.get("notice_sent_on") or ""),
                               str(before.get("last_day") or task.data.get("participation_deadline") or ""),
                               str(data.get("participation_deadline") or ""),
                               now.astimezone(HELSINKI).date().isoformat(), bool(data.get("minimum_periods_apply")),
                               bool(data.get("electronic_tenders")), bool(data.get("urgent")),
                               data.get("timetable_justification"))
    except (WorkflowsError, ValueError):
        return None
    data["participation_closes_at"] = period["closes_at"]
    return data


def checked_notice(kind: str, task: TaskView, clean: Mapping[str, Any], now: datetime,
                   directory: Directory, sent: bytes | None = None) -> Notice | None:
    """The notice the task would send, FormInvalid naming what to fix, or None when the diagram refuses
    the command anyway, or when the procurement is not at the EU level (no eForms notice). A change
    notice changes `sent`, the notice in force (archived); without one (an engine without a blob store
    archives nothing) the change is recorded unchecked."""
    if task.data.get("procurement_level") != "eu" or checks_off() or not gate_on():
        return None         # a national notice is not an eForms notice (HILMA's own form)
    if kind == "change-notice" and sent is None:
        return None
    data = sending_data(kind, task, clean, now)
    if data is None:
        return None
    reference = task.business_key or task.instance_id
    try:
        if kind == "change-notice":
            assert sent is not None
            reason = str(data.get("change_reason") or (data.get("notice_change") or {}).get("reason") or "")
            notice, _ = change_notice(sent, data, directory, instance_id=task.instance_id, reference=reference,
                                      reason=reason, issued_at=now.isoformat(),
                                      reason_en=str((data.get("notice_change") or {}).get("reason_en") or ""))
        else:
            notice = generate(kind, data, directory, instance_id=task.instance_id, reference=reference,
                              issued_at=now.isoformat())
    except WorkflowsError as error:
        raise FormInvalid({"notice": [str(error)]}) from None
    if notice.problems:
        errors: dict[str, list[str]] = {}
        for problem in notice.problems:
            errors.setdefault(_field_for(problem.field), []).append(
                f"eForms {problem.rule}: {problem.field} {problem.field_name} — {problem.message}")
        raise FormInvalid(errors)
    return notice


def archive_meta(notice: Notice, element_id: str) -> dict[str, Any]:
    meta = {"notice": notice.kind, "notice_id": notice.content["notice_id"], "subtype": notice.subtype,
            "version": notice.content["version"], "element_id": element_id, "visibility": "public"}
    if notice.content.get("change"):
        meta["changes"] = notice.content["change"]["changed_notice"]      # BT-758: the notice it changes
    return meta


def notice_in_force(history: Sequence[AuditEvent], blobs: BlobStore | None) -> bytes | None:
    """The XML of the last contract or change notice archived in the procurement, if any."""
    refs = [f for e in history if e.type == "file_attached" for f in e.payload.get("files") or []
            if isinstance(f, Mapping) and f.get("notice") in CHANGEABLE]
    if not refs or blobs is None:
        return None
    return blobs.get(str(refs[-1]["sha256"]))
