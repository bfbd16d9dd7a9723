"""Issue 9's safeguards, each through the real diagrams: dates from the clock, a decision for every party
concerned, discontinuation, the value re-confirmed, award on initial tenders, weighted points, and
organisations chosen from the directory or registered with a checked y-tunnus."""

from __future__ import annotations

import pytest

from engine import FormInvalid, ScriptFailed
from tests.workflows import scenario as s
from tests.workflows.driver import Procurement

UNIT = "kainuu.procurement"
NOTICE = {k: v for k, v in s.NOTICE.items() if k not in ("procedure_ground", "ground_justification")}


def through_ground(p: Procurement) -> None:
    s.through_strategy(p)
    s.joint_unit(p, s.JOINED)
    p.complete(UNIT, "record_procedure_ground", {"procedure_ground": "34_1_3", "ground_justification": "Riskit."})


def publish(p: Procurement) -> None:
    p.clock.set("2026-01-15")
    p.complete(UNIT, "publish_contract_notice", NOTICE)


def test_a_notice_cannot_be_back_dated(procurement: Procurement) -> None:
    """What was seen: a notice "sent" a month ago with a deadline tomorrow passed the 30-day check."""
    p = procurement
    through_ground(p)
    p.clock.set("2026-02-15")
    # a typed "sent on" a month back is not a field any more: it is ignored, the period counts from now
    with pytest.raises(ScriptFailed, match="at least 30 days from 2026-02-15"):
        p.complete(UNIT, "publish_contract_notice", {**NOTICE, "notice_sent_on": "2026-01-15",
                                                     "participation_deadline": "2026-02-16"})
    assert p.open_elements() == ["publish_contract_notice"] and not p.view.timers
    p.complete(UNIT, "publish_contract_notice", {**NOTICE, "participation_deadline": "2026-03-17"})
    assert p.data["notice_sent_at"].startswith("2026-02-15T07:00:0")    # the command's own time
    assert p.data["participation_period"]["sent_on"] == "2026-02-15"
    assert p.data["participation_period"]["earliest_last_day"] == "2026-03-17"


def test_a_deadline_in_the_past_is_refused(procurement: Procurement) -> None:
    """What was seen: a past deadline was accepted and the tendering closed at once as "no tenders"."""
    p = procurement
    through_ground(p)
    p.clock.set("2026-01-15")
    with pytest.raises(ScriptFailed, match="must be after the day it was sent, 2026-01-15"):
        p.complete(UNIT, "publish_contract_notice", {**NOTICE, "participation_deadline": "2026-01-10"})
    publish(p)
    s.select_candidates(p, UNIT, s.TENDERERS, s.TENDERERS, s.TENDERERS)
    p.clock.set("2026-02-20")
    with pytest.raises(ScriptFailed, match="must be after the day it was sent, 2026-02-20"):
        p.complete(UNIT, "send_invitations", {"initial_tenders_deadline": "2026-02-19", "invitation_reference": "T"})
    assert p.open_elements() == ["send_invitations"] and not p.view.timers
    assert p.view.status == "running"


def test_a_bad_organisation_list_is_refused_at_its_field(procurement: Procurement) -> None:
    """What was seen: `Yrityspolku Oy, foo` was accepted, and the next step failed forever."""
    p = procurement
    through_ground(p)
    publish(p)
    assert p.fire_timers("2026-02-17", 8) == 1
    with pytest.raises(FormInvalid) as refused:
        p.complete(UNIT, "register_requests", {"applicants": "Yrityspolku Oy, foo"})
    assert "Unknown organisation: Yrityspolku Oy, foo" in refused.value.errors["applicants"][0]
    with pytest.raises(FormInvalid) as refused:
        p.complete(UNIT, "register_requests", {"applicants": ["kajaani"]})      # a municipality is no applicant
    assert "Not a choice here: kajaani" in refused.value.errors["applicants"][0]
    with pytest.raises(FormInvalid) as refused:
        p.complete(UNIT, "register_requests", {"applicants": ["yrityspolku"],
                                               "new_applicants": "Uusi Osaaja Oy, 0112038-8"})
    assert "check digit" in refused.value.errors["new_applicants"][0]
    assert p.open_elements() == ["register_requests"]                       # nothing was stored
    p.complete(UNIT, "register_requests", {"applicants": ["yrityspolku", "uraverkko"],
                                           "new_applicants": "Uusi Osaaja Oy, 0112038-9"})
    assert p.data["registered_organisations"] == [
        {"id": "y-0112038-9", "name": "Uusi Osaaja Oy", "business_id": "0112038-9"}]
    p.complete(UNIT, "qualify_candidates", {
        "suitable_candidates": ["yrityspolku", "uraverkko", "y-0112038-9"],
        "invited_candidates": ["yrityspolku", "uraverkko", "y-0112038-9"], "selection_report": "Kaikki soveltuvat."})
    assert p.data["tenderers"] == ["yrityspolku", "uraverkko", "y-0112038-9"]
    assert p.open_elements() == ["send_invitations"]


def test_an_excluded_candidate_and_a_dropped_tenderer_each_receive_a_decision(procurement: Procurement) -> None:
    p = procurement
    through_ground(p)
    publish(p)
    applicants = s.TENDERERS + ["oulujarven-kehitys"]
    assert p.fire_timers("2026-02-17", 8) == 1
    p.complete(UNIT, "register_requests", {"applicants": applicants})
    p.complete(UNIT, "qualify_candidates", {"suitable_candidates": s.TENDERERS, "invited_candidates": s.TENDERERS,
                                            "selection_report": "Oulujärven Kehitys ei täytä vaatimuksia."})
    assert p.open_elements() == ["serve_exclusion_decisions"]
    p.clock.set("2026-02-18")
    s.serve_exclusions(p, UNIT, by_post=True)
    [excluded] = p.data["served_decisions"]
    assert excluded == {
        "kind": "exclusion", "party": "oulujarven-kehitys", "party_name": "Oulujärven Kehitys Osk", "level": "eu",
        "instructions": "correction_request_and_market_court", "instructions_label": excluded["instructions_label"],
        "instructions_label_en": excluded["instructions_label_en"], "market_court_appeal_open": True,
        "document": "PP-1", "sent_at": "2026-02-18T07:00:01+00:00", "served_by_post": True,
        # § 126: by post it counts as received on the 7th day; both periods run 14 days from then
        "received_on": "2026-02-25", "correction_period_ends": "2026-03-11", "appeal_period_ends": "2026-03-11"}
    s.invite(p, UNIT)
    s.initial_tenders(p, s.TENDERERS)
    p.clock.set("2026-03-20")
    s.negotiation_round(p, UNIT, s.TENDERERS, "2026-04-02", "2026-03-30", "2026-04-03",
                        drop={"uraverkko": "Heikoin kyvykkyys julkaistujen perusteiden mukaan."})
    dropped = [d for d in p.data["served_decisions"] if d["kind"] == "dropped_in_round"]
    assert [(d["party"], d["level"], d["instructions"], d["received_on"]) for d in dropped] == [
        ("uraverkko", "eu", "correction_request_and_market_court", "2026-04-03")]
    # the procurement decision goes to those still in the procedure, not again to those already decided on
    s.final_tenders(p, UNIT, ["vaara-osaamis", "yrityspolku"], {"vaara-osaamis": 70, "yrityspolku": 65})
    s.decide(p, UNIT, s.JOINED)
    s.serve(p, UNIT)
    assert p.data["decision_served_to"] == ["vaara-osaamis", "yrityspolku"]


def test_a_discontinuation_from_the_decision_stage_ends_the_procurement_with_its_decision(
        procurement: Procurement) -> None:
    p = procurement
    s.through_evaluation(p)
    p.clock.set("2026-05-20")
    p.complete(UNIT, "draft_decision", {"decision_kind": "discontinue", "decision_date": "2026-05-19",
                                        "decision_reasoning": "Tarjoukset ylittävät käytettävissä olevan budjetin."})
    for org in s.JOINED:                                     # a joint unit decides unanimously here too
        p.complete(f"{org}.procurement", "approve_decision", {"approves": True})
    assert p.open_elements() == ["serve_discontinuation"]
    p.complete(UNIT, "serve_discontinuation", {"discontinuation_document": "KP-9",
                                               "discontinuation_notice_id": "2026-099", "served_by_post": False})
    final = p.view
    assert final.status == "completed" and final.data["outcome"] == "discontinued"
    assert final.data["discontinuation"]["reasons"].startswith("Tarjoukset ylittävät")
    served = [(d["kind"], d["party"]) for d in final.data["served_decisions"]]
    assert served == [("discontinuation", t) for t in s.TENDERERS]
    assert final.data["discontinuation_notice"]["published_at"].startswith("2026-05-20T06:00:")


def test_a_discontinuation_while_the_participation_period_runs(procurement: Procurement) -> None:
    p = procurement
    through_ground(p)
    publish(p)
    assert [t.element_id for t in p.view.timers] == ["participation_period"]
    p.clock.set("2026-01-30")
    p.message("discontinuation", {"reason": "Rahoitus peruuntui."}, UNIT)
    assert p.view.timers == () and p.open_elements() == ["draft_decision"]
    with pytest.raises(ScriptFailed, match="can only be discontinued"):
        p.complete(UNIT, "draft_decision", {"decision_kind": "award", "decision_date": "2026-01-30",
                                            "decision_reasoning": "?"})
    p.complete(UNIT, "draft_decision", {"decision_kind": "discontinue", "decision_date": "2026-01-30",
                                        "decision_reasoning": "Rahoitus peruuntui."})
    for org in s.JOINED:
        p.complete(f"{org}.procurement", "approve_decision", {"approves": True})
    p.complete(UNIT, "serve_discontinuation", {"discontinuation_document": "KP-1",
                                               "discontinuation_notice_id": "2026-010", "served_by_post": False})
    final = p.view
    assert final.data["outcome"] == "discontinued" and final.data["served_decisions"] == []   # nobody applied yet
    assert final.data["discontinuation_notice"]["notice_id"] == "2026-010"


def test_a_discontinuation_during_the_standstill(procurement: Procurement) -> None:
    p = procurement
    s.through_evaluation(p)
    s.decide(p, UNIT, s.JOINED)
    s.serve(p, UNIT)
    p.clock.set("2026-06-10")
    p.message("discontinuation", {}, UNIT)
    assert p.view.timers == () and p.open_elements() == ["draft_decision"]
    p.complete(UNIT, "draft_decision", {"decision_kind": "discontinue", "decision_date": "2026-06-10",
                                        "decision_reasoning": "Hankinnan tarve muuttui olennaisesti."})
    for org in s.JOINED:
        p.complete(f"{org}.procurement", "approve_decision", {"approves": True})
    p.complete(UNIT, "serve_discontinuation", {"discontinuation_document": "KP-2",
                                               "discontinuation_notice_id": "2026-011", "served_by_post": True})
    final = p.view
    assert final.data["outcome"] == "discontinued"
    assert [(d["kind"], d["party"], d["received_on"]) for d in final.data["served_decisions"]
            if d["kind"] == "discontinuation"] == [("discontinuation", t, "2026-06-17") for t in s.TENDERERS]


def test_a_decision_in_the_future_is_refused(procurement: Procurement) -> None:
    p = procurement
    s.through_evaluation(p)
    p.clock.set("2026-05-20")
    with pytest.raises(ScriptFailed, match="is in the future"):
        p.complete(UNIT, "draft_decision", {"decision_kind": "award", "decision_date": "2026-05-21",
                                            "decision_reasoning": "?"})


def test_three_of_eight_municipalities_joining_re_derives_the_threshold_level(procurement: Procurement) -> None:
    p = procurement
    s.start(p, value=400_000)                                # estimated for all eight: EU level
    s.decide_joining(p, {m: m in ("kajaani", "sotkamo", "kuhmo") for m in s.MUNICIPALITIES})
    joined = ["kainuu", "kajaani", "sotkamo", "kuhmo"]
    s.assess_and_vote(p, {o: True for o in joined})
    s.joint_unit(p, joined, value=150_000)                   # re-confirmed for the three: national level
    assert p.data["procurement_level"] == "national"
    assert (p.data["minimum_periods_apply"], p.data["standstill_applies"]) == (False, False)
    reassessment = p.data["value_reassessment"]
    assert reassessment["initial_value"] == 400_000 and reassessment["confirmed_value"] == 150_000
    assert (reassessment["initial_level"], reassessment["level"], reassessment["level_changed"]) == (
        "eu", "national", True)
    assert reassessment["orderers"] == joined
    assert reassessment["rules"] == {"procurement_level": "national", "regime": "standard",
                                     "minimum_periods_apply": False, "standstill_applies": False}


def test_an_award_on_the_initial_tenders_when_the_notice_reserved_it(procurement: Procurement) -> None:
    p = procurement
    s.through_strategy(p)
    s.joint_unit(p, s.JOINED)
    s.publish_notice(p, UNIT, award_on_initial_reserved=True)
    assert p.data["locked_terms"]["award_on_initial_reserved"] is True
    s.select_candidates(p, UNIT, s.TENDERERS, s.TENDERERS, s.TENDERERS)
    s.invite(p, UNIT)
    s.initial_tenders(p, s.TENDERERS)
    assert p.open_elements() == ["decide_on_negotiation"]
    p.complete(UNIT, "decide_on_negotiation", {"award_basis_choice": "initial_tenders",
                                               "award_basis_reasoning": "Alustavat tarjoukset ovat riittäviä."})
    assert p.data["award_basis"] == "initial_tenders"
    assert sorted(p.tasks(UNIT, "evaluate_final_tender"), key=lambda t: t.id) and p.data["negotiation_round"] == 0
    s.evaluate(p, UNIT, {"vaara-osaamis": (6, 6, 6), "yrityspolku": (9, 7, 5), "uraverkko": (7, 7, 7)})
    assert p.data["winner"] == "yrityspolku"
    s.decide(p, UNIT, s.JOINED)
    s.serve(p, UNIT)
    assert p.fire_timers("2026-06-23", 8) == 1
    s.sign(p, UNIT)
    assert p.data["contractor_fee_percent"] == 8.0          # from the initial tender


def test_without_the_reservation_the_procedure_negotiates(procurement: Procurement) -> None:
    p = procurement
    s.through_strategy(p)
    s.joint_unit(p, s.JOINED)
    s.publish_notice(p, UNIT)
    s.select_candidates(p, UNIT, s.TENDERERS, s.TENDERERS, s.TENDERERS)
    s.invite(p, UNIT)
    s.initial_tenders(p, s.TENDERERS)
    assert p.open_elements() == ["plan_round"]


def test_points_are_computed_from_criterion_scores_and_weights(procurement: Procurement) -> None:
    p = procurement
    s.through_strategy(p)
    s.joint_unit(p, s.JOINED)
    s.publish_notice(p, UNIT)
    assert [(c["name"], c["weight"]) for c in p.data["locked_terms"]["award_criteria_weights"]] == [
        ("Kyvykkyys ja kirjalliset vastaukset", 50.0), ("Haastattelut ja allianssityöpajat", 30.0),
        ("Palkkio-% ja kustannuserät", 20.0)]
    s.select_candidates(p, UNIT, s.TENDERERS, s.TENDERERS, s.TENDERERS)
    s.invite(p, UNIT)
    s.initial_tenders(p, s.TENDERERS)
    s.negotiation_round(p, UNIT, s.TENDERERS, "2026-04-02", "2026-03-30", "2026-04-03")
    p.clock.set("2026-04-23")
    p.complete(UNIT, "request_final_tenders", {"final_tenders_deadline": "2026-05-07",
                                               "final_request_reference": "LT-1"})
    p.clock.set("2026-05-05")
    for org in s.TENDERERS:
        p.complete(f"{org}.tenderer", "submit_final_tender",
                   {"final_tender_reference": f"{org}-F", "fee_percent": 7.0, "cost_items_price": 120000})
    assert p.fire_timers("2026-05-08", 8) == 1
    [first] = p.tasks(UNIT, "evaluate_final_tender")[:1]
    with pytest.raises(FormInvalid):                         # scores are 0–10 at the field
        p.engine.complete_task(first.id, UNIT, {"score_1": 11, "score_2": 5, "score_3": 5})
    # 8 × 50 % + 6 × 30 % + 5 × 20 % = 68; 6 × 50 % + 9 × 30 % + 8 × 20 % = 73; a tie on 68 is ordered by
    # the heaviest criterion (capability)
    s.evaluate(p, UNIT, {"vaara-osaamis": (8, 6, 5), "yrityspolku": (6, 9, 8), "uraverkko": (6, 8, 7)})
    ranking = {r["organisation"]: r for r in p.data["ranking"]}
    assert [(r["organisation"], r["total"], r["rank"]) for r in p.data["ranking"]] == [
        ("yrityspolku", 73.0, 1), ("vaara-osaamis", 68.0, 2), ("uraverkko", 68.0, 3)]
    assert [pt["points"] for pt in ranking["vaara-osaamis"]["points"]] == [40.0, 18.0, 10.0]
    assert ranking["vaara-osaamis"]["tie"]["decided_by"] == "weighted_criteria"
    assert ranking["uraverkko"]["tie"]["with"] == ["vaara-osaamis"]
    assert p.data["winner"] == "yrityspolku"
