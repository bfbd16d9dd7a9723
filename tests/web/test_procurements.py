"""Procurement list and page (diagram, participants, deadlines, history), privacy, and starting one."""

from __future__ import annotations

from tests.web.conftest import Browser, ExampleSite


def _rows(page: str) -> int:
    return page.count('<a href="/procurements/') - page.count('<a href="/procurements/" ')


def test_list_shows_status_phase_and_next_deadline(example: ExampleSite, browser: Browser) -> None:
    instance = example.start()
    example.submit(instance, deadline="2026-03-20")
    browser.sign_in("aino")
    page = browser.text("/procurements/")
    assert "Uusi palvelu" in page and "KAI-2026-1" in page
    assert "Käynnissä" in page and "Katselmointi" in page and "20.3.2026" in page
    assert browser.text("/procurements/?status=completed").count(f"/procurements/{instance}") == 0
    assert browser.text("/procurements/?q=kai-2026").count(f"/procurements/{instance}") == 1
    assert browser.text("/procurements/?q=zzz").count(f"/procurements/{instance}") == 0


def test_who_sees_which_procurement(example: ExampleSite, browser: Browser) -> None:
    visible = example.start(reviewers=("yrityspolku",), key="KAI-1")
    example.submit(visible)
    hidden = example.start(reviewers=("uraverkko",), key="KAI-2")
    example.submit(hidden)
    browser.sign_in("bob")
    page = browser.text("/procurements/")
    assert f"/procurements/{visible}" in page and f"/procurements/{hidden}" not in page
    assert browser.get(f"/procurements/{hidden}").status_code == 404
    browser.sign_in("outi")  # another municipality, not taking part
    assert f"/procurements/{visible}" not in browser.text("/procurements/")
    assert browser.get(f"/procurements/{visible}").status_code == 404
    browser.sign_in("irma")  # the auditor sees every procurement
    page = browser.text("/procurements/")
    assert f"/procurements/{visible}" in page and f"/procurements/{hidden}" in page
    assert browser.get("/procurements/nonexistent").status_code == 404


def test_procurement_page_for_the_orderer(example: ExampleSite, browser: Browser) -> None:
    instance = example.start()
    example.submit(instance, title="Työllisyys <b>2026</b>")
    browser.sign_in("aino")
    page = browser.text(f"/procurements/{instance}")
    assert "Työllisyys &lt;b&gt;2026&lt;/b&gt;" in page and "<b>2026</b>" not in page
    # the diagram, drawn on the server, with the states marked
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'role="img"' in page
    assert 'data-element-id="submit"' in page
    assert 'class="bpmn-element bpmn-task state-completed bpmn-userTask" data-element-id="submit"' in page
    assert 'state-active bpmn-userTask" data-element-id="review"' in page
    assert "Käynnissä:</strong> Katselmoi ehdotus" in page
    # participants, deadlines and history
    assert "Kainuun maakunta" in page and "Yrityspolku Oy" in page and "Uraverkko Oy" in page
    assert "20.3.2026" in page and "timeline-task" in page and "Tänään" in page
    assert "Hankinta aloitettu" in page and "Tehtävä tehty" in page and "Aino Heikkinen" in page
    assert "Summa (€)" in page and "1200" in page  # the data entered, under its field's label
    every = browser.text(f"/procurements/{instance}?steps=all")
    assert every.count("<tr>") > page.count("<tr>")


def test_a_tenderer_sees_only_its_own_part(example: ExampleSite, browser: Browser) -> None:
    instance = example.start()
    example.submit(instance, title="Palvelu")
    carol_task = example.task_of("carol", instance, "review")
    example.engine.complete_task(carol_task, "carol", {"approve": True, "comment": "Uraverkon salainen kommentti"})
    bob_task = example.task_of("bob", instance, "review")
    browser.sign_in("bob")
    page = browser.text(f"/procurements/{instance}")
    assert "Palvelu" in page and f"/tasks/{bob_task}" in page
    for secret in ("Uraverkko", "Carol", "salainen", "<svg", "1200", "Aino", "Osallistujat"):
        assert secret not in page, secret
    browser.post(f"/tasks/{bob_task}", {"approve": "true", "comment": "Yrityspolun kommentti"})
    page = browser.text(f"/procurements/{instance}")
    assert "Yrityspolun kommentti" in page and "salainen" not in page


def test_start_a_procurement(example: ExampleSite, browser: Browser) -> None:
    browser.sign_in("aino")
    assert "Aloita uusi hankinta" in browser.text("/procurements/")
    response = browser.get("/procurements/new")
    assert response.status_code == 302 and response.headers["Location"] == "/procurements/new/example_review"
    page = browser.text("/procurements/new/example_review")
    assert "Asianumero" in page
    response = browser.post("/procurements/new/example_review", {"business_key": "bad key!"})
    assert response.status_code == 422 and "Käytä vain kirjaimia" in response.get_data(as_text=True)
    assert example.engine.instances() == []
    response = browser.post("/procurements/new/example_review", {"business_key": "KAI/7/2026"})
    assert response.status_code == 302
    [started] = example.engine.instances()
    assert started.business_key == "KAI/7/2026" and started.started_by == "aino"
    assert response.headers["Location"] == f"/procurements/{started.id}"
    response = browser.post("/procurements/new/example_review", {"business_key": "KAI/7/2026"})
    assert response.status_code == 409 and "on jo käytössä" in response.get_data(as_text=True)
    assert browser.post("/procurements/new/example_review", {}).status_code == 302  # a key is made up
    assert len(example.engine.instances()) == 2


def test_only_those_allowed_may_start(example: ExampleSite, browser: Browser) -> None:
    for user in ("bob", "irma", "outi"):
        browser.sign_in(user)
        assert "Aloita uusi hankinta" not in browser.text("/procurements/")
        assert browser.get("/procurements/new").status_code == 403
        assert browser.get("/procurements/new/example_review").status_code == 404
        refused = 403 if user == "irma" else 404  # the auditor is refused every change before anything else
        assert browser.post("/procurements/new/example_review", {}).status_code == refused
    assert example.engine.instances() == []
