"""The designers' workbench over real HTTP: drafts refused with file, line and element; deploys that
leave running procurements on their version; migration after a dry run; 403 for everyone else."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from engine import Database, Engine, SourceFile
from tests.engine.conftest import ExampleResolver as EngineExampleResolver
from tests.web.conftest import EXAMPLE, Browser, Clock, ExampleResolver, _user, example_directory
from web.app import create_app, prepare
from workflows.directory import Directory
from workflows.forms import validate_form

XML = EXAMPLE.read_text(encoding="utf-8")


class ScenarioResolver(EngineExampleResolver):
    """The scenario file beside the example diagram names the engine tests' users (alice, bob)."""

    def roles(self) -> frozenset[str]:
        return frozenset({"author", "reviewer"})


class RoleResolver(ExampleResolver):
    def roles(self) -> frozenset[str]:
        return frozenset({"author", "reviewer"})


def directory() -> Directory:
    base = example_directory()
    return Directory(list(base.organisations.values()),
                     [*base.users.values(), _user("dora", "Dora Suunnittelija", ("kainuu", "designer"))])


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Flask, Engine]]:
    people, clock = directory(), Clock()

    def factory(database: Database) -> Engine:
        return Engine(database, RoleResolver(people), form_validator=validate_form, clock=clock,
                      local_timezone="Europe/Helsinki")

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}",
                      "BPMN_DIR": str(EXAMPLE), "ENGINE_FACTORY": factory, "DIRECTORY": people,
                      "SCENARIO_ENGINE_FACTORY": lambda database, scenario_clock: Engine(
                          database, ScenarioResolver(), form_validator=validate_form, clock=scenario_clock)})
    prepare(app)
    yield app, app.extensions["allianssi"].engine
    app.extensions["allianssi"].database.dispose()


def signed_in(app: Flask, username: str) -> Browser:
    browser = Browser(app.test_client())
    browser.sign_in(username)
    return browser


def draft_of(engine: Engine, xml: str) -> str:
    return engine.create_draft("dora", "test", files={"example_review.bpmn": xml}).id


BROKEN = {
    "malformed XML": (XML.replace('<bpmn:endEvent id="done" name="Valmis">', '<bpmn:endEvent id="done" name="Valmis"'),
                      None, "malformed XML"),
    "unknown element": (XML.replace('<bpmn:scriptTask id="tally"', '<bpmn:scriptTaskk id="tally"', 1).replace(
        "</bpmn:scriptTask>\n    <bpmn:exclusiveGateway", "</bpmn:scriptTaskk>\n    <bpmn:exclusiveGateway", 1),
        None, "scriptTaskk"),
    "unconditioned gateway flow": (XML.replace('default="f8"', ""), "f8", "has no condition"),
    "unknown form field type": (XML.replace('<camunda:formField id="deadline" label="Katselmoinnin määräpäivä" '
                                            'type="date">', '<camunda:formField id="deadline" label="Katselmoinnin '
                                            'määräpäivä" type="datetime">'), "submit", "unknown type 'datetime'"),
    "importing script": (XML.replace("<bpmn:script>rounds = 1", "<bpmn:script>import os\nrounds = 1"), "prepare",
                         "import"),
    "lane with no role": (XML.replace('<bpmn:lane id="Lane_reviewer" name="reviewer">',
                                      '<bpmn:lane id="Lane_reviewer" name="katselmoija">'), "review", "no known role"),
    "bpmnlint error": (XML.replace('<bpmn:endEvent id="done" name="Valmis">', '<bpmn:endEvent id="done">'), "done",
                       "label-required"),
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_a_draft_with_a_problem_is_refused_with_file_line_and_element(site: tuple[Flask, Engine], kind: str) -> None:
    app, engine = site
    xml, element, words = BROKEN[kind]
    assert xml != XML, "the test's edit did not apply"
    draft_id = draft_of(engine, xml)
    before = engine.definitions()
    response = signed_in(app, "dora").post(f"/designer/drafts/{draft_id}/deploy", {"reason": "try"})
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    problems = re.findall(r'<li class="problem problem-error">.*?</li>', page, re.S)
    located = [p for p in problems if words in p and re.search(r"example_review\.bpmn:\d+", p)
               and (element is None or f"[{element}]" in p)]
    assert located, (kind, problems)
    assert engine.definitions() == before  # nothing deployed
    assert engine.draft(draft_id).status == "open"


def test_lint_lists_each_problem_as_json_with_file_line_and_element(site: tuple[Flask, Engine]) -> None:
    app, engine = site
    draft_id = draft_of(engine, BROKEN["bpmnlint error"][0])
    body = signed_in(app, "dora").post(f"/designer/drafts/{draft_id}/lint").get_json()
    assert body["errors"] is True
    [finding] = [f for f in body["findings"] if f["rule"] == "label-required"]
    assert finding["file"] == "example_review.bpmn" and finding["element_id"] == "done" and finding["line"] > 100


def test_deploy_creates_a_version_and_running_procurements_keep_theirs(site: tuple[Flask, Engine]) -> None:
    app, engine = site
    running = engine.start("example_review", "aino", {"reviewers": ["yrityspolku"]}).id
    browser = signed_in(app, "dora")
    response = browser.post("/designer/drafts", {"process_id": "example_review", "version": "1"})
    draft_id = response.headers["Location"].rsplit("/", 1)[-1]
    renamed = XML.replace('name="Korjaa ehdotus"', 'name="Korjaa ehdotus huolella"')
    saved = browser.client.post(f"/designer/drafts/{draft_id}/files/example_review.bpmn",
                                json={"xml": renamed, "revision": 1}, headers={"X-CSRF-Token": browser.token()})
    assert saved.get_json() == {"revision": 2}
    diff = browser.get(f"/designer/drafts/{draft_id}/diff").get_json()
    assert [(c["element_id"], c["change"]) for c in diff["changes"]] == [("revise", "changed")]
    response = browser.post(f"/designer/drafts/{draft_id}/deploy", {"reason": "clearer task name", "revision": "2"})
    assert response.status_code == 302
    assert [d.version for d in engine.definitions()] == [1, 2]
    assert engine.instance(running).definition_version == 1
    [event] = [e for e in engine.history("definitions") if e.payload.get("version") == 2]
    assert event.actor == "dora" and event.payload["reason"] == "clearer task name"
    page = browser.text("/designer/")
    assert re.search(r'<tr data-version="2">.*?clearer task name.*?<td class="running-count">0</td>', page, re.S)
    assert re.search(r'<tr data-version="1">.*?<td class="running-count">1</td>', page, re.S)


def test_migration_after_a_dry_run_is_one_audited_command_each(site: tuple[Flask, Engine]) -> None:
    app, engine = site
    early = engine.start("example_review", "aino", {"reviewers": ["yrityspolku"]}).id  # at "submit"
    later = engine.start("example_review", "aino", {"reviewers": ["yrityspolku"]}).id
    task = next(t for t in engine.inbox("aino", later) if t.element_id == "submit")
    engine.complete_task(task.id, "aino", {"title": "A", "amount": "1", "deadline": "2026-04-01"})  # at "review"
    renamed = XML.replace('name="Katselmoi ehdotus"', 'name="Katselmoi"')
    engine.deploy([SourceFile("example_review.bpmn", renamed.encode())], "dora")
    browser = signed_in(app, "dora")
    plan = html.unescape(browser.text("/designer/example_review/migrate?to=2"))
    assert f'data-instance="{early}" class="safe"' in plan and "review (Katselmoi ehdotus) changes" in plan
    assert f'data-instance="{later}" class="unsafe"' in plan
    assert "review (Katselmoi ehdotus) is ready here and changed in the new version (bpmn_name)" in plan
    response = browser.post("/designer/example_review/migrate", {"to": "2", "instance": early, "reason": "fix"})
    assert response.status_code == 302
    assert engine.instance(early).definition_version == 2
    [event] = [e for e in engine.history(early) if e.type == "instance_migrated"]
    assert event.actor == "dora" and event.payload["reason"] == "fix"
    refused = browser.post("/designer/example_review/migrate", {"to": "2", "instance": later}, follow_redirects=True)
    assert "ei siirretty" in html.unescape(refused.get_data(as_text=True))
    assert engine.instance(later).definition_version == 1
    task = next(t for t in engine.inbox("aino", early) if t.element_id == "submit")
    engine.complete_task(task.id, "aino", {"title": "B", "amount": "1", "deadline": "2026-04-01"})
    assert [t.name for t in engine.instance(early).open_tasks] == ["Katselmoi"]  # the new version's task
    history = signed_in(app, "aino").text(f"/procurements/{early}")
    assert "Siirretty prosessin uudempaan versioon" in history
    assert engine.replay(early).consistent and engine.replay(later).consistent


@pytest.mark.parametrize("username", ["aino", "irma", "bob"])
def test_only_designers_change_anything(site: tuple[Flask, Engine], username: str) -> None:
    app, engine = site
    draft_id = draft_of(engine, XML)
    instance = engine.start("example_review", "aino", {"reviewers": ["yrityspolku"]}).id
    browser = signed_in(app, username)
    assert browser.post("/designer/drafts", {"process_id": "example_review", "version": "1"}).status_code == 403
    saved = browser.client.post(f"/designer/drafts/{draft_id}/files/example_review.bpmn", json={"xml": XML},
                                headers={"X-CSRF-Token": browser.token()})
    assert saved.status_code == 403
    assert browser.post(f"/designer/drafts/{draft_id}/deploy", {"reason": "x"}).status_code == 403
    assert browser.post("/designer/example_review/migrate", {"to": "1", "instance": instance}).status_code == 403
    assert browser.get(f"/designer/drafts/{draft_id}").status_code == 403
    assert browser.get("/designer/").status_code == (200 if username == "irma" else 403)  # the auditor reads
    assert [d.version for d in engine.definitions()] == [1] and engine.draft(draft_id).revision == 1


def test_files_made_in_camunda_modeler_are_uploaded_as_a_draft(site: tuple[Flask, Engine]) -> None:
    app, engine = site
    browser = signed_in(app, "dora")
    response = browser.post("/designer/drafts/upload", {
        "title": "Camunda Modeler", "files": (io.BytesIO(XML.encode()), "example_review.bpmn")},
        content_type="multipart/form-data")
    assert response.status_code == 302 and "/designer/drafts/" in response.headers["Location"]
    [draft] = engine.drafts()
    assert draft.title == "Camunda Modeler" and draft.files == {"example_review.bpmn": XML}
    assert draft.process_id is None and draft.created_by == "dora"
    page = browser.text(response.headers["Location"])
    assert 'id="canvas"' in page and "example_review.bpmn" in page
    refused = browser.post("/designer/drafts/upload", {"files": (io.BytesIO(b"x"), "notes.txt")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "a draft holds .bpmn and .dmn files" in html.unescape(refused.get_data(as_text=True))
    assert len(engine.drafts()) == 1


def test_scenarios_run_from_the_page_pass_and_fail_naming_the_step(site: tuple[Flask, Engine]) -> None:
    app, engine = site
    browser = signed_in(app, "dora")
    draft_id = engine.create_draft("dora", "x", process_id="example_review", base_version=1).id
    [result] = browser.post(f"/designer/drafts/{draft_id}/test").get_json()["results"]
    assert result["passed"], result
    engine.save_draft(draft_id, "example_review.bpmn", XML.replace("rounds += 1", "rounds += 2"), "dora")
    [result] = browser.post(f"/designer/drafts/{draft_id}/test").get_json()["results"]
    assert not result["passed"]
    assert result["failure"] == "step 3 (alice: revise): data 'rounds' is 3, expected 2"


def test_each_version_shows_its_diagram_and_files(site: tuple[Flask, Engine]) -> None:
    app, _engine = site
    browser = signed_in(app, "irma")  # the auditor reads
    page = browser.text("/designer/example_review/v1/")
    assert "<svg" in page and 'data-element-id="revise"' in page
    download = browser.get("/designer/example_review/v1/files/example_review.bpmn")
    assert download.status_code == 200 and download.get_data(as_text=True) == XML
    assert "attachment" in download.headers["Content-Disposition"]
    assert browser.get("/designer/example_review/v9/").status_code == 404
