"""The alliance's own rules: joining, unanimity, the parties, exits and what follows them, providers.

Plain functions over JSON values (organisation ids, dicts with an `organisation` key).
Money is in euros, rounded to cents.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from workflows.errors import InvalidInput, RuleViolation
from workflows.procedure import organisation_of, parse_organisations


def _cents(value: float) -> float:
    return round(float(value) + 0.0, 2)


def joining_orderers(region: str, municipality_decisions: Sequence[Mapping[str, Any]]) -> list[str]:
    """The region always takes part; each municipality that decided to join follows, in order."""
    joined = [organisation_of(d) for d in municipality_decisions if d.get("joins") is True]
    return [region] + [m for m in joined if m != region]


def declined(decisions: Sequence[Mapping[str, Any]], key: str = "joins") -> list[str]:
    return [organisation_of(d) for d in decisions if d.get(key) is not True]


def unanimous(decisions: Sequence[Mapping[str, Any]], key: str) -> bool:
    """True when there is at least one decision and every one answered `key` with True."""
    return bool(decisions) and all(d.get(key) is True for d in decisions)


def strategy_decision(alliance_model_suits: bool, organising_responsibility_stays: bool,
                      no_public_tasks_to_producers: bool, competition_neutrality: bool,
                      go_votes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Go only when the model suits, every legal check holds and every orderer votes go."""
    reasons = []
    if not alliance_model_suits:
        reasons.append("Allianssimalli ei sovellu tilaajille. / The alliance model does not suit the orderers.")
    if not organising_responsibility_stays:
        reasons.append("Järjestämisvastuu ei säily maakunnalla. / Organising responsibility would not stay "
                       "with the region.")
    if not no_public_tasks_to_producers:
        reasons.append("Julkisia hallintotehtäviä siirtyisi yksityisille. / Public administrative tasks would "
                       "go to private producers.")
    if not competition_neutrality:
        reasons.append("Kilpailuneutraliteetti ei toteudu. / Competition neutrality would not hold.")
    against = declined(go_votes, "go")
    if against or not go_votes:
        reasons.append(f"Päätös ei ole yksimielinen: {', '.join(against)}. / Not unanimous: {', '.join(against)}.")
    return {"go": not reasons, "reasons": reasons}


def mandate_requests(orderers: Sequence[str], authorised: str) -> list[dict[str, Any]]:
    """One mandate to grant per other orderer when `authorised` acts as the procurement unit."""
    if authorised not in orderers:
        raise RuleViolation(f"Valtuutettava {authorised!r} ei ole mukana olevista tilaajista "
                            f"({', '.join(orderers)}). / The authorised orderer {authorised!r} is not one of the "
                            f"joining orderers.")
    return [{"organisation": o} for o in orderers if o != authorised]


def alliance_parties(orderers: Sequence[str], contractor: str) -> list[str]:
    return list(orderers) + ([contractor] if contractor not in orderers else [])


def parse_cost_shares(text: str, orderers: Sequence[str]) -> dict[str, float]:
    """Cost shares per orderer from "kainuu: 40, kajaani: 35, ..."; they cover every orderer and
    add up to 100."""
    shares: dict[str, float] = {}
    for part in re.split(r"[,;\n]+", text or ""):
        if not part.strip():
            continue
        match = re.match(r"^\s*([a-z0-9][a-z0-9_.-]*)\s*[:=]\s*([0-9]+(?:[.,][0-9]+)?)\s*%?\s*$", part.strip().lower())
        if not match:
            raise InvalidInput(f"Kustannusosuus muodossa 'tilaaja: prosentti' / a cost share as 'orderer: percent', "
                               f"got {part.strip()!r}")
        shares[match.group(1)] = float(match.group(2).replace(",", "."))
    missing = [o for o in orderers if o not in shares]
    extra = [o for o in shares if o not in orderers]
    if missing or extra:
        raise RuleViolation(f"Osuudet on annettava täsmälleen tilaajille {', '.join(orderers)}; puuttuu: "
                            f"{', '.join(missing) or '-'}, ylimääräiset: {', '.join(extra) or '-'}. / Shares must "
                            f"cover exactly the orderers.")
    if abs(sum(shares.values()) - 100.0) > 0.01:
        raise RuleViolation(f"Osuuksien summa on {sum(shares.values()):g} %, ei 100 %. / Shares add up to "
                            f"{sum(shares.values()):g} %, not 100 %.")
    return {o: shares[o] for o in orderers}


def allocate(amount: float, shares: Mapping[str, float]) -> dict[str, float]:
    """Split an amount by percentage shares; the last orderer takes the rounding remainder."""
    orgs = list(shares)
    out: dict[str, float] = {}
    for org in orgs[:-1]:
        out[org] = _cents(amount * shares[org] / 100.0)
    if orgs:
        out[orgs[-1]] = _cents(amount - sum(out.values()))
    return out


def exit_gate(decisions: Sequence[Mapping[str, Any]], orderers: Sequence[str] | None = None,
              contractor: str | None = None) -> dict[str, Any]:
    """Every party decides for itself at the gate. When some leave, the rest may go on only while at
    least one orderer and the producer remain (and then only by a joint decision of theirs)."""
    exited = declined(decisions, "commits")
    result: dict[str, Any] = {"all_commit": not exited and bool(decisions), "exited": exited}
    if orderers is not None:
        remaining = [o for o in orderers if o not in exited]
        producer_stays = bool(contractor) and contractor not in exited
        result.update({
            "remaining_orderers": remaining,
            "remaining_parties": alliance_parties(remaining, str(contractor)) if producer_stays else remaining,
            "alliance_can_continue": bool(remaining) and producer_stays})
    return result


def exit_organisation(notice: Mapping[str, Any]) -> str:
    """The organisation an exit notice is for: always one of the sender's own organisations (the
    engine puts them in `sender`, from the user's memberships); naming another is refused."""
    if not isinstance(notice, Mapping):
        raise InvalidInput(f"exit notice must be an object, got {notice!r}")
    sender = notice.get("sender") if isinstance(notice.get("sender"), Mapping) else {}
    own = [str(o) for o in (sender or {}).get("organisations", [])]
    named = notice.get("organisation") or (own[0] if len(own) == 1 else None)
    if not named:
        raise InvalidInput("Nimeä, mikä organisaatiosi käyttää exit-oikeutta. / Name which of your organisations "
                           "uses the exit right.")
    if named not in own:
        user = (sender or {}).get("user", "?")
        raise RuleViolation(f"{user} ei voi käyttää exit-oikeutta organisaation {named!r} puolesta. / {user} "
                            f"cannot use the exit right on behalf of {named!r}.")
    return str(named)


def pro_rata_shares(shares: Mapping[str, float], remaining: Sequence[str]) -> dict[str, float]:
    """The leavers' cost shares spread over the remaining orderers in proportion (a proposal only)."""
    rest = {o: float(shares.get(o, 0.0)) for o in remaining}
    total = sum(rest.values())
    if not remaining:
        return {}
    if total <= 0:
        return {o: round(100.0 / len(remaining), 4) for o in remaining}
    return {o: round(v * 100.0 / total, 4) for o, v in rest.items()}


def record_orderer_exit(notice: Mapping[str, Any], orderers: Sequence[str], contractor: str | None,
                        shares: Mapping[str, float] | None, phase: str, on_date: str) -> dict[str, Any]:
    """An orderer uses its exit right (development or implementation). Nothing else changes here:
    the remaining parties decide jointly whether to go on and how to re-divide the shares (the
    engine proposes a pro-rata split); they can go on only with an orderer and the producer."""
    org = exit_organisation(notice)
    if org not in orderers:
        raise RuleViolation(f"Exit-oikeutta voi käyttää vain mukana oleva tilaaja, ei {org!r}. / Only a joined "
                            f"orderer may use the exit right, not {org!r}.")
    remaining = [o for o in orderers if o != org]
    # An exit during development restarts that phase with those who remain: the service solution,
    # cost shares included, is decided again there, so no split is proposed here.
    proposed = pro_rata_shares(shares or {}, remaining) if phase != "development" else {}
    return {"leavers": [org], "organisation": org, "reason": str(notice.get("reason", "")), "phase": phase,
            "on": on_date, "remaining_orderers": remaining,
            "remaining_parties": alliance_parties(remaining, contractor) if contractor else list(remaining),
            "proposed_shares": proposed,
            "alliance_can_continue": bool(remaining) and bool(contractor)}


def gate_exit_record(gate: Mapping[str, Any], shares: Mapping[str, float] | None, on_date: str) -> dict[str, Any]:
    """The exit gate's leavers as an exit record, for the same continuation decision."""
    remaining = list(gate.get("remaining_orderers", []))
    return {"leavers": list(gate["exited"]), "organisation": ", ".join(gate["exited"]), "reason": "",
            "phase": "exit_gate", "on": on_date, "remaining_orderers": remaining,
            "remaining_parties": list(gate.get("remaining_parties", [])),
            "proposed_shares": pro_rata_shares(shares or {}, remaining),
            "alliance_can_continue": bool(gate.get("alliance_can_continue"))}


def continuation_terms(exit_record: Mapping[str, Any], continues: bool, shares_text: str | None) -> dict[str, Any]:
    """The proposal after an exit: go on with the remaining parties and these shares (the
    engine's pro-rata split unless other shares are typed), or end the alliance."""
    remaining = list(exit_record["remaining_orderers"])
    if continues and not exit_record["alliance_can_continue"]:
        raise RuleViolation("Allianssi voi jatkua vain, jos mukana on vähintään yksi tilaaja ja tuottaja. / The "
                            "alliance can go on only with at least one orderer and the producer.")
    shares: dict[str, float] = {}
    if continues and exit_record["phase"] != "development":
        shares = (parse_cost_shares(shares_text, remaining) if shares_text and shares_text.strip()
                  else dict(exit_record.get("proposed_shares") or {}))
    return {"continues": bool(continues), "leavers": list(exit_record["leavers"]), "phase": exit_record["phase"],
            "remaining_orderers": remaining, "remaining_parties": list(exit_record["remaining_parties"]),
            "shares": shares}


def providers_of(contractor: str, own_production: Sequence[str]) -> list[dict[str, Any]]:
    """Who reports costs and results: the contracted producer, and each orderer that takes part with
    its own in-house unit (its own cost lines)."""
    return [{"organisation": contractor}] + [{"organisation": o, "own_production": True}
                                              for o in own_production if o != contractor]


def own_production_of(text: str | Sequence[str] | None, orderers: Sequence[str]) -> list[str]:
    """The orderers that bring their own production; only a joined orderer, within its own remit."""
    chosen = parse_organisations(text) if text else []
    outside = [o for o in chosen if o not in orderers]
    if outside:
        raise RuleViolation(f"Omaa tuotantoa voi tuoda vain mukana oleva tilaaja: {', '.join(outside)}. / Only a "
                            f"joined orderer can bring its own production.")
    return chosen


def close_out(period_results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Totals over the contract periods for the close-out report."""
    per_orderer: dict[str, float] = {}
    for r in period_results:
        for org, amount in r.get("per_orderer", {}).items():
            per_orderer[org] = _cents(per_orderer.get(org, 0.0) + amount)
    return {
        "periods": len(period_results),
        "target_cost": _cents(sum(r["target_cost"] for r in period_results)),
        "actual_cost": _cents(sum(r["actual_cost"] for r in period_results)),
        "difference": _cents(sum(r["difference"] for r in period_results)),
        "producer_payment": _cents(sum(r["producer_payment"] for r in period_results)),
        "per_orderer": per_orderer,
    }
