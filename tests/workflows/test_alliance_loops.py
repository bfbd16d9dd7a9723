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


def test_a_settlement_that_is_not_approved_is_reported_again(awarded: Procurement) -> None:
    p = awarded
    parties, shares = s.JOINED + ["vaara-osaamis"], "kainuu: 50, kajaani: 25, sotkamo: 25"
    s.develop(p, parties, shares)
    s.agree_implementation(p, parties, shares)
    s.agree_period(p, parties, "2026-09-01", "2027-08-31", last=True)
    assert p.fire_timers("2027-09-01", 8) == 1
    s.report(p, "vaara-osaamis", 990_000)
    s.positions(p, parties, rejecting={"kajaani": "Erällä KP-2 ei ole tositetta."})
    assert p.open_elements() == ["report_costs"]           # the cost items are reported again
    assert p.data["period_results"] == []
    assert p.data["joint_decision"]["rejections"] == [{"organisation": "kajaani",
                                                       "reasons": "Erällä KP-2 ei ole tositetta."}]
    s.report(p, "vaara-osaamis", 985_000)
    s.positions(p, parties)
    assert p.open_elements() == ["propose_close_out"]
    assert [(r["period"], r["actual_cost"]) for r in p.data["period_results"]] == [(1, 985000.0)]
