"""Strategy phase: each candidate municipality decides on joining; the orderers decide go / no-go
unanimously."""

from __future__ import annotations

from tests.workflows import scenario as s
from tests.workflows.driver import Procurement


def test_no_go_ends_the_procurement_in_the_strategy_phase(procurement: Procurement) -> None:
    p = procurement
    s.start(p, candidates=["kajaani", "sotkamo"])
    assert p.who_sees("decide_joining") == {"kajaani.council", "sotkamo.council"}
    assert p.tasks("kainuu.orderer") == []                 # the region does not decide on joining
    s.decide_joining(p, {"kajaani": True, "sotkamo": True})
    orderers = ["kainuu", "kajaani", "sotkamo"]
    # one orderer votes no-go: the decision is not unanimous
    s.assess_and_vote(p, {"kainuu": True, "kajaani": True, "sotkamo": False})
    final = p.view
    assert final.status == "completed" and final.open_tasks == ()
    assert final.data["outcome"] == "no_go"
    assert final.data["strategy_outcome"] == "no_go"
    assert final.data["orderers"] == orderers
    assert any("sotkamo" in reason for reason in final.data["strategy"]["reasons"])
    assert "procurement_unit" not in final.data
    for user in ("kainuu.procurement", "kajaani.procurement", "kainuu.orderer", "sotkamo.orderer"):
        assert p.tasks(user) == []


def test_a_legal_limit_that_does_not_hold_is_a_no_go_even_when_everyone_votes_go(procurement: Procurement) -> None:
    p = procurement
    s.start(p, candidates=["kajaani"])
    s.decide_joining(p, {"kajaani": True})
    p.complete("kajaani.orderer", "assess_alliance_model", {
        "alliance_model_suits": True, "suitability_assessment": "Sopii.",
        "organising_responsibility_stays": True, "no_public_tasks_to_producers": False,
        "competition_neutrality": True})
    p.complete_each("vote_go", ["kainuu.orderer", "kajaani.orderer"], {"go": True})
    assert p.view.data["outcome"] == "no_go"


def test_a_municipality_declines_and_the_rest_go_on(procurement: Procurement) -> None:
    p = procurement
    s.start(p, candidates=["kajaani", "sotkamo", "kuhmo"])
    # each council sees only its own municipality's decision
    for municipality in ("kajaani", "sotkamo", "kuhmo"):
        [task] = p.tasks(f"{municipality}.council")
        assert task.element_id == "decide_joining" and task.organisations == (municipality,)
    s.decide_joining(p, {"kajaani": True, "sotkamo": False, "kuhmo": True})
    orderers = ["kainuu", "kajaani", "kuhmo"]
    assert p.data["orderers"] == orderers
    assert p.data["declined_municipalities"] == ["sotkamo"]
    assert [(d["organisation"], d["joins"]) for d in p.data["municipality_decisions"]] == [
        ("kajaani", True), ("sotkamo", False), ("kuhmo", True)]
    # the municipality that declined takes no part from here on
    assert p.who_sees("assess_alliance_model") == s.users(orderers, "orderer")
    s.assess_and_vote(p, {o: True for o in orderers})
    assert p.data["strategy_outcome"] == "go"
    assert p.who_sees("choose_unit_model") == s.users(orderers, "orderer")
    s.joint_unit(p, orderers)
    assert p.who_sees("record_procedure_ground") == s.users(orderers, "procurement_unit")
    assert p.tasks("sotkamo.procurement") == [] and p.tasks("sotkamo.orderer") == []
