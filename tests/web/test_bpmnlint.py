"""bpmnlint with the project's .bpmnlintrc over bpmn/: no errors (CI runs this on every change of the
diagrams). It needs node and `npm ci` in web/ (scripts/test does both); without them it fails, since a
lint that did not run must not pass."""

from __future__ import annotations

from engine import SourceFile, read_bundle
from tests.conftest import ROOT
from web.designer.checks import bpmnlint


def test_the_shipped_diagrams_have_no_bpmnlint_errors() -> None:
    findings = bpmnlint(read_bundle([ROOT / "bpmn"]))
    assert not [f for f in findings if f.severity == "error"], "\n".join(map(str, findings))


def test_bpmnlint_finds_an_unnamed_end_event_with_its_line() -> None:
    xml = (ROOT / "tests" / "engine" / "bpmn" / "example_review.bpmn").read_text(encoding="utf-8")
    broken = xml.replace('<bpmn:endEvent id="done" name="Valmis">', '<bpmn:endEvent id="done">')
    [finding] = [f for f in bpmnlint([SourceFile("x.bpmn", broken.encode())]) if f.rule == "label-required"]
    assert (finding.file, finding.element_id, finding.severity) == ("x.bpmn", "done", "error")
    assert finding.line == broken[: broken.index('<bpmn:endEvent id="done">')].count("\n") + 1
