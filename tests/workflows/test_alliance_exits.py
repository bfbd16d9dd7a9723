"""Exit rights, per party: every party at the exit gate, the orderers during development and
implementation. An exit is bound to the organisation of the user who records it; an exit during a
period closes it at the exit date and its costs are reported and settled; the leaver's share is
re-divided only by a joint decision of those who remain."""

from __future__ import annotations

import pytest

from engine import NotAllowed, ScriptFailed
from tests.workflows import scenario as s
from tests.workflows.driver import Procurement

CONTRACTOR = "vaara-osaamis"
PARTIES = s.JOINED + [CONTRACTOR]
REMAINING = ["kainuu", "kajaani", CONTRACTOR]
SHARES = "kainuu: 50, kajaani: 30, sotkamo: 20"
ORIGINAL_SHARES = {"kainuu": 50.0, "kajaani": 30.0, "sotkamo": 20.0}


def test_at_the_exit_gate_one_party_leaves_and_the_rest_go_on(awarded: Procurement) -> None:
    p = awarded
    s.develop(p, PARTIES, SHARES, commits={"sotkamo": False})
    gate = p.data["exit_gate_result"]
    assert gate["exited"] == ["sotkamo"] and gate["alliance_can_continue"] is True
    # the rest decide jointly; the leaver is out of the decision and its share is not yet re-divided
    assert p.open_elements() == ["propose_continuation"]
    assert p.who_sees("propose_continuation") == s.users(REMAINING, "steering_group")
    assert p.data["orderer_shares"] == ORIGINAL_SHARES
    p.complete("kajaani.steering", "propose_continuation", {"proposed_continues": True})   # pro rata
    s.positions(p, REMAINING)
    assert p.data["orderer_shares"] == {"kainuu": 62.5, "kajaani": 37.5}
    assert p.open_elements() == ["propose_tas"]               # the implementation-phase agreement comes next
    s.agree_implementation(p, REMAINING, "kainuu: 60, kajaani: 40")
    assert p.data["orderer_shares"] == {"kainuu": 60.0, "kajaani": 40.0}
    assert p.who_sees("propose_period") == s.users(REMAINING, "steering_group")
    assert p.tasks("sotkamo.steering") == []


def test_at_the_exit_gate_too_few_remain_and_the_alliance_ends(awarded: Procurement) -> None:
    p = awarded
    s.develop(p, PARTIES, SHARES, commits={CONTRACTOR: False})
    assert p.data["exit_gate_result"]["alliance_can_continue"] is False      # no producer remains
    assert p.open_elements() == ["wind_up_at_gate"]
    assert p.who_sees("propose_tas") == set()                 # no implementation phase
    p.complete("kainuu.steering", "wind_up_at_gate", {"wind_up_report": "Kehitysvaiheen tulokset luovutettu."})
    s.positions(p, PARTIES, rejecting={"kajaani": "Kustannusselvitys puuttuu."})   # ending is joint too
    assert p.open_elements() == ["wind_up_at_gate"]
    p.complete("kajaani.steering", "wind_up_at_gate", {"wind_up_report": "Tulokset luovutettu, kustannukset "
                                                                          "selvitetty avoimin kirjoin."})
    s.positions(p, PARTIES)
    final = p.view
    assert final.status == "completed" and final.data["outcome"] == "ended_at_exit_gate"
    assert final.data["period_results"] == []


def test_an_orderer_cannot_exit_for_another_and_exits_during_development(awarded: Procurement) -> None:
    p = awarded
    p.clock.set("2026-07-01")
    p.complete("kainuu.steering", "propose_organisation", {"proposed_joint_organisation": "Toimisto",
                                                           "proposed_steering_group_members": "Yksi kustakin"})
    s.positions(p, PARTIES)
    p.complete("kainuu.steering", "propose_solution", {**s.SOLUTION, "proposed_cost_shares": SHARES})
    s.confirm_limits(p, s.JOINED)
    s.positions(p, PARTIES)
    before = p.view
    # kajaani's orderer names sotkamo: refused, nothing stored
    with pytest.raises(ScriptFailed, match="kajaani.orderer ei voi käyttää exit-oikeutta organisaation 'sotkamo'"):
        p.message("orderer_exit", {"organisation": "sotkamo", "reason": "Sotkamon puolesta"}, "kajaani.orderer")
    with pytest.raises(NotAllowed):                           # a municipality that did not join has no exit
        p.message("orderer_exit", {"reason": "x"}, "paltamo.orderer")
    with pytest.raises(NotAllowed):                           # nor does the producer have one mid-phase
        p.message("orderer_exit", {"reason": "x"}, f"{CONTRACTOR}.steering")
    assert p.view.version == before.version and p.open_elements() == ["record_appropriation"] * 3

    p.clock.set("2026-08-10")
    p.message("orderer_exit", {"reason": "Palvelut omaksi toiminnaksi."}, "sotkamo.orderer")
    record = p.data["exit_record"]
    assert (record["organisation"], record["phase"], record["on"]) == ("sotkamo", "development", "2026-08-10")
    assert record["proposed_shares"] == {}           # the restarted phase decides the shares again
    assert p.open_elements() == ["propose_continuation"]
    assert p.who_sees("propose_continuation") == s.users(REMAINING, "steering_group")
    p.complete("kainuu.steering", "propose_continuation", {"proposed_continues": False})
    s.positions(p, REMAINING, rejecting={"kajaani": "Jatketaan kahdestaan."})
    assert p.open_elements() == ["propose_continuation"]   # ending was not agreed either
    p.complete("kainuu.steering", "propose_continuation", {"proposed_continues": True})
    s.positions(p, REMAINING)
    # the development phase starts again with the remaining parties
    assert p.open_elements() == ["propose_organisation"]
    assert p.who_sees("propose_organisation") == s.users(REMAINING, "steering_group")
    assert p.data["orderers"] == ["kainuu", "kajaani"]


def test_an_orderer_exits_during_implementation_and_the_interrupted_period_is_settled(awarded: Procurement) -> None:
    p = awarded
    s.develop(p, PARTIES, SHARES)
    s.agree_implementation(p, PARTIES, SHARES)
    s.agree_period(p, PARTIES, "2027-01-01", "2027-12-31", last=False)
    assert [t.element_id for t in p.view.timers] == ["period_over"]
    p.clock.set("2027-04-01")
    p.message("orderer_exit", {"organisation": "sotkamo", "reason": "Järjestämistapa muuttuu."}, "sotkamo.orderer")
    # the exit closes the period at its date: the costs up to it are reported and settled, the leaver included
    assert p.view.timers == ()
    assert p.who_sees("report_costs") == {f"{CONTRACTOR}.producer"}
    s.report(p, CONTRACTOR, 240_000)
    result = p.data["proposal"]["content"]
    assert (result["closed_on"], result["share_of_period"]) == ("2027-04-01", round(91 / 365, 6))
    assert result["target_cost"] == round(1_000_000 * 91 / 365, 2)
    assert set(result["per_orderer"]) == {"kainuu", "kajaani", "sotkamo"}
    s.positions(p, PARTIES)
    settled = p.data["period_results"][-1]
    assert settled["period"] == 1 and settled["per_orderer"]["sotkamo"] > 0
    assert p.data["orderer_shares"] == ORIGINAL_SHARES
    # then those who remain decide; nobody's share changes without it
    assert p.open_elements() == ["propose_continuation"]
    p.complete("kainuu.steering", "propose_continuation", {"proposed_continues": True})
    s.positions(p, REMAINING)
    assert p.data["orderer_shares"] == {"kainuu": 62.5, "kajaani": 37.5}
    assert p.open_elements() == ["propose_period"]
    s.contract_period(p, CONTRACTOR, "2027-04-02", "2027-12-31", "2028-01-01", 700_000, False, REMAINING)
    assert set(p.data["period_results"][-1]["per_orderer"]) == {"kainuu", "kajaani"}
    s.close_out(p, REMAINING)
    final = p.view
    assert final.status == "completed" and final.data["outcome"] == "closed"
    assert [r["period"] for r in final.data["period_results"]] == [1, 2]
