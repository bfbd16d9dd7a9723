"""The web pages on the real alliance procurement diagrams, as the Kainuu demo users."""

from __future__ import annotations

import re
from pathlib import Path

from tests.web.conftest import DEMO_PASSWORD, AllianceSite, Browser, alliance_app
from tests.workflows import scenario
from tests.workflows.driver import Clock as DriverClock
from tests.workflows.driver import Procurement
from workflows.directory import demo_directory


def _browser(site: AllianceSite, username: str) -> Browser:
    browser = Browser(site.app.test_client())
    assert browser.sign_in(username, DEMO_PASSWORD).status_code == 302
    return browser


def test_start_form_comes_from_the_start_event(alliance: AllianceSite) -> None:
    browser = _browser(alliance, "kainuu.orderer")
    assert browser.get("/procurements/new").headers["Location"] == "/procurements/new/alliance_procurement"
    page = browser.text("/procurements/new/alliance_procurement")
    assert "Aloita: Allianssihankinta" in page
    assert "Hankinnan nimi" in page
    # organisations are chosen from the directory, not typed as ids (issue 11)
    assert re.search(r'<select id="field-region" name="region"', page)
    assert re.search(r'<option value="kainuu" selected>Kainuun maakunta</option>', page)  # the default
    assert 'type="checkbox" id="field-candidate_municipalities-1" name="candidate_municipalities"' in page
    assert ">Kajaanin kaupunki</label>" in page and 'value="vaara-osaamis"' not in page
    assert 'type="radio"' in page and ">Palvelut</label>" in page  # "Palvelut / services", in Finnish
    assert 'min="0"' in page

    response = browser.post("/procurements/new/alliance_procurement", {
        "title": "", "region": "kainuu", "candidate_municipalities": "kajaani", "estimated_value": "-1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count('class="error-message"') == 3  # title, estimated value, service type
    assert 'value="kajaani"' in page and alliance.engine.instances() == []

    response = browser.post("/procurements/new/alliance_procurement", {
        "title": "Testi", "region": "kainuu", "candidate_municipalities": "kajaani, atlantis",
        "estimated_value": "900000", "service_type": "services"})
    assert response.status_code == 422  # an unknown municipality is refused at its own field
    page = response.get_data(as_text=True)
    assert 'id="field-candidate_municipalities-error"' in page and "Mitään ei tallennettu" in page
    assert 'href="#field-candidate_municipalities-1"' in page and alliance.engine.instances() == []

    response = browser.post("/procurements/new/alliance_procurement", {
        "business_key": "KAI/1/2026", "title": "Kainuun yrityspalveluallianssi", "region": "kainuu",
        "candidate_municipalities": "kajaani, sotkamo", "estimated_value": "900000", "service_type": "services"})
    assert response.status_code == 302
    [instance] = alliance.engine.instances()
    assert instance.business_key == "KAI/1/2026" and instance.data["estimated_value"] == 900000
    page = browser.text(response.headers["Location"])
    assert "Kainuun yrityspalveluallianssi" in page and "Strategiavaihe" in page
    assert "Kajaanin kaupunki" in page and "Sotkamon kunta" in page

    for user in ("kajaani.steering", "yrityspolku.tenderer", "auditor"):
        other = _browser(alliance, user)
        assert other.get("/procurements/new").status_code == 403, user


def test_strategy_phase_through_the_pages(alliance: AllianceSite) -> None:
    instance = alliance.start()
    council = _browser(alliance, "kajaani.council")
    page = council.text("/")
    task = re.search(r'href="/tasks/([^"]+)" class="task-link">Kunnan päätös allianssiin liittymisestä<', page)
    assert task, page
    page = council.text(f"/tasks/{task.group(1)}")  # a required yes/no is asked, not an unticked box
    assert 'type="radio" id="field-joins-1" name="joins" value="true"' in page and 'type="checkbox"' not in page
    response = council.post(f"/tasks/{task.group(1)}", {"decision_reference": "Kvalt 2026 § 12"})
    assert response.status_code == 422 and "field-joins-error" in response.get_data(as_text=True)
    response = council.post(f"/tasks/{task.group(1)}", {"joins": "true", "decision_notes": "Kvalt käsitteli."})
    assert response.status_code == 422 and "field-decision_reference-error" in response.get_data(as_text=True)
    joins = re.search(r'<input[^>]*name="joins"[^>]*>', response.get_data(as_text=True))
    assert joins and "checked" in joins.group(0)
    response = council.post(f"/tasks/{task.group(1)}", {"joins": "true", "decision_reference": "Kvalt 2026 § 12"})
    assert response.status_code == 302

    orderer = _browser(alliance, "kainuu.orderer")
    page = orderer.text("/")
    assert "Allianssimallin soveltuvuus ja oikeudelliset reunaehdot" in page
    assessed = alliance.task_of("kainuu.orderer", instance, "assess_alliance_model")
    colleague = _browser(alliance, "kajaani.orderer")  # both joining orderers may take it
    assert "Allianssimallin soveltuvuus" in colleague.text("/")
    response = orderer.post(f"/tasks/{assessed}", {
        "alliance_model_suits": "true", "suitability_assessment": "Sopii.", "organising_responsibility_stays": "true",
        "no_public_tasks_to_producers": "true", "competition_neutrality": "true"})
    assert response.status_code == 302
    vote = alliance.task_of("kainuu.orderer", instance, "vote_go")
    assert response.headers["Location"] == f"/tasks/{vote}"  # straight on to my next task here
    assert "Allianssimallin soveltuvuus" not in colleague.text("/")
    assert "Go / no-go -päätös" in colleague.text("/")

    page = orderer.text(f"/procurements/{instance}")
    assert 'state-completed bpmn-userTask" data-element-id="decide_joining"' in page
    assert 'state-active bpmn-userTask" data-element-id="vote_go"' in page
    assert 'state-active bpmn-callActivity" data-element-id="strategy"' in page
    assert "Kvalt 2026 § 12" in page  # the municipality's recorded decision, in the history

    tenderer = _browser(alliance, "yrityspolku.tenderer")
    assert tenderer.get(f"/procurements/{instance}").status_code == 404
    assert tenderer.get(f"/tasks/{vote}").status_code == 404


def test_tenderers_see_only_their_own_tender(tmp_path: Path) -> None:
    """Driven to the initial tenders by the domain's own scenario steps, then looked at through the pages."""
    clock = DriverClock()
    app = alliance_app(f"sqlite:///{tmp_path / 'tenders.db'}", clock)
    p = Procurement(app.extensions["allianssi"].database, clock, demo_directory())
    scenario.start(p, candidates=["kajaani"])
    scenario.decide_joining(p, {"kajaani": True})
    scenario.assess_and_vote(p, {"kainuu": True, "kajaani": True})
    scenario.joint_unit(p, ["kainuu", "kajaani"])
    scenario.publish_notice(p, "kainuu.procurement")
    producers = ["yrityspolku", "uraverkko", "vaara-osaamis"]
    scenario.select_candidates(p, "kainuu.procurement", producers, producers, producers)
    scenario.invite(p, "kainuu.procurement")
    p.clock.set("2026-03-10")
    p.complete("uraverkko.tenderer", "submit_initial_tender",
               {"tender_reference": "URA-SALAINEN-1", "fee_percent": 6.5, "tender_summary": "Uraverkon malli"})

    site = AllianceSite(app, app.extensions["allianssi"].engine, clock)
    tenderer = _browser(site, "yrityspolku.tenderer")
    inbox = tenderer.text("/")
    assert inbox.count('class="task-link"') == 1 and "Alustavan tarjouksen jättäminen" in inbox
    assert "17.3.2026" in inbox and "7 päivää jäljellä" in inbox  # the tenders' deadline, in Finnish time
    own = site.task_of("yrityspolku.tenderer", p.instance_id, "submit_initial_tender")
    other = site.task_of("vaara-osaamis.tenderer", p.instance_id, "submit_initial_tender")
    assert tenderer.get(f"/tasks/{other}").status_code == 404

    page = tenderer.text(f"/tasks/{own}")
    for secret in ("URA-SALAINEN", "Uraverkko", "uraverkko", "Vaara", "6.5"):
        assert secret not in page, secret
    response = tenderer.post(f"/tasks/{own}", {"tender_reference": "YP-1", "fee_percent": "kahdeksan"})
    assert response.status_code == 422 and "Anna luku" in response.get_data(as_text=True)
    assert tenderer.post(f"/tasks/{own}", {"tender_reference": "YP-1", "fee_percent": "8.0"}).status_code == 302

    page = tenderer.text(f"/procurements/{p.instance_id}")  # still theirs after the task is done
    assert "YP-1" in page and "Kainuun yrityspalveluallianssi" in page
    for secret in ("URA-SALAINEN", "Uraverkko", "uraverkko", "Vaara", "<svg", "Osallistujat", "kajaani kvalt"):
        assert secret not in page, secret
    assert f"/procurements/{p.instance_id}" in tenderer.text("/procurements/")

    unit = _browser(site, "kainuu.procurement")
    page = unit.text(f"/procurements/{p.instance_id}")
    assert "URA-SALAINEN-1" in page and "YP-1" in page and "<svg" in page
