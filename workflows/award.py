"""Award criteria with published weights, and points computed from the scores per criterion.

The contract notice publishes the criteria and their weights (they are locked with the notice
and may not be negotiated). Evaluators give each tender a score per criterion on the published
scale (0–10); the points are weight × score / 10 per criterion, summed to a total out of 100.
The ranking is by total; equal totals are ordered by the points of the heaviest criterion, then
the next, and a tie that remains is shown as such (same rank) with the explanation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from workflows.errors import InvalidInput, RuleViolation

MAX_SCORE = 10.0
MAX_CRITERIA = 5          # the evaluation form has a score field per criterion: score_1 … score_5
_LINE = re.compile(r"^(?P<name>.+?)\s*[:=]\s*(?P<weight>\d+(?:[.,]\d+)?)\s*%?\s*$")


def parse_award_criteria(text: str | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Criteria from the notice form, one per line "Name: weight" (weights in %, summing to 100).

    Gives `[{"number": 1, "name": ..., "weight": 40.0}, ...]` in the published order."""
    entries: list[tuple[str, str]] = []
    if isinstance(text, str):
        for line in text.splitlines():
            if not line.strip():
                continue
            match = _LINE.match(line.strip())
            if not match:
                raise InvalidInput(f"Vertailuperuste muodossa 'Nimi: paino', saatiin {line.strip()!r}. / Write each "
                                   f"award criterion as 'Name: weight', got {line.strip()!r}.")
            entries.append((match.group("name").strip(), match.group("weight").replace(",", ".")))
    else:
        entries = [(str(c.get("name", "")).strip(), str(c.get("weight", ""))) for c in text]
    if not entries:
        raise InvalidInput("Vähintään yksi vertailuperuste painoineen. / At least one award criterion with its "
                           "weight.")
    if len(entries) > MAX_CRITERIA:
        raise InvalidInput(f"Enintään {MAX_CRITERIA} vertailuperustetta. / At most {MAX_CRITERIA} award criteria.")
    criteria: list[dict[str, Any]] = []
    for number, (name, weight) in enumerate(entries, start=1):
        value = float(weight)
        if not name or value <= 0:
            raise InvalidInput(f"Perusteella {number} on oltava nimi ja positiivinen paino. / Criterion {number} "
                               f"needs a name and a positive weight.")
        criteria.append({"number": number, "name": name, "weight": value})
    total = sum(float(c["weight"]) for c in criteria)
    if abs(total - 100) > 1e-9:
        raise InvalidInput(f"Painojen summa on {total:g} %, oltava 100 %. / The weights add up to {total:g} %, "
                           f"they must add up to 100 %.")
    return criteria


def _scores(evaluation: Mapping[str, Any], criteria: Sequence[Mapping[str, Any]], organisation: str) -> list[float]:
    scores = []
    for c in criteria:
        value = evaluation.get(f"score_{c['number']}")
        if value is None:
            raise RuleViolation(f"{organisation}: pisteet puuttuvat perusteelta {c['number']} ({c['name']}). / "
                                f"{organisation}: no score for criterion {c['number']} ({c['name']}).")
        score = float(value)
        if not 0 <= score <= MAX_SCORE:
            raise RuleViolation(f"{organisation}: pisteet 0–{MAX_SCORE:g}, saatiin {score:g}. / {organisation}: "
                                f"scores are 0–{MAX_SCORE:g}, got {score:g}.")
        scores.append(score)
    extra = [k for k in evaluation if k.startswith("score_") and evaluation[k] is not None
             and int(k.removeprefix("score_")) > len(criteria)]
    if extra:
        raise RuleViolation(f"{organisation}: ilmoituksessa on {len(criteria)} perustetta; ylimääräiset pisteet "
                            f"{', '.join(sorted(extra))}. / {organisation}: the notice has {len(criteria)} criteria; "
                            f"extra scores {', '.join(sorted(extra))}.")
    return scores


def score_tenders(evaluations: Sequence[Mapping[str, Any]],
                  criteria: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The ranking: each tender's points per criterion (weight × score / 10) and total, best first.

    Each entry: organisation, scores, points [{number, name, weight, score, points}], total, rank,
    and `tie` (None, or how a tie with the tenders named was decided or that it remains)."""
    if not evaluations:
        raise RuleViolation("Ei vertailtavia tarjouksia. / No tenders to rank.")
    by_weight = sorted(range(len(criteria)), key=lambda i: (-float(criteria[i]["weight"]), i))
    rows = []
    for e in evaluations:
        org = str(e.get("organisation"))
        scores = _scores(e, criteria, org)
        points = [{"number": c["number"], "name": c["name"], "weight": float(c["weight"]), "score": s,
                   "points": round(float(c["weight"]) * s / MAX_SCORE, 2)} for c, s in zip(criteria, scores,
                                                                                       strict=True)]
        total = round(sum(p["points"] for p in points), 2)
        rows.append({"organisation": org, "points": points, "total": total,
                     "tiebreak": tuple(points[i]["points"] for i in by_weight)})
    rows.sort(key=lambda r: (-r["total"], tuple(-p for p in r["tiebreak"])))
    ranking: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        previous = rows[index - 1] if index else None
        same_total = [r["organisation"] for r in rows if r is not row and r["total"] == row["total"]]
        if previous is not None and previous["total"] == row["total"] and previous["tiebreak"] == row["tiebreak"]:
            rank = ranking[-1]["rank"]
        else:
            rank = index + 1
        tie = None
        if same_total:
            fully_tied = [r["organisation"] for r in rows if r is not row and r["total"] == row["total"]
                          and r["tiebreak"] == row["tiebreak"]]
            if fully_tied:
                tie = {"with": fully_tied, "decided_by": None,
                       "explanation": "Tasapisteet myös painavimmilla perusteilla: sija jaettu. / Equal points on "
                                      "every criterion as well: the rank is shared."}
            else:
                tie = {"with": same_total, "decided_by": "weighted_criteria",
                       "explanation": "Sama kokonaispistemäärä; järjestys painavimman perusteen pisteistä. / Equal "
                                      "totals; ordered by the points of the heaviest criterion."}
        ranking.append({"organisation": row["organisation"], "points": row["points"], "total": row["total"],
                        "rank": rank, "tie": tie})
    return ranking


def winner_of(ranking: Sequence[Mapping[str, Any]]) -> str:
    """The first-ranked tender; refused while the first rank is shared."""
    first = [r for r in ranking if r["rank"] == 1]
    if len(first) != 1:
        names = ", ".join(str(r["organisation"]) for r in first)
        raise RuleViolation(f"Ensimmäinen sija on jaettu ({names}); tarkista pisteytys. / The first rank is shared "
                            f"({names}); review the scores.")
    return str(first[0]["organisation"])
