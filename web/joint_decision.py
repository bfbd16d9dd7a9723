"""What a task page shows of the alliance's joint decisions, read from the task's data.

A party deciding (its position task, or an orderer confirming the legal limits) sees the proposal
it decides on; a proposal for a period's settlement is the computed settlement, shown in full
before anyone approves it. Every alliance task shows the latest joint decision with each party's
position and reasons, so a proposal that came back for revision shows why. The data is what the
diagrams wrote (workflows/joint_decision.py); this module only picks it out for the template.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_babel import gettext as _

from web.i18n import N_

SUBJECTS = {
    "joint_organisation": N_("The joint organisation"),
    "service_solution": N_("Service solution and target cost"),
    "implementation_agreement": N_("Implementation-phase agreement"),
    "period_targets": N_("The contract period's targets"),
    "period_settlement": N_("The contract period's settlement"),
    "continuation": N_("Going on after an exit"),
    "close_out": N_("Close-out"),
    "wind_up": N_("Ending the alliance at the exit gate"),
}
DECIDING_ITEMS = ("party_position", "legal_confirmation")  # the multi-instance items of a party deciding


def joint_decision_view(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """{proposal, settlement, latest} for the template, or None when the task has no joint decision."""
    proposal = data.get("proposal") if isinstance(data.get("proposal"), Mapping) else None
    latest = data.get("joint_decision") if isinstance(data.get("joint_decision"), Mapping) else None
    deciding = proposal is not None and any(isinstance(data.get(k), Mapping) for k in DECIDING_ITEMS)
    if not deciding and latest is None:
        return None
    shown = proposal if deciding else None
    settlement = shown["content"] if shown and shown.get("subject") == "period_settlement" else None
    return {"proposal": shown, "settlement": settlement, "latest": latest,
            "content": _plain_items(shown["content"]) if shown and settlement is None else []}


def subject_label(subject: str | None) -> str:
    known = SUBJECTS.get(subject or "")
    return _(known) if known else (subject or "")


def _plain_items(content: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The proposal's fields as (key, text) rows; lists and objects become short readable text."""
    rows = []
    for key, value in content.items():
        if isinstance(value, Mapping):
            text = ", ".join(f"{k}: {_short(v)}" for k, v in value.items())
        elif isinstance(value, list):
            text = "; ".join(_short(v) for v in value)
        else:
            text = _short(value)
        rows.append((key, text))
    return rows


def _short(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_short(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}".replace(",", " ")
    return str(value)


def euros(value: Any) -> str:
    """12 345,67 € (Finnish grouping); the template's money filter."""
    try:
        amount = float(value)
    except (TypeError, ValueError):
        return ""
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",") + " €"


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(joint_decision_view=joint_decision_view, subject_label=subject_label)
    app.jinja_env.filters["euros"] = euros
