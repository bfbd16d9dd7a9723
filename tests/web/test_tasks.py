"""The task page: the generated form, server-side validation, and every way completing can fail."""

from __future__ import annotations

import re

from tests.web.conftest import Browser, ExampleSite


def _field(page: str, name: str) -> str:
    found = re.search(r'<(?:input|textarea|select)[^>]*name="' + name + r'"[^>]*>', page)
    assert found, f"no input {name}"
    return found.group(0)


def test_task_page_shows_procurement_phase_instructions_and_form(example: ExampleSite, browser: Browser) -> None:
    instance = example.start()
    task = example.task_of("aino", instance, "submit")
    browser.sign_in("aino")
    page = browser.text(f"/tasks/{task}")
    assert "<h1>Jätä ehdotus</h1>" in page
    assert "KAI-2026-1" in page and f"/procurements/{instance}" in page
    assert "Ehdotus" in page  # the phase
    assert "Kirjoita ehdotuksen otsikko, summa ja katselmoinnin määräpäivä." in page
    assert '<label for="field-title">Otsikko <span class="required">(pakollinen)</span></label>' in page
    amount = _field(page, "amount")
    assert 'type="number"' in amount and 'min="0"' in amount and 'max="1000000"' in amount and 'step="1"' in amount
    assert 'aria-describedby="field-amount-help"' in amount and "Kokonaisluku 0–1 000 000." in page
    assert 'type="date"' in _field(page, "deadline")
    assert 'maxlength="200"' in _field(page, "title")


def test_task_page_in_english(example: ExampleSite, browser: Browser) -> None:
    instance = example.start()
    example.submit(instance)
    task = example.task_of("bob", instance, "review")
    browser.sign_in("bob")
    browser.post("/language", {"language": "en"})
    page = browser.text(f"/tasks/{task}")
    assert "<h1>Review the proposal</h1>" in page
    assert "Approve or reject the proposal, with reasons." in page
    assert "I approve" in page and "Reasons" in page
    assert "<textarea" in _field(page, "comment") and 'type="checkbox"' in _field(page, "approve")


def test_bad_values_give_422_with_messages_next_to_fields_and_store_nothing(example: ExampleSite,
                                                                           browser: Browser) -> None:
    instance = example.start()
    task = example.task_of("aino", instance, "submit")
    before = len(example.engine.history(instance))
    browser.sign_in("aino")
    response = browser.post(f"/tasks/{task}", {"title": "Työllisyyspalvelut", "amount": "2000000", "deadline": "31.3."})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Mitään ei tallennettu" in page
    assert 'id="field-amount-error"' in page and "Anna luku väliltä 0–1000000." in page
    assert 'id="field-deadline-error"' in page and "Anna päivämäärä muodossa VVVV-KK-PP" in page
    assert 'aria-invalid="true"' in _field(page, "amount")
    assert 'value="Työllisyyspalvelut"' in _field(page, "title")  # what was typed is kept
    assert 'value="2000000"' in _field(page, "amount") and 'value="31.3."' in _field(page, "deadline")
    assert "field-title-error" not in page
    assert len(example.engine.history(instance)) == before
    assert example.engine.task(task).id == task

    response = browser.post(f"/tasks/{task}", {"title": "", "amount": "12", "deadline": "2026-03-31"})
    assert response.status_code == 422 and "Tämä kenttä on pakollinen." in response.get_data(as_text=True)
    response = browser.post(f"/tasks/{task}", {"title": "Työllisyyspalvelut", "amount": "12",
                                               "deadline": "2026-03-31"})
    assert response.status_code == 302
    assert example.engine.instance(instance).data["amount"] == 12


def test_completing_a_completed_task_is_a_clear_conflict(example: ExampleSite, browser: Browser) -> None:
    instance = example.start()
    task = example.task_of("aino", instance, "submit")
    browser.sign_in("aino")
    data = {"title": "A", "amount": "1", "deadline": "2026-03-31"}
    assert browser.post(f"/tasks/{task}", data).status_code == 302
    response = browser.post(f"/tasks/{task}", data)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Tehtävä on jo tehty" in page and "Mitään syöttämääsi ei tallennettu" in page
    assert browser.get(f"/tasks/{task}").status_code == 409  # opening it again says it is done


def test_another_users_task_is_not_found_and_cannot_be_done(example: ExampleSite, browser: Browser) -> None:
    instance = example.start()
    example.submit(instance)
    carol_task = example.task_of("carol", instance, "review")
    before = len(example.engine.history(instance))
    for user in ("bob", "outi"):
        browser.sign_in(user)
        assert browser.get(f"/tasks/{carol_task}").status_code == 404
        assert browser.post(f"/tasks/{carol_task}", {"approve": "true"}).status_code == 404
        assert browser.post(f"/tasks/{carol_task}/claim").status_code == 404
        assert browser.post(f"/tasks/{carol_task}/delegate", {"to": "carol"}).status_code == 404
    assert browser.get("/tasks/no-such-task").status_code == 404
    assert browser.post("/tasks/no-such-task", {}).status_code == 404
    assert len(example.engine.history(instance)) == before


def test_a_task_claimed_by_a_colleague_is_read_only(example: ExampleSite, browser: Browser) -> None:
    instance = example.start()
    task = example.task_of("aino", instance, "submit")
    example.engine.claim(task, "eero")
    browser.sign_in("aino")
    page = browser.text(f"/tasks/{task}")
    assert "Eero Huotari on varannut tämän tehtävän" in page and 'name="title"' not in page
    response = browser.post(f"/tasks/{task}", {"title": "A", "amount": "1", "deadline": "2026-03-31"})
    assert response.status_code == 403
    assert example.engine.task(task).claimed_by == "eero"


def test_the_auditor_reads_but_cannot_act(example: ExampleSite, browser: Browser) -> None:
    instance = example.start()
    task = example.task_of("aino", instance, "submit")
    browser.sign_in("irma")
    page = browser.text(f"/tasks/{task}")
    assert "Jätä ehdotus" in page and 'name="title"' not in page and "lukea" in page
    assert browser.post(f"/tasks/{task}", {"title": "A", "amount": "1", "deadline": "2026-03-31"}).status_code == 403
    assert browser.post(f"/tasks/{task}/claim").status_code == 403


def test_a_failing_script_is_explained_and_stores_nothing(example: ExampleSite, browser: Browser) -> None:
    instance = example.engine.start("example_review", "aino", {}, business_key="NO-REVIEWERS").id
    task = example.task_of("aino", instance, "submit")
    before = len(example.engine.history(instance))
    browser.sign_in("aino")
    response = browser.post(f"/tasks/{task}", {"title": "A", "amount": "1", "deadline": "2026-03-31"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Mitään ei tallennettu" in page and "reviewers" in page
    assert 'value="A"' in _field(page, "title")
    assert len(example.engine.history(instance)) == before


def test_after_completing_the_next_task_of_mine_opens(example: ExampleSite, browser: Browser) -> None:
    instance = example.start(reviewers=("yrityspolku",))
    example.submit(instance)
    task = example.task_of("bob", instance, "review")
    browser.sign_in("bob")
    response = browser.post(f"/tasks/{task}", {"comment": "Ei vielä."})  # not approved: back to the author
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Valmis: Katselmoi ehdotus." in browser.text("/")
    browser.sign_in("aino")
    revise = example.task_of("aino", instance, "revise")
    response = browser.post(f"/tasks/{revise}", {"title": "Parempi"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
