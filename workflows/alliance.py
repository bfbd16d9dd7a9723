"""The alliance's own rules: joining, unanimity, the parties, open-book gain/pain share, exits.

Plain functions over JSON values (organisation ids, dicts with an `organisation` key).
Money is in euros, rounded to cents.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from workflows.errors import InvalidInput, RuleViolation
from workflows.procedure import organisation_of


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


def period_settlement(period: int, target_cost: float, actual_cost: float, fee_percent: float,
                      result_score: float, bonus_pool: float, shares: Mapping[str, float],
                      producer_share_percent: float = 50.0, loss_capped_at_fee: bool = True) -> dict[str, Any]:
    """Open-book settlement of one contract period.

    The producer is paid its actual costs plus its fee (fee_percent of actual costs). The
    difference to the target cost is shared: a saving (gain) and an overrun (pain) alike,
    `producer_share_percent` to the producer (traditionally 50:50), its loss capped at its fee.
    A result bonus of `result_score` % of the bonus pool rewards the key result areas. What the
    orderers pay is allocated to each by its cost share; the budgets stay separate.
    """
    if target_cost <= 0 or actual_cost < 0 or not 0 <= fee_percent <= 100 or not 0 <= result_score <= 100:
        raise InvalidInput("tavoitekustannus > 0, toteutunut ≥ 0, palkkio ja tulos 0–100 % / target cost > 0, "
                           "actual cost ≥ 0, fee and result score 0–100 %")
    fee = _cents(actual_cost * fee_percent / 100.0)
    difference = _cents(target_cost - actual_cost)            # > 0 gain, < 0 pain
    producer_share = _cents(difference * producer_share_percent / 100.0)
    capped = False
    if producer_share < 0 and loss_capped_at_fee and -producer_share > fee:
        producer_share, capped = -fee, True
    orderers_share = _cents(difference - producer_share)
    bonus = _cents(bonus_pool * result_score / 100.0)
    payment = _cents(actual_cost + fee + producer_share + bonus)
    return {
        "period": period, "target_cost": _cents(target_cost), "actual_cost": _cents(actual_cost),
        "fee": fee, "difference": difference,
        "outcome": "gain" if difference > 0 else ("pain" if difference < 0 else "on_target"),
        "producer_share": producer_share, "orderers_share": orderers_share, "producer_share_capped": capped,
        "result_bonus": bonus, "producer_payment": payment, "per_orderer": allocate(payment, shares),
    }


def exit_gate(decisions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Every party commits, or the alliance ends at the gate."""
    exited = declined(decisions, "commits")
    return {"all_commit": not exited and bool(decisions), "exited": exited}


def record_orderer_exit(notice: Mapping[str, Any], orderers: Sequence[str], region: str,
                        shares: Mapping[str, float]) -> dict[str, Any]:
    """An orderer uses its exit right during implementation. The others may go on (the region
    must stay: it cannot hand over its organising responsibility); the leaver's cost share is
    spread over the rest in proportion."""
    if not isinstance(notice, Mapping):
        raise InvalidInput(f"exit notice must be an object, got {notice!r}")
    org = notice.get("organisation")
    if org not in orderers:
        raise RuleViolation(f"Exit-oikeutta voi käyttää vain mukana oleva tilaaja, ei {org!r}. / Only a joined "
                            f"orderer may use the exit right, not {org!r}.")
    remaining = [o for o in orderers if o != org]
    rest = {o: float(shares.get(o, 0.0)) for o in remaining}
    total = sum(rest.values())
    if remaining and total > 0:
        scaled = {o: round(v * 100.0 / total, 4) for o, v in rest.items()}
    else:
        scaled = {o: round(100.0 / len(remaining), 4) for o in remaining} if remaining else {}
    return {"organisation": org, "reason": str(notice.get("reason", "")),
            "remaining_orderers": remaining, "shares": scaled, "region_exited": org == region,
            "alliance_can_continue": org != region and bool(remaining)}


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
