"""The whole life cycle through the engine: joint procurement unit, two negotiation rounds with one
tenderer dropped, award without appeal (the standstill ends on Midsummer Eve and moves to the next
working day), development phase, every party commits, two implementation periods, close-out."""

from __future__ import annotations

from tests.workflows import scenario as s
from tests.workflows.driver import Procurement

JOINED = ["kainuu", "kajaani", "sotkamo", "kuhmo"]
TENDERERS = ["vaara-osaamis", "yrityspolku", "uraverkko"]
UNIT_USER = "kainuu.procurement"


def test_joint_unit_two_rounds_award_development_implementation_close_out(procurement: Procurement) -> None:
    p = procurement
    s.start(p, candidates=["kajaani", "sotkamo", "kuhmo", "paltamo"])
    s.decide_joining(p, {"kajaani": True, "sotkamo": True, "kuhmo": True, "paltamo": False})
    assert p.data["orderers"] == JOINED
    assert p.data["declined_municipalities"] == ["paltamo"]
    s.assess_and_vote(p, {o: True for o in JOINED})
    assert p.tasks("paltamo.orderer") == []          # a municipality that declined has no tasks
    s.joint_unit(p, JOINED)

    # EU-level services: the Act's minimum periods and the standstill apply (DMN alliance_rules)
    assert p.data["procurement_level"] == "eu" and p.data["regime"] == "standard"
    assert p.data["minimum_periods_apply"] is True and p.data["standstill_applies"] is True
    assert p.data["thresholds"]["eu"] == 216000
    # a joint unit: every joining orderer's procurement people get the procurement tasks
    assert p.who_sees("record_procedure_ground") == s.users(JOINED, "procurement_unit")
    s.publish_notice(p, UNIT_USER)
    assert p.open_elements() == []
    assert [t.element_id for t in p.view.timers] == ["participation_period"]
    assert p.fire_timers("2026-02-16", 20) == 0                                 # still open on the last day
    s.select_candidates(p, UNIT_USER, s.PRODUCERS, TENDERERS, TENDERERS)
    assert p.data["locked_terms"]["staged_reduction"] is True and len(p.data["locked_terms"]["digest"]) == 64
    assert p.data["participation_period"]["earliest_last_day"] == "2026-02-16"   # 14.2. is a Saturday
    assert p.data["selection"]["excluded"] == ["oulujarven-kehitys"]
    assert p.open_elements() == ["send_invitations"]                          # three invited: no justification
    s.invite(p, UNIT_USER)
    assert p.data["initial_tender_period"]["minimum_days"] == 25              # electronic tenders
    s.initial_tenders(p, TENDERERS)
    assert p.data["tenderers"] == TENDERERS

    # round 1: everyone negotiates, uraverkko is dropped by the published criteria
    s.negotiation_round(p, UNIT_USER, TENDERERS, "2026-04-02", "2026-03-30", "2026-04-03",
                        drop={"uraverkko": "Heikoin kyvykkyys allianssityöhön vertailuperusteiden mukaan."},
                        another=True)
    assert p.data["negotiation_round"] == 2
    assert p.data["tenderers"] == ["vaara-osaamis", "yrityspolku"]
    assert [d["organisation"] for d in p.data["dropped_tenderers"]] == ["uraverkko"]
    # round 2: only the remaining tenderers are asked; the dropped one sees nothing more
    s.negotiation_round(p, UNIT_USER, TENDERERS[:2], "2026-04-21", "2026-04-15", "2026-04-22")
    assert p.tasks("uraverkko.tenderer") == []
    s.final_tenders(p, UNIT_USER, TENDERERS[:2], {"vaara-osaamis": 70, "yrityspolku": 60})
    assert [r["organisation"] for r in p.data["ranking"]] == ["vaara-osaamis", "yrityspolku"]
    assert p.data["winner"] == "vaara-osaamis"
    kinds = [c["kind"] for c in p.data["communications"]]
    assert kinds == ["invitation", "information", "information", "invitation"]

    # the joint unit decides unanimously; the decision is served on 5.6.2026
    s.decide(p, UNIT_USER, JOINED)
    s.serve(p, UNIT_USER)
    assert p.open_elements() == []
    [standstill] = p.view.timers
    # 5.6. + 14 days = Midsummer Eve 19.6.2026 -> the next working day, Monday 22.6.; it runs out at midnight
    assert standstill.element_id == "standstill_over"
    assert standstill.due_at.isoformat() == "2026-06-22T21:00:00+00:00"
    assert p.fire_timers("2026-06-22", 12) == 0
    assert p.who_sees("sign_contract") == set()
    assert p.fire_timers("2026-06-23", 8) == 1
    assert p.data["decision_service"]["standstill_ends"] == "2026-06-22"
    assert p.who_sees("sign_contract") == s.users(JOINED, "procurement_unit")
    s.sign(p, UNIT_USER)
    assert p.data["contract"] == {"signed_on": "2026-06-23", "signed_at": "2026-06-23T06:00:01+00:00",
                                  "contractor": "vaara-osaamis", "award_notice_due": "2026-07-23"}
    assert p.data["award_notice"]["late"] is False

    # development phase and exit gate: the steering group is the orderers and the contractor
    parties = JOINED + ["vaara-osaamis"]
    assert p.data["alliance_parties"] == parties
    shares = "kainuu: 40, kajaani: 30, sotkamo: 20, kuhmo: 10"
    s.develop(p, parties, shares)
    assert p.data["exit_gate_result"]["all_commit"] is True and p.data["exit_gate_result"]["exited"] == []
    assert p.data["orderer_shares"] == {"kainuu": 40.0, "kajaani": 30.0, "sotkamo": 20.0, "kuhmo": 10.0}
    s.agree_implementation(p, parties, shares)

    # two contract periods: a gain, then a pain, shared 50:50
    assert p.who_sees("propose_period") == s.users(parties, "steering_group")
    s.contract_period(p, "vaara-osaamis", "2026-09-01", "2027-08-31", "2027-09-01", 950_000, True)
    s.contract_period(p, "vaara-osaamis", "2027-09-01", "2028-08-31", "2028-09-01", 1_100_000, False)
    first, second = p.data["period_results"]
    assert (first["outcome"], first["producer_share"], first["fee"]) == ("gain", 25000.0, 66500.0)
    assert (second["outcome"], second["producer_share"], second["orderers_share"]) == ("pain", -50000.0, -50000.0)
    assert sum(second["per_orderer"].values()) == second["producer_payment"]

    assert p.who_sees("propose_close_out") == s.users(parties, "steering_group")
    s.close_out(p, parties)
    final = p.view
    assert final.status == "completed" and final.open_tasks == ()
    assert final.data["outcome"] == "closed"
    assert final.data["closeout"]["periods"] == 2
    assert final.data["closeout"]["producer_payment"] == first["producer_payment"] + second["producer_payment"]
    assert p.engine.verify(p.instance_id).ok
    replay = p.engine.replay(p.instance_id)                  # the command log rebuilds the same states
    assert replay.consistent, (replay.error, replay.first_difference)
