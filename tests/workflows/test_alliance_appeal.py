"""After the decision: a Market Court appeal or a correction request holds the contract until resolved."""

from __future__ import annotations

from tests.workflows import scenario as s
from tests.workflows.driver import Procurement

UNIT = "kainuu.procurement"


def decided(p: Procurement) -> None:
    s.through_evaluation(p)
    s.decide(p, UNIT, s.JOINED)
    s.serve(p, UNIT)
    assert [t.element_id for t in p.view.timers] == ["standstill_over"]


def test_a_market_court_appeal_holds_the_contract_until_the_ruling(procurement: Procurement) -> None:
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
    p.message("market_court_ruling", {"outcome": "dismissed", "ruling": "MAO 456/2026"}, UNIT)
    assert p.open_elements() == ["sign_contract"]
    assert p.data["market_court_appeal"]["appellant"] == "yrityspolku"
    assert p.data["market_court_ruling"]["outcome"] == "dismissed"
    s.sign(p, UNIT, signed_on="2026-10-01")
    assert p.data["contract"]["award_notice_due"] == "2026-11-02"      # 31.10. is All Saints' Day (Saturday)


def test_an_annulled_decision_is_made_again(procurement: Procurement) -> None:
    p = procurement
    decided(p)
    p.message("market_court_appeal", {"appellant": "uraverkko"}, UNIT)
    p.message("market_court_ruling", {"outcome": "annulled"}, UNIT)
    assert p.open_elements() == ["draft_decision"]


def test_a_correction_request_holds_the_contract_until_it_is_handled(procurement: Procurement) -> None:
    p = procurement
    decided(p)
    p.clock.set("2026-06-10")
    p.message("correction_request", {"requester": "uraverkko", "claim": "Pisteytysvirhe"}, UNIT)
    assert p.view.timers == ()
    assert p.open_elements() == ["handle_correction_request"]
    assert p.who_sees("handle_correction_request") == s.users(s.JOINED, "procurement_unit")
    assert p.fire_timers("2026-06-23", 8) == 0                      # held: nothing to fire
    p.complete(UNIT, "handle_correction_request", {"correction_outcome": "rejected",
                                                   "correction_reasoning": "Pisteytys oli oikein."})
    # back in the standstill, which ended on 22.6. meanwhile: the contract may be signed now
    assert p.open_elements() == ["sign_contract"]


def test_a_correction_request_rejected_within_the_standstill_waits_for_its_end(procurement: Procurement) -> None:
    p = procurement
    decided(p)
    p.clock.set("2026-06-10")
    p.message("correction_request", {"requester": "uraverkko"}, UNIT)
    p.complete(UNIT, "handle_correction_request", {"correction_outcome": "rejected",
                                                   "correction_reasoning": "Ei virhettä."})
    [timer] = p.view.timers
    assert timer.due_at.isoformat() == "2026-06-22T21:00:00+00:00"
    assert p.fire_timers("2026-06-22", 20) == 0
    assert p.fire_timers("2026-06-23", 8) == 1
    assert p.open_elements() == ["sign_contract"]


def test_a_corrected_decision_is_served_again(procurement: Procurement) -> None:
    p = procurement
    decided(p)
    p.message("correction_request", {"requester": "uraverkko"}, UNIT)
    p.complete(UNIT, "handle_correction_request", {"correction_outcome": "decision_corrected",
                                                   "correction_reasoning": "Laskuvirhe korjataan."})
    assert p.open_elements() == ["draft_decision"]
    s.decide(p, UNIT, s.JOINED, on="2026-06-25")
    s.serve(p, UNIT, served_on="2026-06-26")
    [timer] = p.view.timers                                            # a new standstill from the new service
    assert timer.due_at.isoformat() == "2026-07-10T21:00:00+00:00"
