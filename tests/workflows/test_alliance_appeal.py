"""Remedies after the decision (§§ 129–135, 145–165): a correction request at any level, a Market
Court appeal whenever it is lodged, interim orders, rulings and a further appeal. Every "received"
moment is the command's time."""

from __future__ import annotations

import pytest

from engine import ScriptFailed
from tests.workflows import scenario as s
from tests.workflows.driver import Procurement

UNIT = "kainuu.procurement"


def decided(p: Procurement) -> None:
    s.through_evaluation(p)
    s.decide(p, UNIT, s.JOINED)
    s.serve(p, UNIT)
    assert [t.element_id for t in p.view.timers] == ["standstill_over"]


def test_an_appeal_within_the_standstill_holds_the_contract_until_the_ruling(procurement: Procurement) -> None:
    p = procurement
    decided(p)
    p.clock.set("2026-06-15")
    p.message("market_court_appeal", {"appellant": "yrityspolku", "diary_number": "MAO:123/2026"}, UNIT)
    # the standstill timer is gone: the contract waits for the court, whatever the date
    assert p.view.timers == ()
    assert p.fire_timers("2026-06-23", 8) == 0
    assert p.fire_timers("2026-09-30", 8) == 0
    assert p.open_elements() == []
    assert p.who_sees("sign_contract") == set()
    appeal = p.data["market_court_appeal"]
    assert (appeal["within_standstill"], appeal["holds_signing"], appeal["contract_signed"]) == (True, True, False)
    assert appeal["received_at"] == "2026-06-15T06:00:01+00:00"          # the command's time, not typed
    p.clock.set("2026-09-30")
    p.message("court_ruling", {"outcome": "dismissed", "ruling": "MAO 456/2026"}, UNIT)
    assert p.open_elements() == ["sign_contract"]
    assert p.data["court_ruling"]["outcome"] == "dismissed"
    assert p.data["court_ruling"]["appellant"] == "yrityspolku"
    s.sign(p, UNIT, signed_on="2026-10-01")
    assert p.data["contract"]["award_notice_due"] == "2026-11-02"      # 31.10. is All Saints' Day (Saturday)


def test_an_annulling_ruling_returns_to_a_new_decision(procurement: Procurement) -> None:
    p = procurement
    decided(p)
    p.message("market_court_appeal", {"appellant": "uraverkko"}, UNIT)
    p.message("court_ruling", {"outcome": "annulled", "ruling": "MAO 1/2026"}, UNIT)
    assert p.open_elements() == ["draft_decision"]
    s.decide(p, UNIT, s.JOINED, on="2026-06-25")
    s.serve(p, UNIT, served_on="2026-06-26")
    [timer] = p.view.timers                                            # a new standstill from the new service
    assert timer.due_at.isoformat() == "2026-07-10T21:00:00+00:00"
    decisions = [d for d in p.data["served_decisions"] if d["kind"] == "procurement_decision"]
    assert len(decisions) == 2 * len(s.TENDERERS)                      # served to each, twice


def test_an_appeal_after_the_standstill_is_recorded_and_holds_nothing_by_itself(procurement: Procurement) -> None:
    p = procurement
    decided(p)
    assert p.fire_timers("2026-06-23", 8) == 1
    assert p.open_elements() == ["sign_contract"]
    p.clock.set("2026-06-24")
    p.message("market_court_appeal", {"appellant": "uraverkko", "diary_number": "MAO:200/2026"}, UNIT)
    appeal = p.data["market_court_appeal"]
    assert appeal["within_standstill"] is False and appeal["contract_signed"] is False
    assert appeal["within_appeal_period"] is False and appeal["holds_signing"] is False
    # no automatic hold: the contract may still be signed while the case is pending
    assert p.open_elements() == ["sign_contract"]
    p.message("court_ruling", {"outcome": "compensation", "compensation_eur": 25_000, "ruling": "MAO 9/2027"},
              UNIT)
    assert p.open_elements() == ["pay_compensation"]
    p.clock.set("2027-02-01")
    p.complete(UNIT, "pay_compensation", {"compensation_payment_reference": "MAKSU-1"})
    assert p.data["compensation"] == {"amount_eur": 25_000, "to": "uraverkko", "paid_at": "2027-02-01T07:00:01+00:00",
                                      "reference": "MAKSU-1"}
    assert p.open_elements() == ["sign_contract"]


def test_an_interim_order_prohibiting_signing_holds_the_contract(procurement: Procurement) -> None:
    p = procurement
    decided(p)
    assert p.fire_timers("2026-06-23", 8) == 1
    p.message("market_court_appeal", {"appellant": "uraverkko"}, UNIT)
    assert p.open_elements() == ["sign_contract"]
    p.message("interim_order", {"allows_signing": False, "order": "MAO 10/2026 (väliaikainen kielto)"}, UNIT)
    assert p.open_elements() == [] and p.who_sees("sign_contract") == set()
    assert p.data["signing_held"] is True
    assert p.fire_timers("2026-12-31", 8) == 0                        # held, whatever the date
    with pytest.raises(ScriptFailed, match="allows signing"):
        p.message("interim_order", {"order": "?"}, UNIT)
    p.message("interim_order", {"allows_signing": True, "order": "MAO 11/2026"}, UNIT)
    assert p.open_elements() == ["sign_contract"]


def test_a_further_appeal_goes_to_the_supreme_administrative_court(procurement: Procurement) -> None:
    p = procurement
    decided(p)
    with pytest.raises(ScriptFailed, match="no Market Court ruling|none is recorded"):
        p.message("supreme_court_appeal", {"appellant": "uraverkko"}, UNIT)
    p.clock.set("2026-06-10")
    p.message("market_court_appeal", {"appellant": "uraverkko"}, UNIT)
    p.clock.set("2026-08-03")
    p.message("court_ruling", {"outcome": "dismissed", "ruling": "MAO 20/2026"}, UNIT)
    p.clock.set("2026-08-20")
    p.message("supreme_court_appeal", {"appellant": "uraverkko", "diary_number": "KHO 2026/55"}, UNIT)
    further = p.data["supreme_court_appeal"]
    assert further["court"] == "supreme_administrative_court" and further["appeal_period_ends"] == "2026-09-02"
    assert further["within_appeal_period"] is True
    p.message("court_ruling", {"outcome": "annulled", "ruling": "KHO 2027:1"}, UNIT)
    assert p.data["court_ruling"]["court"] == "supreme_administrative_court"
    assert [r["court"] for r in p.data["court_rulings"]] == ["market_court", "supreme_administrative_court"]
    assert p.open_elements() == ["draft_decision"]


def test_a_correction_request_holds_the_contract_until_it_is_handled(procurement: Procurement) -> None:
    p = procurement
    decided(p)
    p.clock.set("2026-06-10")
    p.message("correction_request", {"requester": "uraverkko", "claim": "Pisteytysvirhe"}, UNIT)
    assert p.view.timers == ()
    assert p.open_elements() == ["handle_correction_request"]
    assert p.who_sees("handle_correction_request") == s.users(s.JOINED, "procurement_unit")
    assert p.data["correction_request"]["within_period"] is True
    assert p.fire_timers("2026-06-23", 8) == 0                      # held: nothing to fire
    p.complete(UNIT, "handle_correction_request", {"correction_outcome": "rejected", "correction_document": "HO-1",
                                                   "correction_reasoning": "Pisteytys oli oikein."})
    # back in the standstill, which ended on 22.6. meanwhile: the contract may be signed now
    assert p.open_elements() == ["sign_contract"]
    [served] = [d for d in p.data["served_decisions"] if d["kind"] == "correction_decision"]
    assert (served["party"], served["document"], served["instructions"]) == (
        "uraverkko", "HO-1", "correction_request_and_market_court")


def test_a_correction_request_rejected_within_the_standstill_waits_for_its_end(procurement: Procurement) -> None:
    p = procurement
    decided(p)
    p.clock.set("2026-06-10")
    p.message("correction_request", {"requester": "uraverkko"}, UNIT)
    p.complete(UNIT, "handle_correction_request", {"correction_outcome": "rejected", "correction_document": "HO-1",
                                                   "correction_reasoning": "Ei virhettä."})
    [timer] = p.view.timers
    assert timer.due_at.isoformat() == "2026-06-22T21:00:00+00:00"
    assert p.fire_timers("2026-06-22", 20) == 0
    assert p.fire_timers("2026-06-23", 8) == 1
    assert p.open_elements() == ["sign_contract"]


def test_the_unit_corrects_its_decision_on_its_own_initiative(procurement: Procurement) -> None:
    p = procurement
    decided(p)
    p.message("own_correction", {"reason": "Laskuvirhe vertailussa"}, UNIT)
    assert p.data["correction_request"]["own_initiative"] is True
    p.complete(UNIT, "handle_correction_request", {"correction_outcome": "decision_corrected",
                                                   "correction_document": "HO-2",
                                                   "correction_reasoning": "Laskuvirhe korjataan."})
    assert p.open_elements() == ["draft_decision"]
    assert not [d for d in p.data["served_decisions"] if d["kind"] == "correction_decision"]


def _served_decision_of_a_small_joint_unit(p: Procurement, value: int) -> list[str]:
    """Kainuu and Kajaani as a joint unit procure for `value`, through one round, to the decision served
    on every tenderer; the orderers are returned."""
    orderers = ["kainuu", "kajaani"]
    s.start(p, candidates=["kajaani"], value=value)
    s.decide_joining(p, {"kajaani": True})
    s.assess_and_vote(p, {o: True for o in orderers})
    s.joint_unit(p, orderers)
    s.publish_notice(p, UNIT, participation_deadline="2026-02-02")
    assert p.fire_timers("2026-02-03", 8) == 1
    p.complete(UNIT, "register_requests", {"applicants": s.TENDERERS})
    p.complete(UNIT, "qualify_candidates", {"suitable_candidates": s.TENDERERS, "invited_candidates": s.TENDERERS,
                                            "selection_report": "Kaikki soveltuvat."})
    s.invite(p, UNIT)
    s.initial_tenders(p, s.TENDERERS)
    s.negotiation_round(p, UNIT, s.TENDERERS, "2026-04-02", "2026-03-30", "2026-04-03")
    s.final_tenders(p, UNIT, s.TENDERERS, {t: 70 - 5 * i for i, t in enumerate(s.TENDERERS)})
    s.decide(p, UNIT, orderers)
    s.serve(p, UNIT)
    return orderers


def test_a_correction_request_at_national_level_is_decided_and_the_decision_corrected(
        procurement: Procurement) -> None:
    p = procurement
    national = _served_decision_of_a_small_joint_unit(p, 150_000)
    assert p.data["procurement_level"] == "national" and p.data["standstill_applies"] is False
    # no standstill at national level: the contract could be signed, but a correction request still comes in
    assert p.open_elements() == ["sign_contract"]
    [served] = [d for d in p.data["served_decisions"] if d["party"] == "uraverkko"]
    assert served["instructions"] == "correction_request_and_market_court"
    p.clock.set("2026-06-12")
    p.message("correction_request", {"requester": "uraverkko", "claim": "Vertailuvirhe"}, UNIT)
    assert p.open_elements() == ["handle_correction_request"]
    p.complete(UNIT, "handle_correction_request", {"correction_outcome": "decision_corrected",
                                                   "correction_document": "HO-3",
                                                   "correction_reasoning": "Vertailu tehdään uudelleen."})
    assert p.open_elements() == ["draft_decision"]
    s.decide(p, UNIT, national, on="2026-06-15")
    s.serve(p, UNIT, served_on="2026-06-16")
    assert p.open_elements() == ["sign_contract"]
    kinds = [d["kind"] for d in p.data["served_decisions"] if d["party"] == "uraverkko"]
    assert kinds == ["procurement_decision", "correction_decision", "procurement_decision"]


def test_below_the_national_threshold_there_is_no_market_court_appeal(procurement: Procurement) -> None:
    p = procurement
    _served_decision_of_a_small_joint_unit(p, 50_000)
    assert p.data["procurement_level"] == "below_national"
    served = p.data["served_decisions"][0]
    assert served["instructions"] == "correction_request_and_administrative_procedure"
    assert served["appeal_period_ends"] is None and served["market_court_appeal_open"] is False
    with pytest.raises(ScriptFailed, match="no appeal to the Market Court"):
        p.message("market_court_appeal", {"appellant": "uraverkko"}, UNIT)
    p.message("correction_request", {"requester": "uraverkko"}, UNIT)
    assert p.open_elements() == ["handle_correction_request"]
