"""The estimated value (§ 27) re-confirmed once the joining orderers are known, and the threshold
level it gives: a change of level re-derives the rules (the decision table runs on the confirmed
value) and is recorded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workflows.errors import InvalidInput
from workflows.rules import default_rules


def level_of(value: float, service_type: str, on: str) -> str:
    """`eu`, `national` or `below_national` for a value, by the thresholds in effect on `on`."""
    thresholds = default_rules().thresholds(service_type, on)
    if value >= thresholds.eu:
        return "eu"
    if value >= thresholds.national:
        return "national"
    return "below_national"


def reconfirm_value(initial_value: float, confirmed_value: float, basis: str, service_type: str,
                    orderers: Sequence[str], on: str, confirmed_at: str) -> dict[str, Any]:
    """The record of the re-confirmed estimate: both values, the orderers it covers, both levels."""
    if not isinstance(confirmed_value, (int, float)) or isinstance(confirmed_value, bool) or confirmed_value <= 0:
        raise InvalidInput("Ennakoitu arvo on annettava euroina. / The estimated value must be a positive amount.")
    if not isinstance(basis, str) or not basis.strip():
        raise InvalidInput("Arvion peruste puuttuu (§ 27). / The basis of the estimate is required (§ 27).")
    initial_level = level_of(float(initial_value), service_type, on)
    level = level_of(float(confirmed_value), service_type, on)
    return {"initial_value": initial_value, "initial_level": initial_level, "confirmed_value": confirmed_value,
            "basis": basis.strip(), "orderers": list(orderers), "confirmed_at": confirmed_at, "level": level,
            "level_changed": level != initial_level}


def rules_derived(reassessment: Mapping[str, Any], procurement_level: str, regime: str, minimum_periods_apply: bool,
                  standstill_applies: bool) -> dict[str, Any]:
    """The reassessment with the rules the decision table derived from the confirmed value."""
    return {**dict(reassessment), "rules": {"procurement_level": procurement_level, "regime": regime,
                                            "minimum_periods_apply": bool(minimum_periods_apply),
                                            "standstill_applies": bool(standstill_applies)}}
