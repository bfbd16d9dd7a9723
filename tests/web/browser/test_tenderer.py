"""A tenderer in a real browser: one task with its deadline, nothing of the other tenderers."""

from __future__ import annotations

from typing import Any

from tests.web.browser.conftest import LiveSite, screenshot, serious_violations
from tests.web.browser.test_journey import sign_in
from tests.workflows import scenario
from tests.workflows.driver import Procurement
from workflows.directory import demo_directory


def test_tenderer_sees_its_deadline_and_nothing_else(page: Any, live_site: LiveSite, axe_source: str) -> None:
    p = Procurement(live_site.app.extensions["allianssi"].database, live_site.clock, demo_directory())
    scenario.start(p, candidates=["sotkamo"])
    scenario.decide_joining(p, {"sotkamo": True})
    scenario.assess_and_vote(p, {"kainuu": True, "sotkamo": True})
    scenario.joint_unit(p, ["kainuu", "sotkamo"])
    scenario.publish_notice(p, "kainuu.procurement")
    producers = ["yrityspolku", "uraverkko", "vaara-osaamis"]
    scenario.select_candidates(p, "kainuu.procurement", producers, producers, producers)
    scenario.invite(p, "kainuu.procurement")  # initial tenders by 17 March
    p.clock.set("2026-03-10")
    p.complete("uraverkko.tenderer", "submit_initial_tender",
               {"tender_reference": "URA-SALAINEN-1", "fee_percent": 6.5, "tender_summary": "Uraverkon malli"})

    sign_in(page, "yrityspolku.tenderer")
    row = page.locator("table.tasks tbody tr")
    assert row.count() == 1
    assert "17.3.2026" in row.inner_text() and "7 päivää jäljellä" in row.inner_text()
    assert not serious_violations(page, axe_source)
    screenshot(page, "inbox-tenderer.png", full_page=True)

    row.get_by_role("link", name="Alustavan tarjouksen jättäminen").click()
    body = page.locator("main").inner_text()
    for secret in ("URA-SALAINEN", "Uraverkko", "Vaara"):
        assert secret not in body, secret
    page.get_by_label("Tarjousasiakirjan tunniste").fill("YP-1")
    page.get_by_label("Palkkio-osuus (%)").fill("8")
    page.get_by_role("button", name="Merkitse tehtävä tehdyksi").click()
    page.get_by_text("Valmis: Alustavan tarjouksen jättäminen.").wait_for()
    page.goto(f"/procurements/{p.instance_id}")
    page.get_by_role("heading", level=2, name="Organisaatiosi avoimet tehtävät").wait_for()
    body = page.locator("main").inner_text()
    for secret in ("URA-SALAINEN", "Uraverkko", "Vaara", "Osallistujat"):
        assert secret not in body, secret
    assert "YP-1" in page.locator("#history-title ~ div table.history").text_content()  # its own tender, in its history
    assert page.locator("svg.bpmn-diagram").count() == 0
    assert not serious_violations(page, axe_source)
