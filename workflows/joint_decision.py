"""Joint decisions of the alliance: one proposal, one position per party, unanimity.

Every operative decision of the alliance (the joint organisation, the service solution and
target cost, the implementation-phase agreement, a period's targets, a period's settlement,
going on after an exit, the close-out) is taken the same way, by the process
`alliance_joint_decision` (bpmn/alliance_joint_decision.bpmn) that each diagram calls:

1. a party drafts the proposal (`propose`): its subject, its content and the parties who decide;
2. when the decision touches the legal limits, every joined orderer confirms them first; a "no"
   stops the decision with its reason (`legal_limits_hold`);
3. every party records its own position, approve or reject with reasons: one multi-instance task
   per party, which the resolver gives to that organisation only, so no user can answer for
   another organisation;
4. `decide_jointly` passes the proposal only when every party approved; otherwise the proposal
   goes back to be revised, with each rejection and its reasons.

Plain JSON in and out; a refusal raises a `workflows.errors` exception ("suomeksi. / In English.").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workflows.errors import InvalidInput, RuleViolation
from workflows.procedure import organisation_of

POSITIONS = ("approve", "reject")
LEGAL_LIMITS = {
    "organising_responsibility_stays": ("Järjestämisvastuu ei siirry. / The organising responsibility is not "
                                        "transferred."),
    "no_public_tasks_to_producers": ("Julkisia hallintotehtäviä ei anneta yksityisille tuottajille. / No public "
                                     "administrative tasks go to private producers."),
    "competition_neutrality": "Kilpailuneutraliteetti toteutuu. / Competition neutrality holds.",
}


def propose(subject: str, content: Mapping[str, Any], parties: Sequence[str],
            legal_limits_by: Sequence[str] = (), previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A proposal for the parties to decide on. `previous` is the last decision taken: when it was
    on the same subject and failed, this proposal is its revision (the round counts up)."""
    if not subject:
        raise InvalidInput("Päätöksellä on oltava aihe. / A decision needs a subject.")
    if not parties:
        raise RuleViolation("Yhteisellä päätöksellä on oltava osapuolet. / A joint decision needs its parties.")
    parties = list(dict.fromkeys(parties))
    revision = isinstance(previous, Mapping) and previous.get("subject") == subject and not previous.get("passed")
    return {"subject": subject, "content": dict(content), "parties": parties,
            "legal_limits_by": [o for o in dict.fromkeys(legal_limits_by)],
            "round": int(previous.get("round", 1)) + 1 if revision and previous else 1}


def position_items(proposal: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One item per party: the multi-instance collection of the position tasks."""
    return [{"organisation": o} for o in proposal["parties"]]


def legal_items(proposal: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"organisation": o} for o in proposal.get("legal_limits_by", [])]


def _legal_failures(confirmations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    failures = []
    for c in confirmations:
        broken = [LEGAL_LIMITS[k] for k in LEGAL_LIMITS if c.get(k) is not True]
        if broken:
            failures.append({"organisation": organisation_of(c), "limits": broken,
                             "reasons": str(c.get("legal_reasons") or "")})
    return failures


def legal_limits_hold(confirmations: Sequence[Mapping[str, Any]]) -> bool:
    """True when every orderer asked confirmed every legal limit."""
    return not _legal_failures(confirmations)


def decide_jointly(proposal: Mapping[str, Any], positions: Sequence[Mapping[str, Any]],
                   legal_confirmations: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The outcome: passed only when the legal limits hold and every party approved."""
    parties = list(proposal["parties"])
    failures = _legal_failures(legal_confirmations)
    recorded: list[dict[str, Any]] = []
    if not failures:
        by_party = {organisation_of(p): p for p in positions}
        missing = [o for o in parties if by_party.get(o, {}).get("position") not in POSITIONS]
        if missing or set(by_party) - set(parties):
            raise RuleViolation(f"Jokaisen osapuolen kanta puuttuu tai on ylimääräinen: {', '.join(missing)}. / "
                                f"Each party's position is needed exactly once.")
        recorded = [{"organisation": o, "position": by_party[o]["position"],
                     "reasons": str(by_party[o].get("reasons") or "")} for o in parties]
    rejections = [{"organisation": p["organisation"], "reasons": p["reasons"]}
                  for p in recorded if p["position"] != "approve"]
    return {"subject": proposal["subject"], "round": proposal.get("round", 1), "content": dict(proposal["content"]),
            "parties": parties, "positions": recorded, "legal_failures": failures, "rejections": rejections,
            "passed": not failures and not rejections}


def record_agreement(agreed: Mapping[str, Any] | None, decision: Mapping[str, Any]) -> dict[str, Any]:
    """The agreements in force, by subject: a passed decision replaces its subject's content."""
    out = dict(agreed or {})
    if decision.get("passed"):
        out[decision["subject"]] = dict(decision["content"])
    return out


def agreement(agreed: Mapping[str, Any] | None, subject: str) -> dict[str, Any]:
    """What the parties agreed on `subject`; refused when they have not agreed it."""
    if not agreed or subject not in agreed:
        raise RuleViolation(f"Osapuolet eivät ole yhdessä sopineet asiasta {subject!r}. / The parties have not "
                            f"jointly agreed on {subject!r}.")
    return dict(agreed[subject])
