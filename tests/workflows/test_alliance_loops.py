"""Steps that go back: a joint unit that is not unanimous, a period result that is not approved."""

from __future__ import annotations

from tests.workflows import scenario as s
from tests.workflows.driver import Procurement

UNIT = "kainuu.procurement"


def test_a_joint_unit_that_is_not_unanimous_drafts_the_decision_again(procurement: Procurement) -> None:
    p = procurement
    s.through_evaluation(p)
    p.clock.set("2026-05-20")
    p.complete(UNIT, "draft_decision", {"decision_kind": "award", "decision_reasoning": "Edullisin.",
                                        "decision_date": "2026-05-20"})
    p.complete("kainuu.procurement", "approve_decision", {"approves": True})
    p.complete("kajaani.procurement", "approve_decision", {"approves": False, "approval_remarks": "Puutteet"})
    assert p.who_sees("approve_decision") == {"sotkamo.procurement"}     # each member votes for itself only
    p.complete("sotkamo.procurement", "approve_decision", {"approves": True})
    assert p.open_elements() == ["draft_decision"]
    assert p.data["decision_unanimous"] is False
    s.decide(p, UNIT, s.JOINED, on="2026-05-25")                          # the second round is unanimous
    assert p.open_elements() == ["serve_decision"]


def test_a_period_result_that_is_not_approved_is_reported_again(procurement: Procurement) -> None:
    p = procurement
    s.through_award(p)
    s.develop(p, s.JOINED + ["vaara-osaamis"], "kainuu: 50, kajaani: 25, sotkamo: 25")
    p.complete("kainuu.steering", "agree_period", {"period_target_cost": 1_000_000, "period_start": "2026-09-01",
                                                   "period_end": "2027-08-31"})
    assert p.fire_timers("2027-09-01", 8) == 1
    p.complete("vaara-osaamis.producer", "report_period", {
        "actual_cost": 990_000, "result_score": 60, "results_report": "Alustava", "open_book_reference": "AK-1"})
    p.complete("kajaani.steering", "approve_period", {"period_approved": False, "steering_group_minutes": "JR 5",
                                                      "next_period": True})
    assert p.open_elements() == ["report_period"]
    p.complete("vaara-osaamis.producer", "report_period", {
        "actual_cost": 985_000, "result_score": 70, "results_report": "Korjattu", "open_book_reference": "AK-1b"})
    p.complete("kajaani.steering", "approve_period", {"period_approved": True, "steering_group_minutes": "JR 6",
                                                      "next_period": False})
    assert p.open_elements() == ["close_out"]
    assert [(r["period"], r["actual_cost"]) for r in p.data["period_results"]] == [(1, 985000.0)]
