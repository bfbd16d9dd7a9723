"""Exit rights: every party at the exit gate, the orderers during the whole implementation phase."""

from __future__ import annotations

import pytest

from engine import NotAllowed
from tests.workflows import scenario as s
from tests.workflows.driver import Procurement

CONTRACTOR = "vaara-osaamis"
PARTIES = s.JOINED + [CONTRACTOR]
SHARES = "kainuu: 50, kajaani: 30, sotkamo: 20"


def test_a_producer_exits_at_the_exit_gate_and_the_alliance_ends_cleanly(procurement: Procurement) -> None:
    p = procurement
    s.through_award(p)
    assert p.data["contractor"] == CONTRACTOR
    s.develop(p, PARTIES, SHARES, commits={CONTRACTOR: False})
    assert p.open_elements() == ["wind_up_at_gate"]
    assert p.data["exit_gate_result"] == {"all_commit": False, "exited": [CONTRACTOR]}
    assert p.who_sees("wind_up_at_gate") == s.users(PARTIES, "steering_group")
    assert p.who_sees("agree_period") == set()                       # no implementation phase
    p.complete("kainuu.steering", "wind_up_at_gate", {"wind_up_report": "Kehitysvaiheen tulokset luovutettu."})
    final = p.view
    assert final.status == "completed" and final.open_tasks == ()
    assert final.data["outcome"] == "ended_at_exit_gate"
    assert "period_results" in final.data and final.data["period_results"] == []


def in_implementation(p: Procurement) -> None:
    s.through_award(p)
    s.develop(p, PARTIES, SHARES)
    s.contract_period(p, CONTRACTOR, "2026-09-01", "2027-08-31", "2027-09-01", 980_000, True)
    p.complete("kainuu.steering", "agree_period", {"period_target_cost": 1_000_000, "period_start": "2027-09-01",
                                                   "period_end": "2028-08-31"})
    assert [t.element_id for t in p.view.timers] == ["period_over"]


def test_an_orderer_exits_during_implementation_and_the_others_go_on(procurement: Procurement) -> None:
    p = procurement
    in_implementation(p)
    p.clock.set("2028-01-15")
    p.message("orderer_exit", {"organisation": "sotkamo", "reason": "Palvelu siirtyy omaksi toiminnaksi."},
              "sotkamo.orderer")
    # the exit interrupts the implementation phase at once: the period in progress is settled
    assert p.view.timers == ()
    assert p.open_elements() == ["settle_orderer_exit"]
    assert p.data["exit_record"]["remaining_orderers"] == ["kainuu", "kajaani"]
    assert p.data["orderer_shares"] == {"kainuu": 62.5, "kajaani": 37.5}
    assert p.data["alliance_parties"] == ["kainuu", "kajaani", CONTRACTOR]
    assert p.who_sees("settle_orderer_exit") == s.users(["kainuu", "kajaani", CONTRACTOR], "steering_group")
    p.complete("kainuu.steering", "settle_orderer_exit", {"exit_settlement": "Sotkamon osuus 1.9.–15.1. laskutettu.",
                                                         "alliance_continues": True})
    # the interrupted period 2 starts again with the remaining orderers; sotkamo has left the steering group
    assert p.open_elements() == ["agree_period"]
    assert p.data["contract_period"] == 2
    assert [r["period"] for r in p.data["period_results"]] == [1]        # period 1 stays settled
    assert p.tasks("sotkamo.steering") == []
    s.contract_period(p, CONTRACTOR, "2028-02-01", "2029-01-31", "2029-02-01", 1_000_000, False)
    last = p.data["period_results"][-1]
    assert set(last["per_orderer"]) == {"kainuu", "kajaani"}
    p.complete("kajaani.steering", "close_out", {"closeout_report": "Allianssi päättyi."})
    final = p.view
    assert final.status == "completed"
    assert final.data["outcome"] == "closed"
    assert [r["period"] for r in final.data["period_results"]] == [1, 2]
    assert set(final.data["period_results"][0]["per_orderer"]) == {"kainuu", "kajaani", "sotkamo"}


def test_the_region_exiting_ends_the_alliance(procurement: Procurement) -> None:
    p = procurement
    in_implementation(p)
    p.message("orderer_exit", {"organisation": "kainuu", "reason": "Järjestämistapa muuttuu."}, "kainuu.orderer")
    assert p.data["exit_record"]["alliance_can_continue"] is False
    # even if the steering group wished to go on, the alliance cannot continue without the region
    p.complete("kajaani.steering", "settle_orderer_exit", {"exit_settlement": "Selvitetty.",
                                                          "alliance_continues": True})
    assert p.open_elements() == ["close_out"]
    p.complete("kajaani.steering", "close_out", {"closeout_report": "Allianssi päättyi maakunnan exitiin."})
    assert p.view.data["outcome"] == "ended_by_orderer_exit"


def test_only_a_joined_orderer_can_exit(procurement: Procurement) -> None:
    p = procurement
    in_implementation(p)
    with pytest.raises(NotAllowed, match="paltamo.orderer"):  # the catch event's sender_role is orderer
        p.message("orderer_exit", {"organisation": "paltamo"}, "paltamo.orderer")
    assert [t.element_id for t in p.view.timers] == ["period_over"]      # nothing changed
