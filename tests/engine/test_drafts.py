"""Drafts are stored and audited, never run; the diff names what changed; design checks locate problems."""

from __future__ import annotations

import pytest

from engine import Conflict, DefinitionError, Engine, SourceFile
from engine.design import check_design
from engine.diff import diff_bundles
from tests.engine.conftest import EXAMPLE

XML = EXAMPLE.read_text(encoding="utf-8")


def test_a_draft_is_saved_by_revision_and_audited(engine: Engine) -> None:
    draft = engine.create_draft("designer", "nimi", process_id="example_review", base_version=1)
    assert draft.files == {"example_review.bpmn": XML} and draft.revision == 1
    saved = engine.save_draft(draft.id, "example_review.bpmn", XML.replace("Valmis", "Valmista"), "designer",
                              expected_revision=1)
    assert saved.revision == 2
    with pytest.raises(Conflict, match="saved this draft meanwhile"):
        engine.save_draft(draft.id, "example_review.bpmn", XML, "other", expected_revision=1)
    assert engine.draft(draft.id).files["example_review.bpmn"] == XML.replace("Valmis", "Valmista")
    events = engine.history("drafts")
    assert [e.type for e in events] == ["draft_created", "draft_saved"]
    assert engine.verify().ok  # every stream, the drafts one too
    assert [d.version for d in engine.definitions()] == [1]  # nothing deployed


def test_a_draft_refuses_files_that_are_not_diagrams(engine: Engine) -> None:
    with pytest.raises(DefinitionError, match="plain names"):
        engine.create_draft("designer", "x", files={"../evil.bpmn": XML})
    with pytest.raises(DefinitionError, match="UTF-8"):
        engine.create_draft("designer", "x", files={"a.bpmn": b"\xff\xfe"})


def test_deploying_a_draft_needs_a_reason_and_closes_it(engine: Engine) -> None:
    draft = engine.create_draft("designer", "x", files={"example_review.bpmn": XML.replace("Valmis", "Valmista")})
    with pytest.raises(DefinitionError, match="reason"):
        engine.deploy_draft(draft.id, "designer", " ")
    [deployed] = engine.deploy_draft(draft.id, "designer", "uusi nimi")
    assert deployed.version == 2
    assert engine.draft(draft.id).status == "deployed"
    with pytest.raises(Conflict):
        engine.save_draft(draft.id, "example_review.bpmn", XML, "designer")
    assert engine.history("drafts")[-1].payload["versions"] == {"example_review": 2}


def test_the_diff_names_added_removed_and_changed_elements() -> None:
    new = (XML.replace('name="Korjaa ehdotus"', 'name="Korjaa"')
              .replace("<bpmn:conditionExpression xsi:type=\"bpmn:tFormalExpression\">approved<",
                       "<bpmn:conditionExpression xsi:type=\"bpmn:tFormalExpression\">approved and rounds &lt; 3<")
              .replace('type="long"', 'type="double"')
              .replace('"P1D"', '"P2D"')
              .replace("approved = all(", "approved = any("))
    changes = {c.element_id: c for c in diff_bundles({"a.bpmn": XML}, {"a.bpmn": new})}
    assert changes["revise"].details == ("name: Korjaa ehdotus → Korjaa",)
    assert changes["f6"].details == ("condition: approved → approved and rounds < 3",)
    assert changes["submit"].details[0].startswith("form:")
    assert changes["cooldown"].details == ('timer: "P1D" → "P2D"',)
    assert changes["tally"].details[0].startswith("script:")
    assert all(c.change == "changed" for c in changes.values())
    removed = diff_bundles({"a.bpmn": XML}, {})
    assert {c.change for c in removed} == {"removed"} and "revise" in {c.element_id for c in removed}


def test_design_checks_locate_each_problem() -> None:
    broken = (XML.replace('default="f8"', "")
                 .replace('<bpmn:userTask id="revise" name="Korjaa ehdotus" camunda:formKey="revise">',
                          '<bpmn:userTask id="revise" name="Korjaa ehdotus">'))
    broken = broken.replace(broken[broken.index("<camunda:formData>", broken.index('id="revise"')):
                                   broken.index("</camunda:formData>", broken.index('id="revise"'))
                                   + len("</camunda:formData>")], "")
    broken = broken.replace('<bpmndi:BPMNShape id="done_di" bpmnElement="done">', '<bpmndi:BPMNShape id="done_di">')
    problems = {(p.element_id, p.message.split(" ")[0]) for p in check_design([SourceFile("a.bpmn", broken.encode())])}
    assert ("f8", "flow") in problems
    assert ("revise", "user") in problems
    assert ("done", "endEvent") in problems
    assert all(p.line for p in check_design([SourceFile("a.bpmn", broken.encode())]))
    assert check_design([SourceFile("a.bpmn", XML.encode())]) == []
