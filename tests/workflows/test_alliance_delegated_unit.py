"""A delegated procurement unit: the other orderers authorise one of them, and from then on only the
authorised orderer's people get the procurement tasks."""

from __future__ import annotations

import pytest

from engine import NotAllowed, ScriptFailed
from tests.workflows import scenario as s
from tests.workflows.driver import Procurement

ORDERERS = ["kainuu", "kajaani", "sotkamo"]


def test_only_the_authorised_orderers_users_get_procurement_tasks(procurement: Procurement) -> None:
    p = procurement
    s.through_strategy(p, ORDERERS)
    s.delegated_unit(p, ORDERERS, lead="kajaani")
    assert p.data["unit_model"] == "delegated"
    assert [(g["organisation"], g["grants_mandate"]) for g in p.data["mandate_grants"]] == [
        ("kainuu", True), ("sotkamo", True)]

    assert p.who_sees("record_procedure_ground") == {"kajaani.procurement"}
    task = p.tasks("kajaani.procurement", "record_procedure_ground")[0]
    with pytest.raises(NotAllowed):          # another orderer's procurement people may not act
        p.engine.complete_task(task.id, "kainuu.procurement", {"procedure_ground": "34_1_3",
                                                               "ground_justification": "x"})
    s.publish_notice(p, "kajaani.procurement")
    s.select_candidates(p, "kajaani.procurement", s.TENDERERS, s.TENDERERS, s.TENDERERS)
    assert p.who_sees("send_invitations") == {"kajaani.procurement"}
    s.invite(p, "kajaani.procurement")
    s.initial_tenders(p, s.TENDERERS)
    s.negotiation_round(p, "kajaani.procurement", s.TENDERERS, "2026-04-02", "2026-03-30", "2026-04-03")
    s.final_tenders(p, "kajaani.procurement", s.TENDERERS, {"vaara-osaamis": 60, "yrityspolku": 80,
                                                            "uraverkko": 50})
    assert p.data["winner"] == "yrityspolku"
    # the authorised orderer decides alone: no unanimous approval round
    s.decide(p, "kajaani.procurement", ["kajaani"])
    assert p.who_sees("serve_decision") == {"kajaani.procurement"}
    s.serve(p, "kajaani.procurement")
    assert p.fire_timers("2026-06-23", 8) == 1
    assert p.who_sees("sign_contract") == {"kajaani.procurement"}
    s.sign(p, "kajaani.procurement")
    assert p.data["contractor"] == "yrityspolku"
    # the steering group is every orderer and the producer again
    assert p.who_sees("propose_organisation") == s.users(ORDERERS + ["yrityspolku"], "steering_group")


def test_a_refused_mandate_sends_the_orderers_back_to_choose(procurement: Procurement) -> None:
    p = procurement
    s.through_strategy(p, ORDERERS)
    p.complete("kainuu.orderer", "choose_unit_model", {
        "unit_model": "delegated", "lead_orderer": "kajaani", "unit_reasoning": "Kajaani hoitaa."})
    p.complete("kainuu.orderer", "grant_mandate", {"grants_mandate": True, "mandate_reference": "A"})
    p.complete("sotkamo.orderer", "grant_mandate", {"grants_mandate": False, "mandate_reference": "B"})
    assert p.open_elements() == ["choose_unit_model"]
    s.joint_unit(p, ORDERERS)


def test_the_authorised_orderer_must_be_a_joining_orderer(procurement: Procurement) -> None:
    p = procurement
    s.through_strategy(p, ORDERERS)
    with pytest.raises(ScriptFailed, match="paltamo"):
        p.complete("kainuu.orderer", "choose_unit_model", {
            "unit_model": "delegated", "lead_orderer": "paltamo", "unit_reasoning": "?"})
    assert p.open_elements() == ["choose_unit_model"]          # nothing was stored
