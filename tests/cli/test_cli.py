"""The `allianssi` command line, as the README walks through it, on a real SQLite file."""

from __future__ import annotations

import importlib
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from engine.service_handlers import installed_handlers
from tests.conftest import ROOT
from web.cli import main

START = {"title": "Kainuun yrityspalveluallianssi", "region": "kainuu",
         "candidate_municipalities": "kajaani, sotkamo", "estimated_value": 900000, "service_type": "services"}


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True) -> str:
        result = runner.invoke(main, list(args))
        assert (result.exit_code == 0) == ok, (args, result.exit_code, result.output, result.exception)
        return result.output

    invoke.url = url  # type: ignore[attr-defined]
    return invoke


def test_the_readme_walkthrough(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("init")
    assert "ok  alliance_procurement" in run("validate", str(ROOT / "bpmn"))
    assert "new   alliance_procurement  v1" in run("deploy", str(ROOT / "bpmn"))
    assert "same  alliance_procurement  v1" in run("deploy", str(ROOT / "bpmn"))
    started = run("start", "alliance_procurement", "--as", "kainuu.orderer", "--key", "KAI-2026-7",
                  "--data", json.dumps(START))
    instance_id = started.split()[1]
    tasks = json.loads(run("tasks", "--as", "kajaani.council", "--json"))
    assert [(t["business_key"], t["organisations"]) for t in tasks["items"]] == [("KAI-2026-7", ["kajaani"])]
    assert (tasks["page"], tasks["pages"], tasks["total"]) == (1, 1, 1)
    task_id = tasks["items"][0]["id"]

    refused = run("complete", task_id, "--as", "kajaani.council", "--data", '{"joins": "maybe"}', ok=False)
    assert "joins" in refused and "decision_reference" in refused
    assert "NotAllowed" in run("complete", task_id, "--as", "sotkamo.council", "--data", "{}", ok=False)
    run("complete", task_id, "--as", "kajaani.council", "--data",
        json.dumps({"joins": True, "decision_reference": "Kajaanin kvalt 9.2.2026 § 12"}))
    assert "TaskNotReady" in run("complete", task_id, "--as", "kajaani.council", "--data", "{}", ok=False)

    events = json.loads(run("history", instance_id, "--json"))
    assert events[0]["type"] == "instance_started" and any(e["type"] == "task_completed" for e in events)
    assert run("verify", instance_id).startswith("ok:")
    assert run("replay", instance_id).strip().endswith("consistent")
    package = tmp_path / "a.zip"
    run("export-package", instance_id, "-o", str(package))
    assert run("verify-package", str(package)).startswith("ok:")

    engine = create_engine(run.url)  # tamper by SQL: verify and replay now fail, naming the event
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE stream = :s AND seq = 2"),
                           {"s": instance_id})
    engine.dispose()
    assert "event 2" in run("verify", instance_id, ok=False)
    assert "BROKEN" in run("verify", "--all", ok=False)


def test_tasks_come_a_page_at_a_time_with_the_counts(run) -> None:  # type: ignore[no-untyped-def]
    run("init")
    run("deploy", str(ROOT / "bpmn"))
    keys = [f"KAI-2026-{n}" for n in range(1, 6)]
    for key in keys:
        run("start", "alliance_procurement", "--as", "kainuu.orderer", "--key", key, "--data", json.dumps(START))
    pages = [json.loads(run("tasks", "--as", "kajaani.council", "--size", "2", "--page", str(n), "--json"))
             for n in (1, 2, 3)]
    assert [(p["page"], p["pages"], p["total"], len(p["items"])) for p in pages] == [(1, 3, 5, 2), (2, 3, 5, 2),
                                                                                       (3, 3, 5, 1)]
    seen = [t["business_key"] for p in pages for t in p["items"]]
    assert sorted(seen) == keys, "every task once, none twice"
    assert json.loads(run("tasks", "--as", "kajaani.council", "--size", "2", "--page", "9", "--json"))["page"] == 3
    text_page = run("tasks", "--as", "kajaani.council", "--size", "2")
    assert "page 1 of 3 (5 tasks); --page 2 for the next" in text_page and len(text_page.splitlines()) == 3
    assert "page" not in run("tasks", "--as", "kajaani.council", "--size", "2", "--page", "3").split("\n")[0]
    assert "there is no page 9: page 3 of 3 (5 tasks)" in run("tasks", "--as", "kajaani.council", "--size", "2",
                                                               "--page", "9")
    assert "no open tasks" in run("tasks", "--as", "nobody")
    run("tasks", "--as", "kajaani.council", "--size", "0", ok=False)


def test_a_broken_diagram_is_reported_with_file_line_and_element(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken.bpmn"
    text_ = (ROOT / "tests" / "engine" / "bpmn" / "example_review.bpmn").read_text(encoding="utf-8")
    broken.write_text(text_.replace("<bpmn:flowNodeRef>revise</bpmn:flowNodeRef>", ""), encoding="utf-8")
    run("init")
    output = run("deploy", str(broken), ok=False)
    assert "broken.bpmn:" in output and "[revise]" in output and "not in a lane" in output
    assert "no deployed process" in run("start", "alliance_procurement", "--as", "kainuu.orderer", ok=False)


def test_bad_json_is_a_usage_error(run) -> None:  # type: ignore[no-untyped-def]
    run("init")
    assert "not JSON" in run("start", "alliance_procurement", "--as", "x", "--data", "{oops", ok=False)


def test_validate_prints_bpmnlint_and_design_problems_with_file_line_and_element(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "bpmn"
    shutil.copytree(ROOT / "bpmn", folder, ignore=shutil.ignore_patterns("*.scenario.json"))
    strategy = folder / "alliance_strategy.bpmn"
    strategy.write_text(strategy.read_text(encoding="utf-8").replace(
        '<bpmn:endEvent id="s_end" name="Strategiavaihe päättyi">', '<bpmn:endEvent id="s_end">'), encoding="utf-8")
    lenient = run("validate", str(folder))  # still deployable: the problems are shown, the exit status is 0
    assert "ok  alliance_procurement" in lenient and "label-required" in lenient
    output = run("validate", "--strict", str(folder), ok=False)
    assert re.search(r"error alliance_strategy\.bpmn:\d+ \[s_end\]: Element is missing label/name \(label-required\) "
                     r"\[bpmnlint\]", output), output
    assert "error" not in run("validate", "--strict", str(ROOT / "bpmn")).replace("note", "")


def test_test_diagrams_runs_the_shipped_scenarios_and_names_a_failing_step(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, ["test-diagrams", str(ROOT / "bpmn")])
    assert result.exit_code == 0 and " 0 failed" in result.output, (
        f"{result.output}\nThe shipped scenarios (bpmn/*.scenario.json) no longer hold. If the diagrams changed on "
        "purpose, rerecord the whole life cycle with `python -m tests.workflows.record_scenario` (it replays "
        "tests/workflows/test_alliance_full_path.py) and fix the strategy-phase scenarios by hand.")
    output = result.output
    assert "pass  alliance_procurement.no_go.scenario.json" in output
    folder = tmp_path / "bpmn"
    shutil.copytree(ROOT / "bpmn", folder)
    for scenario in folder.glob("*.scenario.json"):
        scenario.unlink()
    wrong = json.loads((ROOT / "bpmn" / "alliance_procurement.no_go.scenario.json").read_text(encoding="utf-8"))
    wrong["steps"][1]["expect"]["open"] = ["vote_go"]
    (folder / "wrong.scenario.json").write_text(json.dumps(wrong), encoding="utf-8")
    output = run("test-diagrams", str(folder), ok=False)
    assert "FAIL  wrong.scenario.json" in output
    assert "step 2 (sotkamo.council: decide_joining): open tasks are ['assess_alliance_model'], expected ['vote_go']" \
        in output
    assert "0 passed, 1 failed" in output


def test_validate_a_camunda_7_model_lists_notes_and_refusals(run) -> None:  # type: ignore[no-untyped-def]
    invoice = ROOT.parent / "shared" / "camunda-invoice"
    checked = run("validate", str(invoice / "reviewInvoice.bpmn"))
    assert "ok  ReviewInvoice" in checked
    assert "note  reviewInvoice.bpmn:13 [assignReviewer]: camunda:formKey" in checked
    refused = run("validate", str(invoice), ok=False)  # the product registers no handler for the Java class
    assert "invoice.v2.bpmn:79 [ServiceTask_1]" in refused and "ArchiveInvoiceService" in refused


def install_handlers(folder: Path, monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    """A deployment's own package, installed on the path: a module and its entry point registering it."""
    (folder / "acme_invoice.py").write_text(
        "archived = []\n\ndef archive(data):\n    archived.append(data['invoiceNumber'])\n", encoding="utf-8")
    info = folder / "acme_invoice-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-invoice\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[allianssi.service_handlers]\n"
        f"org.camunda.bpm.example.invoice.service.ArchiveInvoiceService = {target}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))


def test_a_handler_installed_as_an_entry_point_lets_the_java_service_task_deploy(  # type: ignore[no-untyped-def]
        run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_handlers(tmp_path, monkeypatch, "acme_invoice:archive")
    invoice = ROOT.parent / "shared" / "camunda-invoice"
    assert "ok  invoice" in run("validate", str(invoice))  # the Java class now names an installed handler
    run("init")
    assert "new   invoice  v1" in run("deploy", str(invoice))
    handler = installed_handlers()["org.camunda.bpm.example.invoice.service.ArchiveInvoiceService"]
    handler({"invoiceNumber": "GPFE-9"})  # what the engine calls (tests/engine/camunda/test_invoice.py runs it)
    assert importlib.import_module("acme_invoice").archived == ["GPFE-9"]


def test_an_entry_point_that_cannot_load_is_said_at_once(  # type: ignore[no-untyped-def]
        run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_handlers(tmp_path, monkeypatch, "acme_invoice:missing")
    output = run("validate", str(ROOT.parent / "shared" / "camunda-invoice"), ok=False)
    assert "ArchiveInvoiceService" in output and "cannot be loaded" in output
