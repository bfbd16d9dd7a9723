"""Decisions served to each party, and the remedies against them (Act 1397/2016 §§ 123–135, 145–165).

Every moment here is the engine's clock at the command that records it (`now()` in the diagrams),
never a typed date. A served decision is one record per party, with the instructions that apply
at the procurement's threshold level (from `rules.json`, `remedies`) and the dates that follow
from its service (§ 126: electronically received the day it is sent; by post on the 7th day).
Interpretations to be confirmed by the user's lawyer are listed in workflows/README.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from workflows import deadlines
from workflows.calendar import HELSINKI, default_calendar
from workflows.errors import InvalidInput, RuleViolation
from workflows.rules import as_date, default_rules

DECISION_KINDS = ("exclusion", "dropped_in_round", "procurement_decision", "discontinuation", "correction_decision")
RULING_OUTCOMES = ("dismissed", "annulled", "compensation")
COURTS = ("market_court", "supreme_administrative_court")


def day_of(moment: str) -> str:
    """The date in Finland of an ISO timestamp with a time zone."""
    try:
        parsed = datetime.fromisoformat(moment)
    except (TypeError, ValueError):
        raise InvalidInput(f"expected an ISO timestamp, got {moment!r}") from None
    if parsed.tzinfo is None:
        raise InvalidInput(f"the timestamp needs a time zone: {moment!r}")
    return parsed.astimezone(HELSINKI).date().isoformat()


def instructions(level: str, on: str) -> dict[str, Any]:
    """The remedies open at `level` on the day `on`: {instructions, correction_request, market_court_appeal, …}."""
    return default_rules().remedies(level, as_date(on))


def serve_decisions(kind: str, parties: Sequence[str], level: str, by_post: bool, sent_at: str,
                    document: str, names: Mapping[str, str] | None = None,
                    standstill_applies: bool = False) -> list[dict[str, Any]]:
    """One served decision per party: kind, party, level, the instructions kind, when it was sent
    (the command's time), when it counts as received, and when the correction and appeal periods end."""
    if kind not in DECISION_KINDS:
        raise InvalidInput(f"unknown decision kind {kind!r}; known: {', '.join(DECISION_KINDS)}")
    sent_on = day_of(sent_at)
    remedy = instructions(level, sent_on)
    dates = deadlines.decision_service(sent_on, by_post=bool(by_post), standstill_applies=bool(standstill_applies))
    served = []
    for party in parties:
        served.append({
            "kind": kind, "party": party, "party_name": (names or {}).get(party, party), "level": level,
            "instructions": remedy["instructions"], "instructions_label": remedy["label"],
            "instructions_label_en": remedy["label_en"],
            "market_court_appeal_open": bool(remedy["market_court_appeal"]),
            "document": document, "sent_at": sent_at, "served_by_post": bool(by_post),
            "received_on": dates["received_on"], "correction_period_ends": dates["correction_period_ends"],
            "appeal_period_ends": dates["appeal_period_ends"] if remedy["market_court_appeal"] else None,
        })
    return served


def parties_in_procedure(selection: Mapping[str, Any] | None, served: Sequence[Mapping[str, Any]]) -> list[str]:
    """The applicants (of `selection`, None before the selection) not yet out of the procedure by a
    decision of their own (exclusion, drop)."""
    out = {s["party"] for s in served if s.get("kind") in ("exclusion", "dropped_in_round")}
    return [a for a in (selection or {}).get("applicants", []) if a not in out]


def check_decision_kind(kind: str, negotiation_outcome: str) -> str:
    """An award needs evaluated tenders; a procedure stopped for discontinuation can only be discontinued."""
    if kind == "award" and negotiation_outcome != "evaluated":
        raise RuleViolation("Tarjouksia ei ole vertailtu, joten hankintaa voi vain keskeyttää (§ 125). / The tenders "
                            "have not been evaluated, so the procurement can only be discontinued (§ 125).")
    return kind


def record_correction_request(request: Mapping[str, Any], decision_service: Mapping[str, Any], received_at: str,
                              own_initiative: bool = False) -> dict[str, Any]:
    """A correction request (§§ 132–135) received at any level before the contract, or the unit's own
    correction (§ 132: on its own initiative). Late requests are recorded as late; the unit may still
    correct on its own initiative."""
    received_on = day_of(received_at)
    ends = decision_service.get("correction_period_ends")
    record = {**dict(request), "received_at": received_at, "own_initiative": bool(own_initiative),
              "within_period": None if own_initiative or not ends else as_date(received_on) <= as_date(ends)}
    if not own_initiative and not str(request.get("requester", "")).strip():
        raise InvalidInput("Hankintaoikaisuvaatimuksen tekijä puuttuu. / The correction request needs its "
                           "requester.")
    return record


def record_appeal(appeal: Mapping[str, Any], level: str, decision_service: Mapping[str, Any], received_at: str,
                  contract_signed: bool) -> dict[str, Any]:
    """A Market Court appeal (§§ 146–147), recorded whenever it is lodged at EU or national level.

    Lodged within the standstill it holds the contract until the court rules or allows it (§ 131);
    lodged later it holds nothing unless the court prohibits signing by an interim order (§ 153)."""
    received_on = day_of(received_at)
    if not instructions(level, received_on)["market_court_appeal"]:
        raise RuleViolation("Kansallisen kynnysarvon alittavassa hankinnassa ei voi valittaa markkinaoikeuteen; "
                            "käytettävissä on oikaisu ja hallintolain keinot. / Below the national threshold there is "
                            "no appeal to the Market Court; the correction request and the Administrative Procedure "
                            "Act apply.")
    standstill_ends = decision_service.get("standstill_ends")
    within_standstill = bool(standstill_ends) and as_date(received_on) <= as_date(standstill_ends)
    appeal_ends = decision_service.get("appeal_period_ends")
    return {**dict(appeal), "court": "market_court", "received_at": received_at,
            "within_standstill": within_standstill,
            "within_appeal_period": None if not appeal_ends else as_date(received_on) <= as_date(appeal_ends),
            "contract_signed": bool(contract_signed),
            "holds_signing": within_standstill and not contract_signed}


def record_further_appeal(appeal: Mapping[str, Any], ruling: Mapping[str, Any] | None,
                          received_at: str) -> dict[str, Any]:
    """A further appeal to the Supreme Administrative Court against the Market Court's ruling (§ 165)."""
    if not ruling:
        raise RuleViolation("Korkeimpaan hallinto-oikeuteen valitetaan markkinaoikeuden ratkaisusta; ratkaisua ei "
                            "ole kirjattu. / A further appeal lies against a Market Court ruling; none is recorded.")
    received_on = day_of(received_at)
    period = default_rules().period("supreme_court_appeal", received_on)
    ruling_day = day_of(str(ruling["received_at"]))
    ends = default_calendar().last_day(ruling_day, period.days)
    return {**dict(appeal), "court": "supreme_administrative_court", "received_at": received_at,
            "against_ruling": ruling.get("ruling") or ruling.get("outcome"), "appeal_period_ends": ends.isoformat(),
            "within_appeal_period": as_date(received_on) <= ends, "contract_signed": False, "holds_signing": False}


def _pending(court_case: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if not court_case:
        raise RuleViolation("Tuomioistuimessa ei ole vireillä valitusta tästä päätöksestä. / No appeal against this "
                            "decision is pending in court.")
    return court_case


def record_interim_order(order: Mapping[str, Any], court_case: Mapping[str, Any] | None,
                         received_at: str) -> dict[str, Any]:
    """The court's interim order (§ 153) in a pending case: `allows_signing` true lets the contract be
    signed while the case is pending, false prohibits it."""
    case = _pending(court_case)
    allows = order.get("allows_signing")
    if not isinstance(allows, bool):
        raise InvalidInput("Väliaikaisessa määräyksessä on kerrottava, salliiko se sopimuksen (allows_signing: "
                           "true/false). / An interim order must say whether it allows signing (allows_signing: "
                           "true/false).")
    return {**dict(order), "court": case.get("court"), "received_at": received_at}


def record_ruling(ruling: Mapping[str, Any], court_case: Mapping[str, Any] | None, received_at: str) -> dict[str, Any]:
    """The court's ruling in a pending case: dismissed (the decision stands), annulled (a new decision
    is made) or compensation ordered (§ 154: a compensation payment to the appellant)."""
    court_case = _pending(court_case)
    outcome = ruling.get("outcome")
    if outcome not in RULING_OUTCOMES:
        raise InvalidInput(f"Ratkaisun lopputulos: {', '.join(RULING_OUTCOMES)}; saatiin {outcome!r}. / The "
                           f"ruling's outcome must be one of {', '.join(RULING_OUTCOMES)}; got {outcome!r}.")
    if outcome == "compensation":
        amount = ruling.get("compensation_eur")
        if not isinstance(amount, (int, float)) or isinstance(amount, bool) or amount <= 0:
            raise InvalidInput("Hyvitysmaksun määrä euroina (compensation_eur). / The compensation in euros "
                               "(compensation_eur).")
    return {**dict(ruling), "court": court_case.get("court", "market_court"), "received_at": received_at,
            "appellant": court_case.get("appellant")}


def discontinuation(reasons: str, stage: str, decided_at: str) -> dict[str, Any]:
    """A discontinuation of the procedure (§ 125): its real and justified reasons, the stage, the time."""
    if not isinstance(reasons, str) or not reasons.strip():
        raise RuleViolation("Keskeyttämiselle on esitettävä todellinen ja perusteltu syy (§ 125). / A "
                            "discontinuation needs its real and justified reasons (§ 125).")
    return {"reasons": reasons.strip(), "stage": stage, "decided_at": decided_at}


def require_not_future(day: str, today: str, what: str) -> str:
    """A typed date of a fact outside the system (a meeting's date): plausible, i.e. not in the future."""
    d = as_date(day, what)
    if d > as_date(today):
        fi, _, en = what.partition(" / ")
        raise InvalidInput(f"{fi}: {d} on tulevaisuudessa (tänään {today}). / {en or fi}: {d} is in the future "
                           f"(today is {today}).")
    return d.isoformat()
