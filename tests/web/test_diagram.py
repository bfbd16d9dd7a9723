"""BPMN DI → SVG: every diagram in bpmn/ is drawable, states are marked, text is escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import ROOT
from web.diagram import DiagramError, diagrams_in, draw, wrap

SVG = "{http://www.w3.org/2000/svg}"
BUNDLE = sorted(ROOT.joinpath("bpmn").glob("*.bpmn"))


def _parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode())


@pytest.mark.parametrize("path", BUNDLE, ids=lambda p: p.name)
def test_every_process_in_the_bundle_is_drawable(path: Path) -> None:
    xml = path.read_bytes()
    found = diagrams_in(xml)
    assert found
    for diagram in found:
        svg = _parse(draw(xml, diagram.root_id))
        assert svg.get("role") == "img" and svg.findtext(f"{SVG}title") == diagram.name
        width, height = (float(v) for v in svg.get("viewBox", "").split()[2:])
        assert width > 100 and height > 50
        drawn = {g.get("data-element-id") for g in svg.iter(f"{SVG}g") if g.get("data-element-id")}
        tree = etree.fromstring(xml)
        shapes = {s.get("bpmnElement") for s in tree.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")}
        edges = {s.get("bpmnElement") for s in tree.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNEdge")}
        process = tree.xpath("//*[@id=$id]", id=diagram.root_id)[0]
        own = {e.get("id") for e in process.iter() if isinstance(e.tag, str)}
        assert (shapes | edges) & own <= drawn | {None}


def test_states_are_marked_with_classes_and_badges() -> None:
    xml = (ROOT / "tests" / "engine" / "bpmn" / "example_review.bpmn").read_bytes()
    svg = _parse(draw(xml, "example_review", {"submit": "completed", "review": "active", "cooldown": "waiting"},
                      state_labels={"completed": "valmis", "active": "käynnissä", "waiting": "odottaa"}))
    groups = {g.get("data-element-id"): g for g in svg.iter(f"{SVG}g") if g.get("data-element-id")}
    assert "state-completed" in groups["submit"].get("class", "")
    assert "state-active" in groups["review"].get("class", "")
    assert "state-waiting" in groups["cooldown"].get("class", "")
    assert "state-" not in groups["tally"].get("class", "")
    assert groups["review"].findtext(f"{SVG}title") == "Katselmoi ehdotus (käynnissä)"
    badges = [g.get("class") for g in svg.iter(f"{SVG}g") if "bpmn-badge" in (g.get("class") or "")]
    assert sorted(badges) == ["bpmn-badge badge-active", "bpmn-badge badge-completed", "bpmn-badge badge-waiting"]
    assert "parallel" not in str(badges)
    markers = [p for p in groups["review"].iter(f"{SVG}path") if p.get("stroke-width") == "1.5"]
    assert markers  # the multi-instance marker


def test_names_can_be_replaced_and_all_text_is_escaped() -> None:
    xml = (ROOT / "tests" / "engine" / "bpmn" / "example_review.bpmn").read_text().replace(
        'name="Jätä ehdotus"', 'name="&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"')
    svg = draw(xml, "example_review", names={"review": "Review the proposal"}, title="<b>title</b>")
    assert "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in svg
    assert "&lt;b&gt;title&lt;/b&gt;" in svg
    assert "Review the proposal" in svg and "Katselmoi ehdotus" not in svg


def test_prefix_keeps_ids_unique_when_two_diagrams_share_a_page() -> None:
    xml = (ROOT / "tests" / "engine" / "bpmn" / "example_review.bpmn").read_bytes()
    first, second = draw(xml, "example_review", id_prefix="a"), draw(xml, "example_review", id_prefix="b")
    assert 'id="a-arrow"' in first and 'url(#a-arrow)' in first and 'id="b-arrow"' in second


def test_bad_input_is_a_diagram_error_and_entities_are_not_resolved(tmp_path: object) -> None:
    with pytest.raises(DiagramError):
        draw(b"<not-xml", "x")
    with pytest.raises(DiagramError):
        draw((ROOT / "tests" / "engine" / "bpmn" / "example_review.bpmn").read_bytes(), "no_such_process")
    evil = b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
    <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
      xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC">
      <bpmn:process id="p"><bpmn:task id="t" name="&x;"/></bpmn:process>
      <bpmndi:BPMNDiagram><bpmndi:BPMNPlane bpmnElement="p">
        <bpmndi:BPMNShape bpmnElement="t"><dc:Bounds x="0" y="0" width="100" height="80"/></bpmndi:BPMNShape>
      </bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>"""
    with pytest.raises(DiagramError, match="external entity"):  # refused, never read
        draw(evil, "p")


def test_wrap() -> None:
    assert wrap("Kunnan päätös allianssiin liittymisestä", 100) == ["Kunnan päätös", "allianssiin", "liittymisestä"]
    # words are never cut inside: a long one keeps its own line (issue 11: "Allianssimall-in")
    assert wrap("Allianssimallin soveltuvuus", 90) == ["Allianssimallin", "soveltuvuus"]
    assert wrap("Neuvottelumenettelyn", 100) == ["Neuvottelumenettelyn"]
    assert wrap("Go / no-go -päätös", 60) == ["Go /", "no-go", "-päätös"]
    assert wrap("Kehitysvaiheen-allianssisopimus", 60) == ["Kehitysvaiheen-", "allianssisopimus"]
    assert wrap("", 100) == []
