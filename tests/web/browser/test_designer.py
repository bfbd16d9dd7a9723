"""The designers' workbench in Chromium: open a version in the modeler, rename a task, lint (a problem
clicked selects its element), see the diff, deploy, see the new version listed, and migrate a running
procurement after a dry run. Its own small site (the example diagram), so the shared one is untouched."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Database, Engine
from tests.conftest import ROOT
from tests.web.browser.conftest import screenshot, serious_violations, serving
from tests.web.conftest import EXAMPLE, PASSWORD, Clock
from tests.web.test_designer import RoleResolver, directory
from web.app import create_app, prepare
from workflows.forms import validate_form

BUNDLE = ROOT / "web" / "static" / "designer" / "modeler.js"


@pytest.fixture(scope="module")
def designer_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    if not BUNDLE.exists():  # scripts/test builds it; a bare pytest run builds it here
        subprocess.run(["npm", "run", "build"], cwd=ROOT / "web", check=True, capture_output=True)
    people, clock = directory(), Clock()

    def factory(database: Database) -> Engine:
        return Engine(database, RoleResolver(people), form_validator=validate_form, clock=clock,
                      local_timezone="Europe/Helsinki")

    folder: Path = tmp_path_factory.mktemp("designer")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{folder / 'd.db'}",
                      "BPMN_DIR": str(EXAMPLE), "ENGINE_FACTORY": factory, "DIRECTORY": people})
    prepare(app)
    with serving(app, "designer-site") as url:
        yield url, app.extensions["allianssi"].engine


def classes_of(page: Any, element_id: str) -> str:
    return page.locator(f'#canvas g.djs-element[data-element-id="{element_id}"]').get_attribute("class") or ""


def test_model_lint_diff_deploy_and_migrate(chromium: Any, designer_site: tuple[str, Engine], axe_source: str) -> None:
    url, engine = designer_site
    running = engine.start("example_review", "aino", {"reviewers": ["yrityspolku"]}, business_key="KAI-2026-9").id
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="fi-FI", base_url=url)
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto("/login")
        page.get_by_label("Käyttäjätunnus").fill("dora")
        page.get_by_label("Salasana").fill(PASSWORD)
        page.get_by_role("button", name="Kirjaudu sisään").click()
        page.wait_for_url(re.compile(r"/$"))
        page.goto("/designer/")
        page.locator('tr[data-version="1"]').get_by_role("button", name="Avaa mallintimessa").click()
        page.wait_for_url(re.compile(r"/designer/drafts/\w+$"))
        page.wait_for_function("() => document.getElementById('workbench').dataset.state === "
                               "'opened example_review.bpmn'")
        assert page.locator('#canvas g[data-element-id="revise"]').count() == 1
        assert page.locator("#properties .bio-properties-panel").count() == 1  # the properties panel is there

        # rename "revise" as a person would: double-click it and type the new name
        page.locator('#canvas g.djs-element[data-element-id="revise"]').dblclick()
        editor = page.locator(".djs-direct-editing-parent")
        editor.press("Control+a")
        editor.type("Korjaa ehdotus huolella")
        page.locator('#canvas g.djs-element[data-element-id="done"]').click()
        page.get_by_role("button", name="Tarkista").click()
        page.wait_for_function("() => (document.getElementById('workbench').dataset.state || '').startsWith('lint:')")
        assert page.locator("#workbench").get_attribute("data-state") == "lint: no errors"
        assert page.locator("#status").inner_text() == "Ei virheitä"  # in the viewer's language
        problem = page.locator("#problems button", has_text="fake-join")
        assert "example_review.bpmn:" in problem.inner_text() and "[review]" in problem.inner_text()
        problem.click()  # selects the element in the modeler
        assert "selected" in classes_of(page, "review")
        assert engine.draft(page.url.rsplit("/", 1)[-1]).revision == 2  # linting saved the draft first

        page.get_by_role("button", name="Näytä muutokset").click()
        page.wait_for_function("() => (document.getElementById('workbench').dataset.state || '').startsWith('diff:')")
        changes = page.locator("#changes li").all_inner_texts()
        assert len(changes) == 1 and changes[0].startswith("changed: revise Korjaa ehdotus huolella"), changes
        assert "diff-changed" in classes_of(page, "revise")
        assert not serious_violations(page, axe_source)
        screenshot(page, "designer.png", full_page=True)

        page.get_by_label("Peruste (tallentuu lokiin)").fill("Selkeämpi tehtävän nimi")
        page.get_by_role("button", name="Ota käyttöön uutena versiona").click()
        page.wait_for_url(re.compile(r"/designer/$"))
        row = page.locator('tr[data-version="2"]')
        assert "Selkeämpi tehtävän nimi" in row.inner_text() and "dora" in row.inner_text()
        assert page.locator('tr[data-version="1"] td.running-count').inner_text() == "1"

        row.get_by_role("link", name="Muutokset edelliseen versioon").click()  # v1 → v2, coloured
        page.wait_for_selector('.diff-canvas[data-state="drawn"]')
        assert "diff-changed" in page.locator(
            '.diff-canvas g.djs-element[data-element-id="revise"]').get_attribute("class")
        assert "name: Korjaa ehdotus → Korjaa ehdotus huolella" in page.locator(".diff-table").inner_text()
        page.go_back()

        row.get_by_role("link", name="Siirrä käynnissä olevat hankinnat tähän versioon").click()
        plan = page.locator(f'tr[data-instance="{running}"]')
        assert plan.get_attribute("class") == "safe" and "revise (Korjaa ehdotus) changes" in plan.inner_text()
        plan.get_by_role("checkbox").check()
        page.get_by_label("Peruste (tallentuu lokiin)").fill("uusi nimi")
        page.get_by_role("button", name="Siirrä valitut hankinnat").click()
        page.wait_for_load_state()
        assert "siirretty versioon 2" in page.locator(".flashes").inner_text()
        assert engine.instance(running).definition_version == 2 and engine.replay(running).consistent
        assert not errors, errors
    finally:
        context.close()
