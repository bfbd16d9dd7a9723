"""The facts beside each decision: what a task decides on, named by the diagram's `show` property, is on
its page; the procurement page names the winner and the reason of a no-go (issue 11, "What was seen")."""

from __future__ import annotations

import re
from pathlib import Path

from tests.web.conftest import DEMO_PASSWORD, AllianceSite, Browser, alliance_app
from tests.workflows import scenario as s
from tests.workflows.driver import Clock as DriverClock
from tests.workflows.driver import Procurement
from workflows.directory import demo_directory

UNIT = "kainuu.procurement"


def _site(tmp_path: Path) -> tuple[AllianceSite, Procurement]:
    clock = DriverClock()
    app = alliance_app(f"sqlite:///{tmp_path / 'facts.db'}", clock)
    p = Procurement(app.extensions["allianssi"].database, clock, demo_directory())
    return AllianceSite(app, app.extensions["allianssi"].engine, clock), p


def _browser(site: AllianceSite, username: str) -> Browser:
    browser = Browser(site.app.test_client())
    assert browser.sign_in(username, DEMO_PASSWORD).status_code == 302
    return browser


def _facts(page: str) -> str:
    found = re.search(r'<section class="card facts-card".*?</section>', page, re.S)
    assert found, "no facts on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def test_each_decision_shows_what_it_decides_on(tmp_path: Path) -> None:
    site, p = _site(tmp_path)
    tenderers = ["vaara-osaamis", "yrityspolku", "uraverkko"]
    s.through_strategy(p, ["kainuu", "kajaani"])
    s.joint_unit(p, ["kainuu", "kajaani"])
    s.publish_notice(p, UNIT)
    s.select_candidates(p, UNIT, tenderers, tenderers, tenderers)
    s.invite(p, UNIT)
    s.initial_tenders(p, tenderers)
    p.complete(UNIT, "plan_round", {"round_agenda": "Palvelumalli", "documents_changed": False,
                                    "revision_deadline": "2026-04-02"})
    p.clock.set("2026-03-30")
    for org in tenderers:
        p.complete(f"{org}.tenderer", "submit_revised_tender",
                   {"revised_tender_reference": f"{org}-R1", "fee_percent": 7.5})
    assert p.fire_timers("2026-04-03", 8) == 1
    unit = _browser(site, UNIT)

    # four identical "Kierroksen arviointi tarjoajittain" tasks: each now names its tenderer and tender
    seen = set()
    for task in p.tasks(UNIT, "assess_round"):
        facts = _facts(unit.text(f"/tasks/{task.id}"))
        org = p.engine.task(task.id).data["assessment"]["organisation"]
        name = demo_directory().organisations[org].name
        assert f"Tarjoaja {name}" in facts and f"{org}-R1" in facts and f"{org}-T1" in facts
        assert "7,5" in facts and "Palvelumalli" in facts  # the fee in Finnish notation, the round's agenda
        seen.add(org)
        p.engine.complete_task(task.id, UNIT, {"continues": True, "assessment_reasoning": "Hyvä."})
    assert seen == set(tenderers)
    p.complete(UNIT, "conclude_round", {"round_summary": "Kierros käyty.", "another_round": False})

    p.clock.set("2026-04-23")
    p.complete(UNIT, "request_final_tenders", {"final_request_sent_on": "2026-04-23",
                                               "final_tenders_deadline": "2026-05-07", "final_request_reference": "LT"})
    p.clock.set("2026-05-05")
    for org in tenderers:
        p.complete(f"{org}.tenderer", "submit_final_tender",
                   {"final_tender_reference": f"{org}-F", "fee_percent": 7.0, "cost_items_price": 120000})
    assert p.fire_timers("2026-05-08", 8) == 1
    for task in p.tasks(UNIT, "evaluate_final_tender"):  # the scoring tasks show the tender scored
        org = p.engine.task(task.id).data["evaluation"]["organisation"]
        facts = _facts(unit.text(f"/tasks/{task.id}"))
        assert f"{org}-F" in facts and "120 000" in facts
        quality = {"vaara-osaamis": 7, "yrityspolku": 6}.get(org, 5)     # scores per published criterion
        p.engine.complete_task(task.id, UNIT, {"score_1": quality, "score_2": 8, "score_3": 5})
    # "Tarkista paremmuusjärjestys" shows the ranking, the winner first
    approve = p.task(UNIT, "approve_evaluation").id
    facts = _facts(unit.text(f"/tasks/{approve}"))
    assert "Paremmuusjärjestys" in facts and facts.index("Vaara") < facts.index("Yrityspolku")
    assert "Voittaja Vaaran Osaamis" in facts or "Voittaja Vaara" in facts
    p.complete(UNIT, "approve_evaluation", {"evaluation_report": "Vertailu tehty."})

    # the winner is named on the procurement page once decided
    page = unit.text(f"/procurements/{p.instance_id}")
    assert "Voittaja" in _facts(page)
    english = _browser(site, UNIT)
    english.post("/language", {"language": "en"})
    assert "Winner" in _facts(english.text(f"/procurements/{p.instance_id}"))


def test_mandate_names_who_is_authorised_and_a_no_go_says_why(tmp_path: Path) -> None:
    site, p = _site(tmp_path)
    s.through_strategy(p, ["kainuu", "kajaani", "sotkamo"])
    p.complete("kainuu.orderer", "choose_unit_model", {
        "unit_model": "delegated", "lead_orderer": "kainuu", "unit_reasoning": "Maakunta hoitaa."})
    task = p.task("kajaani.orderer", "grant_mandate")
    facts = _facts(_browser(site, "kajaani.orderer").text(f"/tasks/{task.id}"))
    assert "Valtuutettava tilaaja Kainuun" in facts and "Maakunta hoitaa." in facts

    site2, q = _site(tmp_path / "nogo")
    s.start(q, candidates=["kajaani"])
    s.decide_joining(q, {"kajaani": True})
    s.assess_and_vote(q, {"kainuu": True, "kajaani": False})
    assert q.view.status == "completed"
    page = _browser(site2, "kainuu.orderer").text(f"/procurements/{q.instance_id}")
    assert "Ei allianssia (no-go)" in page  # how it ended, not just "Valmis"
    reasons = q.view.data["strategy"]["reasons"]
    assert reasons and all(r.split(" / ")[0] in _facts(page) for r in reasons)
