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

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from engine import FormInvalid, TaskView
from workflows.award import parse_award_criteria
from workflows.calendar import HELSINKI
from workflows.directory import Directory
from workflows.eforms import Notice, generate
from workflows.eforms.sdk import checks_off
from workflows.errors import WorkflowsError
from workflows.helpers import check_period

NOTICE_TASKS = {"publish_contract_notice": "contract-notice", "publish_award_notice": "award-notice"}
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


def checked_notice(kind: str, task: TaskView, clean: Mapping[str, Any], now: datetime,
                   directory: Directory) -> Notice | None:
    """The notice the task would send, FormInvalid naming what to fix, or None when the diagram refuses
    the command anyway, or when the procurement is not at the EU level (no eForms notice)."""
    if task.data.get("procurement_level") != "eu" or checks_off():
        return None         # a national notice is not an eForms notice (HILMA's own form)
    data = sending_data(kind, task, clean, now)
    if data is None:
        return None
    try:
        notice = generate(kind, data, directory, instance_id=task.instance_id,
                          reference=task.business_key or task.instance_id, issued_at=now.isoformat())
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
    return {"notice": notice.kind, "notice_id": notice.content["notice_id"], "subtype": notice.subtype,
            "version": notice.content["version"], "element_id": element_id, "visibility": "public"}
