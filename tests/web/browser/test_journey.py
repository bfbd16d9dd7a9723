"""A day in the strategy phase, in a real browser: an orderer votes, another orderer sees the next
task, gets a form error, fixes it, and sees the procurement's diagram move on. Every page passes
axe-core without serious or critical violations; screenshots go to docs/screenshots/."""

from __future__ import annotations

import re
from typing import Any

from tests.web.browser.conftest import LiveSite, screenshot, serious_violations
from tests.web.conftest import DEMO_PASSWORD


def sign_in(page: Any, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Käyttäjätunnus").fill(username)
    page.get_by_label("Salasana").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url(re.compile(r"/$"))


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Kirjaudu ulos").click()
    page.wait_for_url(re.compile(r"/login$"))


def state_of(page: Any, element_id: str) -> str | None:
    classes = page.locator(f'g[data-element-id="{element_id}"]').first.get_attribute("class") or ""
    found = re.search(r"state-(\w+)", classes)
    return found.group(1) if found else None


def assert_accessible(page: Any, axe_source: str) -> None:
    violations = serious_violations(page, axe_source)
    assert not violations, "\n".join([page.url, *violations])


def test_strategy_journey(page: Any, live_site: LiveSite, axe_source: str) -> None:
    # Kajaani has joined, the model is assessed and Kajaani has voted go: the region's vote is last.
    instance = live_site.start(key="KAI-2026-1")
    live_site.complete("kajaani.council", instance, "decide_joining",
                       {"joins": True, "decision_reference": "Kajaanin kvalt 9.2.2026 § 12"})
    live_site.complete("kainuu.orderer", instance, "assess_alliance_model", {
        "alliance_model_suits": True, "suitability_assessment": "Yhteinen tavoite ja avoimet kirjat sopivat.",
        "organising_responsibility_stays": True, "no_public_tasks_to_producers": True,
        "competition_neutrality": True})
    live_site.complete("kajaani.orderer", instance, "vote_go",
                       {"go": True, "vote_reasoning": "Kaupunginhallitus puoltaa."})

    page.goto("/login")
    assert_accessible(page, axe_source)

    # 1. The region's orderer completes a strategy task: the go / no-go vote.
    sign_in(page, "kainuu.orderer")
    page.goto(f"/procurements/{instance}")
    assert state_of(page, "strategy") == "active"
    assert state_of(page, "procurement_unit_decision") is None
    page.goto("/")
    page.locator("table.tasks tbody tr", has_text="KAI-2026-1").get_by_role("link", name="Go / no-go -päätös").click()
    page.get_by_role("heading", level=1, name="Go / no-go -päätös").wait_for()
    page.get_by_role("group", name=re.compile("Jatketaan allianssihankintaan")).get_by_label("Kyllä").check()
    page.get_by_label("Perustelut").fill("Maakuntahallitus puoltaa allianssia.")
    page.get_by_role("button", name="Merkitse tehtävä tehdyksi").click()
    page.get_by_text("Valmis: Go / no-go -päätös.").wait_for()
    sign_out(page)

    # 2. Another orderer signs in and sees the next task in the inbox.
    sign_in(page, "kajaani.orderer")
    row = page.locator("table.tasks tbody tr", has_text="KAI-2026-1")  # other tests share the site
    next_task = row.get_by_role("link", name="Hankintayksikön malli")
    next_task.wait_for()
    assert row.count() == 1, page.locator("table.tasks tbody").inner_text()
    assert_accessible(page, axe_source)
    screenshot(page, "inbox.png", full_page=True)

    # 3. The form is sent with a required field left empty: the error is shown next to it.
    next_task.click()
    page.get_by_label("Valtuutettu tilaaja").check()
    page.get_by_label("Johtava tai valtuutettava tilaaja").select_option("kainuu")  # chosen, not typed
    page.get_by_role("button", name="Merkitse tehtävä tehdyksi").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "Mitään ei tallennettu" in summary.inner_text()
    reasoning = page.get_by_label("Perustelut")
    assert reasoning.get_attribute("aria-invalid") == "true"
    assert "Tämä kenttä on pakollinen." in page.locator("#field-unit_reasoning-error").inner_text()
    assert page.get_by_label("Valtuutettu tilaaja").is_checked()  # what was entered is kept
    assert page.get_by_label("Johtava tai valtuutettava tilaaja").input_value() == "kainuu"
    assert_accessible(page, axe_source)
    screenshot(page, "task-form.png", full_page=True)

    # 4. Fixed: the task is done and the orderer's next task (granting the mandate) opens.
    page.get_by_role("link", name=re.compile("Perustelut: Tämä kenttä on pakollinen")).click()  # the summary link
    assert page.evaluate("() => document.activeElement.id") == "field-unit_reasoning"
    reasoning.fill("Maakunta hoitaa hankinnan kaikkien tilaajien puolesta.")
    page.get_by_role("button", name="Merkitse tehtävä tehdyksi").click()
    page.get_by_role("heading", level=1, name="Valtuutuksen antaminen").wait_for()
    assert page.get_by_text("Valmis: Hankintayksikön malli.").is_visible()
    assert_accessible(page, axe_source)

    # 5. The diagram has moved on: strategy done, the procurement unit decision under way.
    page.get_by_role("navigation", name="Murupolku").get_by_role("link", name="Kainuun yrityspalveluallianssi").click()
    page.get_by_role("heading", level=2, name="Kaavio").wait_for()
    assert state_of(page, "strategy") == "completed"
    assert state_of(page, "procurement_unit_decision") == "active"
    assert state_of(page, "choose_unit_model") == "completed"
    assert state_of(page, "grant_mandate") == "active"
    assert page.locator('g[data-element-id="grant_mandate"] > title').first.text_content() == \
        "Valtuutuksen antaminen (käynnissä)"
    assert "Kajaanin kvalt 9.2.2026 § 12" in page.locator("#history-title ~ div table.history").text_content()
    assert_accessible(page, axe_source)
    screenshot(page, "procurement.png", full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1500})
    page.goto("/procurements/")
    assert_accessible(page, axe_source)


def test_keyboard_language_and_start_form(page: Any, live_site: LiveSite, axe_source: str) -> None:
    sign_in(page, "kainuu.orderer")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Siirry sisältöön")
    assert page.evaluate("() => document.activeElement.textContent") == "Siirry sisältöön" and skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    page.get_by_role("button", name="In English").click()
    page.get_by_role("heading", level=1, name="Inbox").wait_for()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Procurements").click()
    page.get_by_role("link", name="Start a new procurement").click()
    page.get_by_role("heading", level=1, name="Start: Alliance procurement").wait_for()
    page.get_by_label("Title of the procurement").fill("Kainuun nuorten työllisyysallianssi")
    for municipality in ("City of Kajaani", "Municipality of Sotkamo"):
        page.get_by_label(municipality).check()
    page.get_by_label("Estimated value (EUR, VAT excluded)").fill("800000")
    page.get_by_label("services", exact=True).check()
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Start the procurement").click()
    page.get_by_role("heading", level=1, name="Kainuun nuorten työllisyysallianssi").wait_for()
    assert state_of(page, "decide_joining") == "active"
    assert page.locator(".task-list").get_by_text("The municipality's decision on joining").count() == 2
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Suomeksi").click()
    page.get_by_role("heading", level=2, name="Kaavio").wait_for()
    page.goto("/tasks/no-such-task")
    page.get_by_role("heading", level=1, name="Tehtävää ei löydy").wait_for()
    assert_accessible(page, axe_source)
