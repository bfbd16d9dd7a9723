"""Open books: appropriations per orderer, cost items, key performance indicators, settlement.

The users type lists as lines of fields separated by semicolons (a web form's text area):

* appropriations (määrärahat) per budget year: ``2027; 600000`` (year; euros);
* key performance indicators: ``työllistyneet; 200; 60`` (indicator; target; weight);
* measured values: ``työllistyneet; 180`` (indicator; value), one for every indicator;
* cost items: ``henkilöstö; 420000; KP-2027-114`` (category; euros; evidence reference); the
  reporting party is the organisation the task belongs to, never a typed value.

Money is in euros, rounded to cents. A line that does not parse is refused with the line named.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from workflows.alliance import allocate
from workflows.errors import InvalidInput, RuleViolation
from workflows.rules import as_date


def _cents(value: float) -> float:
    return round(float(value) + 0.0, 2)


def _number(text: str, what: str, line: str) -> float:
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise InvalidInput(f"{what}: ei luku / not a number: {line.strip()!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput(f"{what}: ei luku / not a number: {line.strip()!r}")
    return value


def _lines(text: str | None) -> list[list[str]]:
    return [[f.strip() for f in line.split(";")] for line in re.split(r"[\n|]+", text or "") if line.strip()]


def parse_appropriations(text: str) -> dict[str, float]:
    """{budget year: euros} from lines ``2027; 600000``."""
    out: dict[str, float] = {}
    for fields in _lines(text):
        line = "; ".join(fields)
        if len(fields) != 2 or not re.fullmatch(r"20[0-9]{2}", fields[0]):
            raise InvalidInput(f"Määräraha muodossa 'vuosi; euroa' / an appropriation as 'year; euros': {line!r}")
        amount = _number(fields[1], "Määräraha / appropriation", line)
        if amount < 0:
            raise InvalidInput(f"Määräraha ei voi olla negatiivinen / an appropriation cannot be negative: {line!r}")
        out[fields[0]] = _cents(out.get(fields[0], 0.0) + amount)
    if not out:
        raise InvalidInput("Anna vähintään yhden talousarviovuoden määräraha. / Give the appropriation of at least "
                           "one budget year.")
    return out


def collect_appropriations(budgets: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, float]]:
    """Each orderer's appropriations, from the items of its own budget task."""
    return {str(b["organisation"]): parse_appropriations(str(b.get("appropriations", ""))) for b in budgets}


def remaining_appropriation(appropriations: Mapping[str, Mapping[str, float]],
                            budget_use: Mapping[str, Mapping[str, float]], orderer: str, year: str) -> float:
    return _cents(float(appropriations.get(orderer, {}).get(year, 0.0))
                  - float(budget_use.get(orderer, {}).get(year, 0.0)))


def check_budget(target_cost: float, shares: Mapping[str, float], period_start: str,
                 appropriations: Mapping[str, Mapping[str, float]],
                 budget_use: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    """Each orderer's part of a period target against its remaining appropriation for the budget year
    the period starts in; a target that exceeds one is refused, naming every such orderer."""
    year = str(as_date(period_start).year)
    parts = allocate(target_cost, shares)
    over = []
    for orderer, part in parts.items():
        left = remaining_appropriation(appropriations, budget_use, orderer, year)
        if part > left + 0.005:
            over.append(f"{orderer} ({part:.2f} € > {left:.2f} €)")
    if over:
        raise RuleViolation(f"Kauden tavoitekustannus ylittää tilaajan jäljellä olevan määrärahan vuonna {year}: "
                            f"{', '.join(over)}. / The period target exceeds the remaining appropriation of "
                            f"{', '.join(over)} for {year}.")
    return {"budget_year": year, "parts": parts}


def use_budget(budget_use: Mapping[str, Mapping[str, float]], check: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """The appropriations used once a period's target is agreed."""
    out = {o: dict(years) for o, years in (budget_use or {}).items()}
    year = check["budget_year"]
    for orderer, part in check["parts"].items():
        out.setdefault(orderer, {})
        out[orderer][year] = _cents(out[orderer].get(year, 0.0) + part)
    return out


def parse_kpis(text: str) -> list[dict[str, Any]]:
    """Indicators from lines ``indicator; target; weight``; the weights add up to 100."""
    kpis: list[dict[str, Any]] = []
    for fields in _lines(text):
        line = "; ".join(fields)
        if len(fields) != 3 or not fields[0]:
            raise InvalidInput(f"Tulosmittari muodossa 'mittari; tavoite; paino' / an indicator as "
                               f"'indicator; target; weight': {line!r}")
        target = _number(fields[1], "Tavoite / target", line)
        weight = _number(fields[2], "Paino / weight", line)
        if target <= 0 or weight <= 0:
            raise InvalidInput(f"Tavoite ja paino > 0 / target and weight > 0: {line!r}")
        if any(k["indicator"] == fields[0] for k in kpis):
            raise InvalidInput(f"Mittari kahdesti / an indicator twice: {fields[0]!r}")
        kpis.append({"indicator": fields[0], "target": target, "weight": weight})
    if not kpis:
        raise InvalidInput("Anna vähintään yksi tulosmittari. / Give at least one indicator.")
    total = sum(k["weight"] for k in kpis)
    if abs(total - 100.0) > 0.01:
        raise RuleViolation(f"Mittarien painojen summa on {total:g}, ei 100. / The weights add up to {total:g}, "
                            f"not 100.")
    return kpis


def parse_kpi_values(text: str, kpis: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Measured values ``indicator; value``, exactly one for every agreed indicator."""
    values: dict[str, float] = {}
    for fields in _lines(text):
        line = "; ".join(fields)
        if len(fields) != 2:
            raise InvalidInput(f"Mitattu arvo muodossa 'mittari; arvo' / a value as 'indicator; value': {line!r}")
        value = _number(fields[1], "Arvo / value", line)
        if value < 0:
            raise InvalidInput(f"Mitattu arvo ≥ 0 / a measured value ≥ 0: {line!r}")
        values[fields[0]] = value
    names = [k["indicator"] for k in kpis]
    missing, extra = [n for n in names if n not in values], [n for n in values if n not in names]
    if missing or extra:
        raise InvalidInput(f"Arvot on annettava täsmälleen sovituille mittareille {', '.join(names)}; puuttuu: "
                           f"{', '.join(missing) or '-'}, ylimääräiset: {', '.join(extra) or '-'}. / Give a value "
                           f"for exactly the agreed indicators.")
    return {n: values[n] for n in names}


def result_score(kpis: Sequence[Mapping[str, Any]], values: Mapping[str, float]) -> float:
    """Weighted achievement in %: each indicator counts up to its target (no credit above it)."""
    total = sum(float(k["weight"]) for k in kpis)
    achieved = sum(float(k["weight"]) * min(float(values[k["indicator"]]) / float(k["target"]), 1.0) for k in kpis)
    return round(achieved * 100.0 / total, 4)


def parse_cost_items(text: str, party: str) -> list[dict[str, Any]]:
    """Cost items of one reporting party from lines ``category; euros; evidence reference``."""
    items = []
    for fields in _lines(text):
        line = "; ".join(fields)
        if len(fields) != 3 or not fields[0] or not fields[2]:
            raise InvalidInput(f"Kustannuserä muodossa 'laji; euroa; tosite' / a cost item as 'category; euros; "
                               f"evidence': {line!r}")
        amount = _number(fields[1], "Kustannus / cost", line)
        if amount < 0:
            raise InvalidInput(f"Kustannus ≥ 0 / a cost ≥ 0: {line!r}")
        items.append({"category": fields[0], "amount": _cents(amount), "evidence": fields[2], "party": party})
    return items


def collect_cost_items(reports: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every provider's items, each tagged with the organisation whose task reported it."""
    out: list[dict[str, Any]] = []
    for report in reports:
        out.extend(parse_cost_items(str(report.get("cost_items", "")), str(report["organisation"])))
    return out


def _days(start: date, end: date) -> int:
    return (end - start).days + 1


def period_days(period_start: str, period_end: str, closed_on: str | None) -> tuple[int, int]:
    """(days run, days planned) of a period, both ends counted: an exit closes it early."""
    start, end = as_date(period_start), as_date(period_end)
    if closed_on is None or as_date(closed_on) >= end:
        return _days(start, end), _days(start, end)
    return _days(start, max(as_date(closed_on), start)), _days(start, end)


def settle(period: int, target_cost: float, bonus_pool: float, cost_items: Sequence[Mapping[str, Any]],
           kpis: Sequence[Mapping[str, Any]], kpi_values: Mapping[str, float], fee_percent: float,
           shares: Mapping[str, float], contractor: str, period_start: str, period_end: str,
           closed_on: str | None = None, producer_share_percent: float = 50.0,
           loss_capped_at_fee: bool = True) -> dict[str, Any]:
    """The open-book settlement of one period, computed from the cost items and measured values.

    * actual cost = every item (the contractor's and the orderers' own production);
    * target cost and bonus pool are taken pro rata when an exit closed the period early;
    * the contractor's fee is `fee_percent` of its own costs;
    * the difference to the target (gain > 0, pain < 0) is shared, `producer_share_percent` to the
      contractor, its loss capped at its fee;
    * the result bonus is the result score (from the indicators) times the bonus pool;
    * the contractor is paid its costs + fee + its share + the bonus, allocated to the orderers by
      their cost shares; an orderer's own production is its own cost, kept separate.
    """
    if target_cost <= 0 or not 0 <= fee_percent <= 100:
        raise InvalidInput("tavoitekustannus > 0 ja palkkio 0–100 % / target cost > 0 and fee 0–100 %")
    run, planned = period_days(period_start, period_end, closed_on)
    part = round(run / planned, 6)
    target = _cents(target_cost * run / planned)
    pool = _cents(bonus_pool * run / planned)
    producer_cost = _cents(sum(float(i["amount"]) for i in cost_items if i["party"] == contractor))
    own: dict[str, float] = {}
    for item in cost_items:
        if item["party"] != contractor:
            if item["party"] not in shares:
                raise RuleViolation(f"Kustannuserän ilmoittaja {item['party']!r} ei ole tuottaja eikä tilaaja. / "
                                    f"The reporting party {item['party']!r} is neither the producer nor an orderer.")
            own[item["party"]] = _cents(own.get(item["party"], 0.0) + float(item["amount"]))
    actual = _cents(producer_cost + sum(own.values()))
    fee = _cents(producer_cost * fee_percent / 100.0)
    difference = _cents(target - actual)
    producer_share = _cents(difference * producer_share_percent / 100.0)
    capped = False
    if producer_share < 0 and loss_capped_at_fee and -producer_share > fee:
        producer_share, capped = -fee, True
    score = result_score(kpis, kpi_values)
    bonus = _cents(pool * score / 100.0)
    payment = _cents(producer_cost + fee + producer_share + bonus)
    per_orderer = allocate(payment, shares)
    return {
        "period": period, "period_start": as_date(period_start).isoformat(),
        "period_end": as_date(period_end).isoformat(),
        "closed_on": as_date(closed_on).isoformat() if part < 1.0 and closed_on else None, "share_of_period": part,
        "target_cost": target, "actual_cost": actual, "producer_cost": producer_cost, "own_production": own,
        "fee": fee, "difference": difference,
        "outcome": "gain" if difference > 0 else ("pain" if difference < 0 else "on_target"),
        "producer_share": producer_share, "orderers_share": _cents(difference - producer_share),
        "producer_share_capped": capped, "kpi_values": dict(kpi_values), "result_score": score,
        "bonus_pool": pool, "result_bonus": bonus, "producer_payment": payment, "per_orderer": per_orderer,
        "per_orderer_total": {o: _cents(per_orderer.get(o, 0.0) + own.get(o, 0.0)) for o in shares},
        "cost_items": [dict(i) for i in cost_items],
    }
