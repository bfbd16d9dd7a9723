"""The functions the diagrams may call from scripts, conditions and expressions.

`HELPERS` maps each name to a function that takes and returns plain JSON values (dates as ISO
strings). They are deterministic: the same arguments give the same result, whatever the
clock says (pass `now()` in when a helper needs today), so a replayed procurement computes
the same deadlines. A helper that refuses something raises a `workflows.errors` exception with
a message in Finnish and English; the engine rolls the step back and shows the message.

Register them with the engine: `Engine(..., helpers=helpers_for(directory))`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from workflows import agreements, alliance, award, deadlines, estimate, joint_decision, open_books, procedure, remedies
from workflows.calendar import default_calendar
from workflows.directory import Directory, demo_directory
from workflows.errors import InvalidInput, RuleViolation
from workflows.rules import as_date, default_rules

JSONDict = dict[str, Any]


# --- dates and time limits -------------------------------------------------------------------

finnish_date = remedies.day_of  # the date in Finland of an ISO timestamp (e.g. `finnish_date(now())`)


def statutory_deadline(event_date: str, days: int) -> str:
    """Last day of a time limit of `days` days from `event_date`, moved past non-working days."""
    return default_calendar().last_day(event_date, int(days)).isoformat()


def period_closes_at(last_day: str) -> str:
    """The moment a period whose last day is `last_day` has run out (ISO, Finnish time)."""
    return default_calendar().closes_at(last_day).isoformat()


def check_period(kind: str, sent_on: str, last_day: str, minimum_applies: bool, electronic: bool = False,
                 urgent: bool = False, justification: str | None = None) -> JSONDict:
    """A period set by the procurement unit; refused when shorter than the statutory minimum.
    A shortened (urgent) period needs a justification."""
    if urgent:
        procedure.require_text(justification, "Kiireellisyyden peruste / The reason for urgency")
    return deadlines.check_period(kind, sent_on, last_day, minimum_applies=bool(minimum_applies),
                                  electronic=bool(electronic), urgent=bool(urgent))


def extend_period(kind: str, sent_on: str, old_last_day: str, new_last_day: str, changed_on: str,
                  minimum_applies: bool, electronic: bool = False, urgent: bool = False,
                  justification: str | None = None) -> JSONDict:
    """A published period extended (a change notice): later than the published last day and than the
    day of the change (`finnish_date(now())`), and still the statutory minimum from the first sending."""
    deadlines.require_after(new_last_day, old_last_day, "Uusi määräaika", "The new deadline")
    deadlines.require_after(new_last_day, changed_on, "Uusi määräaika", "The new deadline")
    return {**check_period(kind, sent_on, new_last_day, minimum_applies, electronic, urgent, justification),
            "extended_from": as_date(old_last_day).isoformat(), "changed_on": as_date(changed_on).isoformat()}


def tender_deadline(sent_on: str, last_day: str) -> JSONDict:
    """A deadline without a statutory minimum (final tenders, revised tenders): after sending."""
    deadlines.require_after(last_day, sent_on, "Määräaika", "Deadline")
    return {"sent_on": as_date(sent_on).isoformat(), "last_day": as_date(last_day).isoformat(),
            "closes_at": period_closes_at(last_day)}


def serve_decision(served_on: str, by_post: bool, standstill_applies: bool) -> JSONDict:
    """Serving the procurement decision on `served_on` (the day of the command that serves it): the
    receipt date, the end of the standstill (`standstill_ends_at` for the timer) and of the
    correction and appeal periods. The instructions served with it follow from the procurement's
    level (`serve_decisions`)."""
    return deadlines.decision_service(served_on, by_post=bool(by_post), standstill_applies=bool(standstill_applies))


def sign_contract(signed_at: str, decision_service: Mapping[str, Any], contractor: str) -> JSONDict:
    """The contract, signed at the command's time (`now()`), only after the standstill; gives the
    award notice's due date."""
    signed_on = finnish_date(signed_at)
    earliest = decision_service.get("contract_may_be_signed_from")
    if earliest and as_date(signed_on) < as_date(earliest):
        raise RuleViolation(f"Sopimuksen voi allekirjoittaa aikaisintaan {earliest} (odotusaika). / The contract "
                            f"may be signed on {earliest} at the earliest (standstill).")
    return {"signed_on": as_date(signed_on).isoformat(), "signed_at": signed_at, "contractor": contractor,
            "award_notice_due": deadlines.award_notice_due(signed_on).isoformat()}


def communication(kind: str, subject: str, recipients: Sequence[str], sent_at: str) -> JSONDict:
    """A record of information sent to tenderers, for the equal-treatment view
    (kind: invitation, document_change, question, answer, result, information)."""
    return {"kind": kind, "subject": subject, "recipients": list(recipients), "sent_at": sent_at}


def record_award_notice(published_on: str, due: str) -> JSONDict:
    late = as_date(published_on) > as_date(due)
    return {"published_on": as_date(published_on).isoformat(), "due": as_date(due).isoformat(), "late": late}


def check_future_deadline(last_day: str, today: str) -> JSONDict:
    """A deadline set during the procedure must be after today; gives its closing moment."""
    deadlines.require_after(last_day, today, "Määräaika", "Deadline")
    return {"last_day": as_date(last_day).isoformat(), "closes_at": period_closes_at(last_day)}


# --- rules -----------------------------------------------------------------------------------

def procurement_thresholds(service_type: str, central_government: bool, on_date: str) -> JSONDict:
    """EU and national thresholds in effect on `on_date` for the service type."""
    return default_rules().thresholds(service_type, on_date, central_government=bool(central_government)).as_json()


def alliance_terms(on_date: str) -> JSONDict:
    """Default alliance terms in effect on `on_date` (gain/pain split, loss cap, minimum invited)."""
    return default_rules().alliance_terms(on_date)


# --- organisations and decisions ---------------------------------------------------------------

def org_items(organisations: Sequence[str]) -> list[JSONDict]:
    """Multi-instance items `{"organisation": id}`, one per organisation."""
    return procedure.items_of(organisations)


def organisations_in(items: Sequence[Any]) -> list[str]:
    return [procedure.organisation_of(i) for i in items]


def check_start(title: str, region: str, candidate_municipalities: str | Sequence[str], estimated_value: float,
                service_type: str) -> list[str]:
    """Checks the data a procurement starts with; gives the candidate municipalities as a list."""
    procedure.require_text(title, "Hankinnan nimi / The title")
    if not isinstance(estimated_value, (int, float)) or estimated_value <= 0:
        raise InvalidInput("Ennakoitu arvo on annettava euroina. / The estimated value must be a positive amount.")
    if service_type not in ("services", "social_health", "other_specific"):
        raise InvalidInput(f"tuntematon palvelutyyppi / unknown service type {service_type!r}")
    candidates = procedure.parse_organisations(candidate_municipalities)
    if region in candidates:
        raise InvalidInput("Johtava tilaaja on aina mukana; se ei ole ehdokaskunta. / The lead orderer always "
                           "takes part; it is not a candidate municipality.")
    return candidates


HELPER_FUNCTIONS: dict[str, Callable[..., Any]] = {
    # dates and time limits
    "finnish_date": finnish_date,
    "statutory_deadline": statutory_deadline,
    "period_closes_at": period_closes_at,
    "check_period": check_period,
    "extend_period": extend_period,
    "tender_deadline": tender_deadline,
    "check_future_deadline": check_future_deadline,
    "serve_decision": serve_decision,
    "sign_contract": sign_contract,
    "record_award_notice": record_award_notice,
    "communication": communication,
    # rules
    "procurement_thresholds": procurement_thresholds,
    "alliance_terms": alliance_terms,
    # organisations, votes and the procedure
    "check_start": check_start,
    "org_items": org_items,
    "organisations_in": organisations_in,
    "parse_organisations": procedure.parse_organisations,
    "joining_orderers": alliance.joining_orderers,
    "declined": alliance.declined,
    "unanimous": alliance.unanimous,
    "strategy_decision": alliance.strategy_decision,
    "mandate_requests": alliance.mandate_requests,
    "check_selection": procedure.check_selection,
    "require_text": procedure.require_text,
    "lock_terms": procedure.lock_terms,
    "verify_terms": procedure.verify_terms,
    "submitted_tenderers": procedure.submitted,
    "submitted_tenders": procedure.submitted_tenders,
    "fee_percent_of": procedure.fee_percent_of,
    "apply_reduction": procedure.apply_reduction,
    "rank_tenders": procedure.rank_tenders,
    "parse_award_criteria": award.parse_award_criteria,
    "score_tenders": award.score_tenders,
    "winner_of": award.winner_of,
    # the value and the rules that follow from it
    "reconfirm_value": estimate.reconfirm_value,
    "rules_derived": estimate.rules_derived,
    # decisions served on each party, and remedies
    "serve_decisions": remedies.serve_decisions,
    "parties_in_procedure": remedies.parties_in_procedure,
    "check_decision_kind": remedies.check_decision_kind,
    "record_correction_request": remedies.record_correction_request,
    "record_appeal": remedies.record_appeal,
    "record_further_appeal": remedies.record_further_appeal,
    "record_interim_order": remedies.record_interim_order,
    "record_ruling": remedies.record_ruling,
    "discontinue": remedies.discontinuation,
    "require_not_future": remedies.require_not_future,
    # the alliance
    "parties_of": alliance.alliance_parties,
    "parse_cost_shares": alliance.parse_cost_shares,
    "exit_gate": alliance.exit_gate,
    "record_orderer_exit": alliance.record_orderer_exit,
    "gate_exit_record": alliance.gate_exit_record,
    "continuation_terms": alliance.continuation_terms,
    "providers_of": alliance.providers_of,
    "close_out": alliance.close_out,
    # joint decisions: one proposal, one position per party
    "propose": joint_decision.propose,
    "position_items": joint_decision.position_items,
    "legal_items": joint_decision.legal_items,
    "legal_limits_hold": joint_decision.legal_limits_hold,
    "decide_jointly": joint_decision.decide_jointly,
    "record_agreement": joint_decision.record_agreement,
    "agreement": joint_decision.agreement,
    # what the proposals contain; open books
    "solution_terms": agreements.solution_terms,
    "implementation_terms": agreements.implementation_terms,
    "period_terms": agreements.period_terms,
    "collect_appropriations": open_books.collect_appropriations,
    "use_budget": open_books.use_budget,
    "collect_cost_items": open_books.collect_cost_items,
    "parse_kpi_values": open_books.parse_kpi_values,
    "settle": open_books.settle,
}



def organisation_check(directory: Callable[[], Directory]) -> Callable[..., list[str]]:
    """`require_organisations(ids, kind=None, registered=())`: every id is in the directory (and of
    `kind`), or registered in this procurement with its y-tunnus."""

    def require_organisations(organisations: Sequence[str], kind: str | None = None,
                              registered: Sequence[Mapping[str, Any]] = ()) -> list[str]:
        new = {r["id"] for r in registered}
        known = directory().organisations
        unknown = [o for o in organisations if o not in known and o not in new]
        if unknown:
            raise InvalidInput(f"Tuntemattomat organisaatiot / unknown organisations: {', '.join(unknown)}")
        wrong = [o for o in organisations if kind and o in known and known[o].kind != kind]
        if wrong:
            raise InvalidInput(f"Organisaatio ei ole tyyppiä {kind} / not of kind {kind}: {', '.join(wrong)}")
        return list(organisations)

    return require_organisations


def organisation_naming(directory: Callable[[], Directory]) -> Callable[..., dict[str, str]]:
    """`organisation_names(ids, registered=())`: id → name, from the directory or this procurement's
    registrations (for the decision documents)."""

    def organisation_names(organisations: Sequence[str],
                           registered: Sequence[Mapping[str, Any]] = ()) -> dict[str, str]:
        new = {r["id"]: r["name"] for r in registered}
        known = directory().organisations
        return {o: known[o].name if o in known else new.get(o, o) for o in organisations}

    return organisation_names


def orderer_check(directory: Callable[[], Directory]) -> Callable[[str], str]:
    """`require_orderer(id)`: the organisation may lead an alliance (its kind is an orderer kind)."""

    def require_orderer(organisation: str) -> str:
        if not directory().is_orderer(organisation):
            kinds = ", ".join(directory().orderer_kinds)
            raise InvalidInput(f"Johtava tilaaja {organisation!r} ei ole tilaajaorganisaatio ({kinds}). / The lead "
                               f"orderer {organisation!r} is not an orderer organisation ({kinds}).")
        return organisation

    return require_orderer


def helpers_for(directory: Directory) -> dict[str, Callable[..., Any]]:
    """Every helper, with `require_organisations`, `require_orderer` and `organisation_names` reading `directory`."""
    return {**HELPER_FUNCTIONS, "require_organisations": organisation_check(lambda: directory),
            "require_orderer": orderer_check(lambda: directory),
            "organisation_names": organisation_naming(lambda: directory)}


HELPERS: Mapping[str, Callable[..., Any]] = {**HELPER_FUNCTIONS,
                                              "require_organisations": organisation_check(demo_directory),
                                              "require_orderer": orderer_check(demo_directory),
                                              "organisation_names": organisation_naming(demo_directory)}
"""Name → function, as the diagrams call them; `require_organisations` checks the demo directory
(use `helpers_for(directory)` for another one)."""
