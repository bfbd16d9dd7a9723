"""The procurement unit's comparison of tenders: every round's tenders side by side, with the points
per criterion and each tenderer's attachments. Pure: data and history in, rows out."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine import AuditEvent, Membership

ROUNDS = (("initial_tenders", "initial"), ("round_tenders", "negotiation"), ("final_tenders", "final"))
TENDER_ROLES = frozenset({"tenderer"})
SKIPPED = frozenset({"organisation", "submitted"})


@dataclass
class TenderRow:
    organisation: str
    submitted: bool
    values: dict[str, Any]
    points: dict[str, Any] = field(default_factory=dict)
    total: Any = None
    rank: Any = None
    files: list[Mapping[str, Any]] = field(default_factory=list)


@dataclass
class Round:
    key: str  # initial | negotiation | final
    columns: list[str]
    rows: list[TenderRow]


def comparison(data: Mapping[str, Any], history: Sequence[AuditEvent],
               files: Sequence[tuple[AuditEvent, Mapping[str, Any]]],
               memberships_of: Callable[[str], Collection[Membership]]) -> list[Round]:
    """Rounds in order; `files` are the (event, reference) pairs the viewer may see."""
    ranking = {str(r.get("organisation")): r for r in data.get("ranking") or [] if isinstance(r, Mapping)}
    evaluations = {str(e.get("organisation")): e for e in data.get("evaluations") or [] if isinstance(e, Mapping)}
    by_tenderer: dict[str, list[Mapping[str, Any]]] = {}
    for event, ref in files:
        if event.type != "task_completed":
            continue
        for membership in memberships_of(event.actor):
            if membership.role in TENDER_ROLES:
                by_tenderer.setdefault(membership.organisation, []).append(ref)
    rounds = []
    for key, name in ROUNDS:
        items = [i for i in data.get(key) or [] if isinstance(i, Mapping) and i.get("organisation")]
        if not items:
            continue
        columns: list[str] = []
        rows = []
        for item in items:
            organisation = str(item["organisation"])
            values = {k: v for k, v in item.items() if k not in SKIPPED}
            columns += [k for k in values if k not in columns]
            row = TenderRow(organisation, bool(item.get("submitted")), values,
                            files=by_tenderer.get(organisation, []))
            if key == "final_tenders":
                scored = {**evaluations.get(organisation, {}), **ranking.get(organisation, {})}
                row.points = {k[: -len("_points")]: v for k, v in scored.items() if k.endswith("_points")}
                if isinstance(scored.get("points"), Mapping):
                    row.points.update(scored["points"])
                row.total, row.rank = scored.get("total"), scored.get("rank")
            rows.append(row)
        rounds.append(Round(name, columns, rows))
    return rounds
