"""Joint, unanimous decisions through the real diagrams: every party records its own position on
one proposal; a rejection sends the proposal back with its reasons; a producer alone can neither
set a target cost, approve a period nor close out. Open books: the settlement is computed from
cost items (the producer's and an orderer's own production) and measured indicators."""

from __future__ import annotations

import pytest

from engine import NotAllowed, ScriptFailed
from tests.workflows import scenario as s
from tests.workflows.driver import Procurement

CONTRACTOR = "vaara-osaamis"
PARTIES = s.JOINED + [CONTRACTOR]
SHARES = "kainuu: 50, kajaani: 25, sotkamo: 25"
PRODUCER = f"{CONTRACTOR}.steering"


def others_refused(p: Procurement, user: str, element: str) -> None:
    """`user` cannot record a position for any other organisation: each attempt is refused and
    nothing is stored."""
    before = p.view
    others = [t for t in before.open_tasks if t.element_id == element and user.split(".")[0] not in t.organisations]
    assert others
    for task in others:
        with pytest.raises(NotAllowed):
            p.engine.complete_task(task.id, user, {"position": "approve", "reasons": "Hyväksyn kaikkien puolesta."})
    after = p.view
    assert after.version == before.version and after.open_tasks == before.open_tasks


def test_a_rejection_sends_the_proposal_back_and_a_producer_alone_decides_nothing(awarded: Procurement) -> None:
    p = awarded
    p.clock.set("2026-07-01")
    # the joint organisation: one rejection returns it for revision with the reasons shown
    p.complete(PRODUCER, "propose_organisation", {"proposed_joint_organisation": "Allianssitoimisto",
                                                  "proposed_steering_group_members": "Yksi kustakin"})
    s.positions(p, PARTIES, rejecting={"sotkamo": "Johtoryhmään myös asiakkaiden edustaja."})
    assert p.open_elements() == ["propose_organisation"]
    rejected = p.data["joint_decision"]
    assert rejected["passed"] is False
    assert [(x["organisation"], x["position"]) for x in rejected["positions"]] == [
        ("kainuu", "approve"), ("kajaani", "approve"), ("sotkamo", "reject"), (CONTRACTOR, "approve")]
    assert rejected["rejections"] == [{"organisation": "sotkamo", "reasons": "Johtoryhmään myös asiakkaiden edustaja."}]
    assert "joint_organisation" not in p.data["agreed"]
    p.complete("sotkamo.steering", "propose_organisation", {
        "proposed_joint_organisation": "Allianssitoimisto", "proposed_steering_group_members": "Yksi kustakin ja "
                                                                                             "asiakasedustaja"})
    assert p.data["proposal"]["round"] == 2
    s.positions(p, PARTIES)
    assert p.data["agreed"]["joint_organisation"]["steering_group_members"].endswith("asiakasedustaja")

    # the producer proposes a target cost of 1.5 M€ and approves it; it cannot answer for anyone else
    p.complete(PRODUCER, "propose_solution", {**s.SOLUTION, "proposed_target_cost": 1_500_000,
                                              "proposed_cost_shares": SHARES, "proposed_own_production": "kajaani"})
    s.confirm_limits(p, s.JOINED)
    p.complete(PRODUCER, "record_position", {"position": "approve", "reasons": "Kustannukset kasvavat."})
    others_refused(p, PRODUCER, "record_position")
    assert "target_cost" not in p.data
    for orderer in s.JOINED:
        p.complete(f"{orderer}.steering", "record_position", {"position": "reject", "reasons": "Liian korkea."})
    assert p.open_elements() == ["propose_solution"] and "target_cost" not in p.data
    p.complete("kainuu.steering", "propose_solution", {**s.SOLUTION, "proposed_cost_shares": SHARES,
                                                       "proposed_own_production": "kajaani"})
    s.confirm_limits(p, s.JOINED)
    s.positions(p, PARTIES)
    assert p.data["target_cost"] == 1_000_000 and p.data["own_production"] == ["kajaani"]

    # sotkamo set aside only 100 000 € for 2026: a period target that exceeds it is refused, naming it
    s.appropriations(p, s.JOINED, {"sotkamo": "2026; 100000\n2027; 300000\n2028; 300000"})
    s.exit_gate(p, PARTIES)
    s.agree_implementation(p, PARTIES, SHARES)
    before = p.view.version
    with pytest.raises(ScriptFailed, match=r"sotkamo \(250000\.00 € > 100000\.00 €\)"):
        p.complete("kainuu.steering", "propose_period", {
            "proposed_period_target_cost": 1_000_000, "proposed_period_start": "2026-09-01",
            "proposed_period_end": "2026-12-31", "proposed_last_period": True})
    assert p.view.version == before and p.open_elements() == ["propose_period"]
    s.agree_period(p, PARTIES, "2027-01-01", "2027-12-31", last=True)
    assert p.data["budget_use"]["sotkamo"] == {"2027": 250000.0}

    # the period's costs: the producer's items and kajaani's own production, each by its own users
    assert p.fire_timers("2028-01-01", 8) == 1
    assert p.who_sees("report_costs") == {f"{CONTRACTOR}.producer", "kajaani.producer"}
    with pytest.raises(NotAllowed):      # kajaani's own production cannot report the producer's costs
        p.engine.complete_task(p.task(f"{CONTRACTOR}.producer", "report_costs").id, "kajaani.producer",
                               {"cost_items": "x; 1; y", "results_report": "x"})
    p.complete(f"{CONTRACTOR}.producer", "report_costs", {
        "cost_items": "henkilöstö; 600000; KP-1\nmuut kulut; 200000; KP-2", "results_report": "Raportti"})
    p.complete("kajaani.producer", "report_costs", {"cost_items": "oma henkilöstö; 150000; OMA-1",
                                                    "results_report": "Oma tuotanto"})
    p.complete(f"{CONTRACTOR}.producer", "measure_results", {
        "kpi_values": "työllistyneet; 150\nuudet yritykset; 60", "measurement_evidence": "Tilastot 2027"})

    # the settlement is computed before anyone approves it, and equals the hand-computed example:
    # actual 800 000 + 150 000 = 950 000 €; fee 7 % of the producer's 800 000 = 56 000 €;
    # gain 1 000 000 - 950 000 = 50 000 €, half to the producer = 25 000 €;
    # score 60 × 150/200 + 40 × min(60/50, 1) = 85 %, bonus 85 % of 40 000 = 34 000 €;
    # payment 800 000 + 56 000 + 25 000 + 34 000 = 915 000 €, split 50/25/25 %
    result = p.data["proposal"]["content"]
    assert p.data["proposal"]["subject"] == "period_settlement"
    assert (result["actual_cost"], result["producer_cost"], result["own_production"]) == (
        950000.0, 800000.0, {"kajaani": 150000.0})
    assert (result["fee"], result["difference"], result["producer_share"], result["orderers_share"]) == (
        56000.0, 50000.0, 25000.0, 25000.0)
    assert (result["result_score"], result["result_bonus"], result["producer_payment"]) == (85.0, 34000.0, 915000.0)
    assert result["per_orderer"] == {"kainuu": 457500.0, "kajaani": 228750.0, "sotkamo": 228750.0}
    assert result["per_orderer_total"]["kajaani"] == 378750.0
    assert [i["party"] for i in result["cost_items"]] == [CONTRACTOR, CONTRACTOR, "kajaani"]

    # the producer cannot approve the period for the orderers
    p.complete(PRODUCER, "record_position", {"position": "approve", "reasons": "Oikein laskettu."})
    others_refused(p, PRODUCER, "record_position")
    assert p.data["period_results"] == []
    for orderer in s.JOINED:
        p.complete(f"{orderer}.steering", "record_position", {"position": "approve", "reasons": "Tarkastettu."})
    assert [r["producer_payment"] for r in p.data["period_results"]] == [915000.0]

    # nor close the alliance out alone
    p.complete(PRODUCER, "propose_close_out", {"closeout_report": "Päätetään."})
    p.complete(PRODUCER, "record_position", {"position": "approve", "reasons": "Valmis."})
    others_refused(p, PRODUCER, "record_position")
    assert p.view.status == "running"
    for orderer in s.JOINED:
        p.complete(f"{orderer}.steering", "record_position", {"position": "approve", "reasons": "Valmis."})
    final = p.view
    assert final.status == "completed" and final.data["outcome"] == "closed"
    assert final.data["closeout"]["producer_payment"] == 915000.0
    # the audit log shows each party's position, by whom it was recorded
    recorded = [(e.actor, e.payload["data"]["position"]) for e in p.engine.history(p.instance_id)
                if e.type == "task_completed" and e.payload.get("element_id") == "record_position"]
    assert (PRODUCER, "approve") in recorded and ("sotkamo.steering", "reject") in recorded
    assert p.engine.replay(p.instance_id).consistent


def test_a_no_on_the_legal_limits_stops_the_decision_with_its_reason(awarded: Procurement) -> None:
    p = awarded
    p.clock.set("2026-07-01")
    p.complete("kainuu.steering", "propose_organisation", {"proposed_joint_organisation": "Toimisto",
                                                           "proposed_steering_group_members": "Yksi kustakin"})
    s.positions(p, PARTIES)
    p.complete("kainuu.steering", "propose_solution", {**s.SOLUTION, "proposed_cost_shares": SHARES})
    s.confirm_limits(p, s.JOINED, broken={"kajaani": "Tuottaja tekisi viranomaispäätöksiä."})
    assert p.who_sees("record_position") == set()              # no positions are asked on a broken limit
    assert p.open_elements() == ["propose_solution"]
    [failure] = p.data["joint_decision"]["legal_failures"]
    assert failure["organisation"] == "kajaani" and failure["reasons"] == "Tuottaja tekisi viranomaispäätöksiä."
