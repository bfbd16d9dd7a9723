"""The negotiated procedure's rules on candidates, tenderers and tenders (Act 1397/2016 §34–35).

Plain functions over JSON values: organisation ids are strings, per-organisation records are
dicts with an `organisation` key (the diagrams' multi-instance items).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workflows.errors import InvalidInput, RuleViolation, bilingual_label

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def parse_organisations(text: str | Sequence[str] | None) -> list[str]:
    """Organisation ids from a form's text ("kajaani, sotkamo" or one per line), in order, once each."""
    if text is None:
        return []
    parts = re.split(r"[,;\s]+", text) if isinstance(text, str) else list(text)
    out: list[str] = []
    for raw in parts:
        org = str(raw).strip().lower()
        if not org:
            continue
        if not _ID.match(org):
            raise InvalidInput(f"virheellinen organisaation tunnus / invalid organisation id {raw!r}")
        if org not in out:
            out.append(org)
    return out


def items_of(organisations: Iterable[str]) -> list[dict[str, Any]]:
    """One multi-instance item per organisation: `{"organisation": id}`."""
    return [{"organisation": org} for org in organisations]


def organisation_of(item: Any) -> str:
    if isinstance(item, Mapping) and isinstance(item.get("organisation"), str):
        return str(item["organisation"])
    if isinstance(item, str):
        return item
    raise InvalidInput(f"expected an organisation item, got {item!r}")


def check_selection(applicants: str | Sequence[str], suitable: str | Sequence[str], invited: str | Sequence[str],
                    minimum: int = 3) -> dict[str, Any]:
    """Qualification and selection: at least `minimum` candidates are invited when that many are
    suitable. Every suitable candidate must have applied and every invited one be suitable."""
    applied, fit, chosen = parse_organisations(applicants), parse_organisations(suitable), parse_organisations(invited)
    if not applied:
        raise RuleViolation("Yhtään osallistumishakemusta ei ole kirjattu. / No requests to participate recorded.")
    not_applied = [o for o in fit if o not in applied]
    if not_applied:
        raise RuleViolation(f"Soveltuviksi merkityt eivät ole hakeneet: {', '.join(not_applied)}. / "
                            f"Marked suitable but did not apply: {', '.join(not_applied)}.")
    not_fit = [o for o in chosen if o not in fit]
    if not_fit:
        raise RuleViolation(f"Vain soveltuvia ehdokkaita voi kutsua: {', '.join(not_fit)}. / "
                            f"Only suitable candidates may be invited: {', '.join(not_fit)}.")
    if not chosen:
        raise RuleViolation("Kutsuttava vähintään yksi soveltuva ehdokas. / Invite at least one suitable candidate.")
    required = min(minimum, len(fit))
    if len(chosen) < required:
        raise RuleViolation(
            f"Soveltuvia ehdokkaita on {len(fit)}, joten kutsuttava vähintään {required}; kutsuttu {len(chosen)}. / "
            f"{len(fit)} candidates are suitable, so at least {required} must be invited; {len(chosen)} invited.")
    return {"applicants": applied, "suitable": fit, "invited": chosen,
            "excluded": [o for o in applied if o not in fit],
            "fewer_than_minimum": len(chosen) < minimum, "minimum": minimum}


def require_text(value: Any, what: str) -> str:
    """`value` stripped; refused when empty. `what` names it, "suomeksi / in English"."""
    if not isinstance(value, str) or not value.strip():
        fi, en = bilingual_label(what)
        raise RuleViolation(f"{fi}: pakollinen tieto puuttuu. / {en}: this is required.")
    return value.strip()


def _digest(content: Mapping[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_LOCKED = ("minimum_requirements", "award_criteria", "staged_reduction", "award_criteria_weights",
           "award_on_initial_reserved")


def lock_terms(minimum_requirements: str, award_criteria: str, staged_reduction: bool,
               award_criteria_weights: Sequence[Mapping[str, Any]] | None = None,
               award_on_initial_reserved: bool = False) -> dict[str, Any]:
    """The published terms that may not be negotiated, with a digest that proves they stayed: the
    minimum requirements, the award criteria as published and with their weights, staged reduction
    and the § 35 reservation to award on the initial tenders."""
    content: dict[str, Any] = {
        "minimum_requirements": require_text(minimum_requirements, "Vähimmäisvaatimukset / The minimum requirements"),
        "award_criteria": require_text(award_criteria, "Vertailuperusteet / The award criteria"),
        "staged_reduction": bool(staged_reduction)}
    if award_criteria_weights is not None:
        content["award_criteria_weights"] = [dict(c) for c in award_criteria_weights]
        content["award_on_initial_reserved"] = bool(award_on_initial_reserved)
    return {**content, "digest": _digest(content)}


def verify_terms(locked: Mapping[str, Any]) -> bool:
    content = {k: locked.get(k) for k in _LOCKED if k in locked}
    if locked.get("digest") != _digest(content):
        raise RuleViolation("Julkaistuja vähimmäisvaatimuksia tai vertailuperusteita on muutettu. / "
                            "The published minimum requirements or award criteria have been changed.")
    return True


def submitted(tenders: Sequence[Mapping[str, Any]]) -> list[str]:
    """Organisations whose tender arrived in time, in the order of the items."""
    return [organisation_of(t) for t in tenders if t.get("submitted")]


def submitted_tenders(tenders: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Copies of the tenders that arrived in time."""
    return [dict(t) for t in tenders if t.get("submitted")]


def fee_percent_of(tenders: Sequence[Mapping[str, Any]], organisation: str) -> float:
    """The fee percentage in `organisation`'s tender."""
    for t in tenders:
        if organisation_of(t) == organisation and t.get("submitted"):
            return float(t["fee_percent"])
    raise InvalidInput(f"no tender from {organisation!r}")


def apply_reduction(tenderers: Sequence[str], assessments: Sequence[Mapping[str, Any]], staged_reduction: bool,
                    negotiation_round: int, at: str | None = None) -> dict[str, Any]:
    """The tenderers that continue after a round. A tenderer is dropped only when the contract
    notice allowed staged reduction, with reasoning by the published award criteria; at least
    one tenderer must remain."""
    by_org = {organisation_of(a): a for a in assessments}
    remaining: list[str] = []
    dropped: list[dict[str, Any]] = []
    for org in tenderers:
        assessment = by_org.get(org, {})
        if assessment.get("continues", True):
            remaining.append(org)
            continue
        if not staged_reduction:
            raise RuleViolation(
                f"Tarjoajaa {org} ei voi karsia: hankintailmoitus ei salli neuvottelujen vaiheittaista "
                f"karsintaa. / Tenderer {org} cannot be dropped: the contract notice does not allow staged "
                f"reduction.")
        reason = require_text(assessment.get("assessment_reasoning"),
                              f"Karsinnan perustelu ({org}) / The reason for dropping {org}")
        dropped.append({"organisation": org, "round": negotiation_round, "reason": reason, "at": at})
    if not remaining:
        raise RuleViolation("Kaikkia tarjoajia ei voi karsia. / Not every tenderer can be dropped.")
    return {"remaining": remaining, "dropped": dropped}


def rank_tenders(evaluations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Final tenders ranked by total points (quality + price), best first; ties keep item order."""
    scored = []
    for index, e in enumerate(evaluations):
        quality, price = float(e.get("quality_points", 0)), float(e.get("price_points", 0))
        scored.append((-(quality + price), index, {
            "organisation": organisation_of(e), "quality_points": quality, "price_points": price,
            "total": round(quality + price, 2)}))
    ranking = [entry for _, _, entry in sorted(scored, key=lambda s: (s[0], s[1]))]
    for rank, entry in enumerate(ranking, start=1):
        entry["rank"] = rank
    if not ranking:
        raise RuleViolation("Ei vertailtavia lopullisia tarjouksia. / No final tenders to rank.")
    return ranking
