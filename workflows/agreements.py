"""What the alliance's proposals contain: the service solution, the implementation-phase agreement
(TAS) and a contract period's targets. Each builder checks the typed values and returns the
proposal's content; nothing is in force until the joint decision on it passes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workflows.alliance import own_production_of, parse_cost_shares
from workflows.errors import InvalidInput
from workflows.open_books import check_budget, parse_kpis
from workflows.procedure import require_text
from workflows.rules import as_date


def _amount(value: Any, what: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise InvalidInput(f"{what}: anna summa euroina / give an amount in euros")
    return round(float(value), 2)


def solution_terms(service_solution: str, target_cost: float, bonus_pool: float, objectives: str, kpis: str,
                   cost_shares: str, own_production: str | None, orderers: Sequence[str]) -> dict[str, Any]:
    """The development phase's service solution, target cost, indicators, shares and own production."""
    require_text(service_solution, "Palveluratkaisu / The service solution")
    require_text(objectives, "Tavoitteet / The objectives")
    if not _amount(target_cost, "Tavoitekustannus / target cost"):
        raise InvalidInput("Tavoitekustannus > 0 / the target cost must be above zero")
    return {"service_solution": service_solution, "target_cost": _amount(target_cost, "target cost"),
            "bonus_pool": _amount(bonus_pool, "Tulospalkkiopotti / bonus pool"), "objectives": objectives,
            "kpis": parse_kpis(kpis), "cost_shares": parse_cost_shares(cost_shares, orderers),
            "own_production": own_production_of(own_production, orderers)}


def implementation_terms(terms: str, target_cost: float, bonus_pool: float, kpis: str, cost_shares: str,
                         orderers: Sequence[str]) -> dict[str, Any]:
    """The implementation-phase agreement: its terms, target cost, bonus pool, indicators and shares."""
    require_text(terms, "Sopimuksen ehdot / The terms of the agreement")
    if not _amount(target_cost, "Tavoitekustannus / target cost"):
        raise InvalidInput("Tavoitekustannus > 0 / the target cost must be above zero")
    return {"terms": terms, "target_cost": _amount(target_cost, "target cost"),
            "bonus_pool": _amount(bonus_pool, "Tulospalkkiopotti / bonus pool"), "kpis": parse_kpis(kpis),
            "cost_shares": parse_cost_shares(cost_shares, orderers)}


def period_terms(period: int, target_cost: float, start: str, end: str, kpis: str | None,
                 agreed_kpis: Sequence[Mapping[str, Any]], last_period: bool, shares: Mapping[str, float],
                 appropriations: Mapping[str, Mapping[str, float]],
                 budget_use: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    """A contract period's targets. Refused when the period ends before it starts or when any
    orderer's part of the target exceeds its remaining appropriation (the orderer is named)."""
    if not _amount(target_cost, "Kauden tavoitekustannus / period target"):
        raise InvalidInput("Kauden tavoitekustannus > 0 / the period's target cost must be above zero")
    if as_date(end) <= as_date(start):
        raise InvalidInput("Kausi päättyy ennen alkuaan. / The period ends before it starts.")
    budget = check_budget(float(target_cost), shares, start, appropriations, budget_use)
    return {"period": int(period), "target_cost": round(float(target_cost), 2), "start": as_date(start).isoformat(),
            "end": as_date(end).isoformat(),
            "kpis": parse_kpis(kpis) if kpis and kpis.strip() else [dict(k) for k in agreed_kpis],
            "last_period": bool(last_period), "budget": budget}
