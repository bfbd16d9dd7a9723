"""Procurement rules as data with effective dates (`workflows/data/rules.json`).

Every rule is a list of versions; the version in effect on a date is the latest one whose
`effective_from` is on or before that date. Minimum periods, thresholds, the time-limit
calculation and the alliance defaults all follow this pattern, so an amendment to the Act is
a new version in the data file, not a code change, and a procurement that started under the
old rules is replayed with the old rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from workflows.errors import InvalidInput, bilingual_label

RULES_FILE = Path(__file__).parent / "data" / "rules.json"

SERVICE_TYPES = ("services", "social_health", "other_specific")
"""`services`: services in general; `social_health`: social and health services;
`other_specific`: other specific services (both of the latter fall under the light regime)."""

PERIOD_KINDS = ("participation", "initial_tenders", "standstill", "correction_request", "appeal",
                "postal_receipt", "award_notice")


@dataclass(frozen=True)
class Period:
    """A statutory period: `days` normally, shorter when urgent or when tenders are electronic."""

    kind: str
    days: int
    urgent_days: int | None
    electronic_days: int | None
    moves_to_working_day: bool
    label: str
    label_en: str
    reference: str | None

    def minimum_days(self, *, electronic: bool = False, urgent: bool = False) -> int:
        if urgent and self.urgent_days is not None:
            return self.urgent_days
        if electronic and self.electronic_days is not None:
            return self.electronic_days
        return self.days


@dataclass(frozen=True)
class Thresholds:
    """Estimated value (EUR, VAT excluded) from which EU-level and national-level rules apply."""

    eu: int
    national: int
    eu_effective_from: str
    national_effective_from: str

    def as_json(self) -> dict[str, Any]:
        return {"eu": self.eu, "national": self.national, "eu_effective_from": self.eu_effective_from,
                "national_effective_from": self.national_effective_from}


@dataclass(frozen=True)
class TimeLimitCalculation:
    """How statutory time limits are counted (Act 150/1930)."""

    effective_from: str
    event_day_counted: bool
    non_working_days: tuple[str, ...]
    time_zone: str
    source: str


def as_date(value: Any, what: str = "päivämäärä / date") -> date:
    """An ISO date (or the date part of an ISO datetime) as a `date`."""
    if isinstance(value, date):
        return value
    fi, en = bilingual_label(what)
    if not isinstance(value, str) or len(value) < 10:
        raise InvalidInput(f"{fi}: odotettiin päivämäärää muodossa VVVV-KK-PP. / {en}: expected an ISO date, "
                           f"got {value!r}.")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise InvalidInput(f"{fi}: virheellinen päivämäärä {value!r}. / {en}: invalid date {value!r}.") from None


class ProcurementRules:
    """The rules file, queried by date."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._doc = document
        for key in ("time_limit_calculation", "periods", "eu_thresholds", "national_thresholds",
                    "alliance_terms", "remedies"):
            versions = document.get(key)
            if not versions:
                raise InvalidInput(f"rules: missing or empty list {key!r}")
            dates = [v["effective_from"] for v in versions]
            if dates != sorted(dates) or len(set(dates)) != len(dates):
                raise InvalidInput(f"rules: versions of {key!r} must be in increasing effective_from order")

    @classmethod
    def load(cls, path: str | Path | None = None) -> ProcurementRules:
        with open(path or RULES_FILE, encoding="utf-8") as f:
            return cls(json.load(f))

    def _version(self, key: str, on: date | str) -> dict[str, Any]:
        day = as_date(on).isoformat()
        chosen = None
        for version in self._doc[key]:
            if version["effective_from"] <= day:
                chosen = version
        if chosen is None:
            raise InvalidInput(f"rules: no version of {key!r} in effect on {day}")
        return dict(chosen)

    def calculation(self, on: date | str) -> TimeLimitCalculation:
        v = self._version("time_limit_calculation", on)
        return TimeLimitCalculation(effective_from=v["effective_from"],
                                    event_day_counted=bool(v["event_day_counted"]),
                                    non_working_days=tuple(v["non_working_days"]),
                                    time_zone=v["time_zone"], source=v["source"])

    def period(self, kind: str, on: date | str) -> Period:
        v = self._version("periods", on)
        spec = v["periods"].get(kind)
        if spec is None:
            raise InvalidInput(f"rules: unknown period {kind!r}; known: {', '.join(sorted(v['periods']))}")
        return Period(kind=kind, days=int(spec["days"]), urgent_days=spec.get("urgent_days"),
                      electronic_days=spec.get("electronic_days"),
                      moves_to_working_day=bool(spec.get("moves_to_working_day", True)),
                      label=spec["label"], label_en=spec["label_en"], reference=spec.get("reference"))

    def thresholds(self, service_type: str, on: date | str, *, central_government: bool = False) -> Thresholds:
        if service_type not in SERVICE_TYPES:
            raise InvalidInput(f"tuntematon palvelutyyppi / unknown service type {service_type!r}; "
                               f"known: {', '.join(SERVICE_TYPES)}")
        key = "services_central_government" if central_government and service_type == "services" else service_type
        eu = self._version("eu_thresholds", on)
        national = self._version("national_thresholds", on)
        return Thresholds(eu=int(eu[key]), national=int(national[key]), eu_effective_from=eu["effective_from"],
                          national_effective_from=national["effective_from"])

    def remedies(self, level: str, on: date | str) -> dict[str, Any]:
        """The remedies open at a threshold level (`eu`, `national`, `below_national`) and the
        instructions served with a decision there."""
        v = self._version("remedies", on)
        spec = v["levels"].get(level)
        if spec is None:
            raise InvalidInput(f"rules: unknown procurement level {level!r}; known: {', '.join(sorted(v['levels']))}")
        return {**spec, "level": level, "source": v["source"], "effective_from": v["effective_from"]}

    def alliance_terms(self, on: date | str) -> dict[str, Any]:
        v = self._version("alliance_terms", on)
        return {k: v[k] for k in v if k not in ("source", "source_en")}


@lru_cache(maxsize=1)
def default_rules() -> ProcurementRules:
    """The rules shipped with the project (`workflows/data/rules.json`), loaded once."""
    return ProcurementRules.load()
