"""The inbox: my tasks and my organisation's tasks; claim, release, delegate; filters and pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.web.conftest import Browser, ExampleSite


def _tasks_in(page: str) -> int:
    return page.count('class="task-link"')


def test_inbox_shows_my_organisations_tasks_only(example: ExampleSite, browser: Browser) -> None:
    instance = example.start()
    browser.sign_in("aino")
    page = browser.text("/")
    assert "Jätä ehdotus" in page and "KAI-2026-1" in page
    browser.sign_in("outi")  # an orderer of another organisation
    assert _tasks_in(browser.text("/")) == 0
    example.submit(instance)
    browser.sign_in("bob")
    page = browser.text("/")
    assert _tasks_in(page) == 1 and "Katselmoi ehdotus" in page and "Yrityspolku Oy" in page
    assert "Uraverkko" not in page  # the other tenderer's review is not even named
    browser.sign_in("irma")  # the auditor acts on nothing: their start page is the audit index
    assert browser.get("/").headers["Location"].endswith("/audit/")
    assert _tasks_in(browser.text("/?q=")) == 0


def test_claim_release_and_delegate(example: ExampleSite, browser: Browser, browser_factory: Any) -> None:
    instance = example.start()
    task = example.task_of("aino", instance, "submit")
    eero = browser_factory()
    eero.sign_in("eero")
    browser.sign_in("aino")

    response = browser.post(f"/tasks/{task}/claim", {"next": "/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert example.engine.task(task).claimed_by == "aino"
    page = browser.text("/")
    assert "Sinä" in page and "Vapauta" in page
    assert _tasks_in(eero.text("/")) == 0  # claimed by a colleague: gone from their inbox

    assert browser.post(f"/tasks/{task}/claim").status_code == 409  # twice: a clear conflict
    assert browser.post(f"/tasks/{task}/release", {"next": "/"}).status_code == 302
    assert example.engine.task(task).claimed_by is None
    assert _tasks_in(eero.text("/")) == 1

    page = browser.text(f"/tasks/{task}")
    assert 'value="eero"' in page and 'value="aino"' not in page  # colleagues only, not myself
    assert browser.post(f"/tasks/{task}/delegate", {"to": "bob"}).status_code == 400  # not a colleague
    assert browser.post(f"/tasks/{task}/delegate", {"to": "eero"}).status_code == 302
    assert example.engine.task(task).claimed_by == "eero"
    assert _tasks_in(browser.text("/")) == 0
    assert "Sinä" in eero.text("/")
    events = [e.type for e in example.engine.history(instance)]
    assert events.count("task_claimed") == 1 and "task_released" in events and "task_delegated" in events


def test_due_dates_days_left_and_overdue(example: ExampleSite, browser: Browser) -> None:
    instance = example.start()
    example.submit(instance, deadline="2026-03-05")  # the review is due on Thursday 5 March
    browser.sign_in("bob")
    page = browser.text("/")
    assert "5.3.2026" in page and "3 päivää jäljellä" in page and "due-soon" in page
    example.clock.now += timedelta(days=5)
    page = browser.text("/")
    assert "2 päivää myöhässä" in page and "due-overdue" in page and "row-overdue" in page
    assert _tasks_in(browser.text("/?due=overdue")) == 1
    assert _tasks_in(browser.text("/?due=none")) == 0


def test_filters_and_search(example: ExampleSite, browser: Browser) -> None:
    first = example.start(key="KAI-2026-1")
    second = example.start(key="KAJ-2026-7")
    example.submit(second)
    browser.sign_in("aino")
    assert _tasks_in(browser.text("/")) == 1
    example.engine.claim(example.task_of("aino", first, "submit"), "aino")
    browser.sign_in("bob")
    assert _tasks_in(browser.text("/")) == 1
    browser.sign_in("aino")
    assert _tasks_in(browser.text(f"/?procurement={first}")) == 1
    assert _tasks_in(browser.text(f"/?procurement={second}")) == 0
    assert _tasks_in(browser.text("/?q=kai-2026")) == 1
    page = browser.text("/?q=nothing")
    assert _tasks_in(page) == 0 and "Yksikään tehtävä ei vastaa" in page
    assert _tasks_in(browser.text("/?phase=proposal")) == 1
    assert _tasks_in(browser.text("/?phase=review")) == 0
    assert browser.get("/?due=<script>").status_code == 200


def test_pages(example: ExampleSite, browser: Browser) -> None:
    example.app.config["PAGE_SIZE"] = 2
    for n in range(5):
        example.start(key=f"KAI-2026-{n}")
    browser.sign_in("aino")
    first = browser.text("/")
    assert _tasks_in(first) == 2 and 'aria-current="page">1<' in first and "sivu 1/3" in first
    assert _tasks_in(browser.text("/?page=3")) == 1
    assert _tasks_in(browser.text("/?page=99")) == 1  # past the end: the last page
    assert _tasks_in(browser.text("/?page=x")) == 2
