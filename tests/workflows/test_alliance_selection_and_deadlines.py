"""Qualification and selection (at least three invited when that many are suitable) and the statutory
minimum periods, refused when too short."""

from __future__ import annotations

import pytest

from engine import FormInvalid, ScriptFailed
from tests.workflows import scenario as s
from tests.workflows.driver import Procurement

UNIT = "kainuu.procurement"


def through_notice(p: Procurement) -> None:
    s.through_strategy(p)
    s.joint_unit(p, s.JOINED)
    s.publish_notice(p, UNIT)


def test_fewer_than_three_suitable_candidates_need_a_justification(procurement: Procurement) -> None:
    p = procurement
    through_notice(p)
    assert p.fire_timers("2026-02-17", 8) == 1
    p.complete(UNIT, "register_requests", {"applicants": "vaara-osaamis, yrityspolku, uraverkko"})
    p.complete(UNIT, "qualify_candidates", {
        "suitable_candidates": "vaara-osaamis, yrityspolku", "invited_candidates": "vaara-osaamis, yrityspolku",
        "selection_report": "Uraverkko ei täytä taloudellisia vaatimuksia."})
    assert p.data["selection"]["fewer_than_minimum"] is True
    assert p.data["selection"]["excluded"] == ["uraverkko"]
    s.serve_exclusions(p, UNIT)                                # uraverkko gets its own decision first
    assert p.open_elements() == ["justify_fewer_candidates"]
    assert p.who_sees("justify_fewer_candidates") == s.users(s.JOINED, "procurement_unit")
    with pytest.raises(FormInvalid) as refused:
        p.complete(UNIT, "justify_fewer_candidates", {"fewer_candidates_justification": "  "})
    assert "fewer_candidates_justification" in refused.value.errors
    p.complete(UNIT, "justify_fewer_candidates", {
        "fewer_candidates_justification": "Alalla on Kainuussa vain kaksi soveltuvaa toimijaa; kilpailu toteutuu."})
    assert p.open_elements() == ["send_invitations"]
    s.invite(p, UNIT)
    s.initial_tenders(p, ["vaara-osaamis", "yrityspolku"])
    assert p.data["tenderers"] == ["vaara-osaamis", "yrityspolku"]
    assert p.data["fewer_candidates_justification"].startswith("Alalla")


def test_three_suitable_candidates_must_all_be_invited(procurement: Procurement) -> None:
    p = procurement
    through_notice(p)
    assert p.fire_timers("2026-02-17", 8) == 1
    p.complete(UNIT, "register_requests", {"applicants": "vaara-osaamis, yrityspolku, uraverkko"})
    with pytest.raises(ScriptFailed, match="at least 3 must be invited"):
        p.complete(UNIT, "qualify_candidates", {
            "suitable_candidates": "vaara-osaamis, yrityspolku, uraverkko",
            "invited_candidates": "vaara-osaamis, yrityspolku", "selection_report": "?"})
    assert p.open_elements() == ["qualify_candidates"]            # nothing was stored
    with pytest.raises(ScriptFailed, match="did not apply: acme"):
        p.complete(UNIT, "qualify_candidates", {
            "suitable_candidates": "vaara-osaamis, acme", "invited_candidates": "vaara-osaamis",
            "selection_report": "?"})


def test_applicants_must_be_producers_in_the_directory(procurement: Procurement) -> None:
    p = procurement
    through_notice(p)
    assert p.fire_timers("2026-02-17", 8) == 1
    # refused at the field itself, so no later step can fail on it
    with pytest.raises(FormInvalid, match="Unknown organisation: acme"):
        p.complete(UNIT, "register_requests", {"applicants": "acme, vaara-osaamis"})
    with pytest.raises(FormInvalid, match="Not a choice here: kajaani"):
        p.complete(UNIT, "register_requests", {"applicants": "vaara-osaamis, kajaani"})
    assert p.open_elements() == ["register_requests"]


def test_a_too_short_participation_period_is_refused(procurement: Procurement) -> None:
    p = procurement
    s.through_strategy(p)
    s.joint_unit(p, s.JOINED)
    p.complete(UNIT, "record_procedure_ground", {"procedure_ground": "34_1_3", "ground_justification": "Riskit."})
    notice = {k: v for k, v in s.NOTICE.items() if k not in ("procedure_ground", "ground_justification")}
    p.clock.set("2026-01-15")
    # sent 15.1.2026 (the command's time): 30 days is Saturday 14.2., so the earliest last day is Monday 16.2.
    with pytest.raises(ScriptFailed) as refused:
        p.complete(UNIT, "publish_contract_notice", {**notice, "participation_deadline": "2026-02-13"})
    message = str(refused.value)
    assert "liian lyhyt" in message and "too short" in message and "2026-02-16" in message
    with pytest.raises(ScriptFailed, match="2026-02-16"):
        p.complete(UNIT, "publish_contract_notice", {**notice, "participation_deadline": "2026-02-14"})
    assert p.open_elements() == ["publish_contract_notice"]         # nothing was stored
    assert not p.view.timers
    p.complete(UNIT, "publish_contract_notice", {**notice, "participation_deadline": "2026-02-16"})
    [timer] = p.view.timers
    assert timer.due_at.isoformat() == "2026-02-16T22:00:00+00:00"     # midnight after the last day, in Finland


def test_a_too_short_initial_tender_period_is_refused(procurement: Procurement) -> None:
    p = procurement
    through_notice(p)
    s.select_candidates(p, UNIT, s.TENDERERS, s.TENDERERS, s.TENDERERS)
    p.clock.set("2026-02-20")
    # electronic tenders: 25 days from 20.2. is 17.3.
    with pytest.raises(ScriptFailed, match="2026-03-17"):
        p.complete(UNIT, "send_invitations", {"invitation_sent_on": "2026-02-20",
                                              "initial_tenders_deadline": "2026-03-16", "invitation_reference": "TP"})
    s.invite(p, UNIT, deadline="2026-03-17")
    assert p.who_sees("submit_initial_tender") == s.users(s.TENDERERS, "tenderer")


def test_national_level_has_no_statutory_minimum_and_no_standstill(procurement: Procurement) -> None:
    p = procurement
    s.start(p, candidates=["kajaani"], value=150_000)
    s.decide_joining(p, {"kajaani": True})
    s.assess_and_vote(p, {"kainuu": True, "kajaani": True})
    s.joint_unit(p, ["kainuu", "kajaani"])
    assert (p.data["procurement_level"], p.data["minimum_periods_apply"], p.data["standstill_applies"]) == (
        "national", False, False)
    s.publish_notice(p, UNIT, participation_deadline="2026-01-26")   # 11 days is fine at national level
    [timer] = p.view.timers
    assert timer.due_at.isoformat() == "2026-01-26T22:00:00+00:00"


def test_an_urgent_procurement_may_use_15_days(procurement: Procurement) -> None:
    p = procurement
    s.through_strategy(p)
    s.joint_unit(p, s.JOINED)
    s.publish_notice(p, UNIT, urgent=True, participation_deadline="2026-01-30",
                     timetable_justification="Palvelun jatkuvuus vaarantuu ennakoimattomasta syystä.")
    assert p.view.timers[0].due_at.isoformat() == "2026-01-30T22:00:00+00:00"


def test_no_initial_tenders_ends_the_procurement(procurement: Procurement) -> None:
    p = procurement
    through_notice(p)
    s.select_candidates(p, UNIT, s.TENDERERS, s.TENDERERS, s.TENDERERS)
    s.invite(p, UNIT)
    assert p.fire_timers("2026-03-18", 8) == 1              # nobody submitted by the deadline
    final = p.view
    assert final.status == "completed"
    assert final.data["outcome"] == "no_tenders"
