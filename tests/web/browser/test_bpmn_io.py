"""Every diagram in bpmn/ opens in bpmn.io (bpmn-js, the viewer inside Camunda Modeler) without a
warning, and every flow element, lane and flow is drawn from the diagram's own coordinates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.conftest import ROOT
from tests.web.browser.conftest import _missing

VIEWER = ROOT / "web" / "node_modules" / "bpmn-js" / "dist" / "bpmn-viewer.production.min.js"
DIAGRAMS = [*sorted((ROOT / "bpmn").glob("*.bpmn")), ROOT / "tests" / "engine" / "bpmn" / "example_review.bpmn"]
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DRAWN = ("task", "userTask", "scriptTask", "businessRuleTask", "callActivity", "subProcess", "startEvent",
         "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway",
         "parallelGateway", "eventBasedGateway", "inclusiveGateway", "lane", "sequenceFlow")


@pytest.fixture(scope="module")
def viewer_page(chromium: Any) -> Any:
    if not VIEWER.exists():
        _missing("the bpmn.io check needs bpmn-js: run `npm ci` in web/")
    context = chromium.new_context()
    page = context.new_page()
    page.set_content('<div id="canvas" style="width:1600px;height:900px"></div>')
    page.evaluate(VIEWER.read_text(encoding="utf-8"))
    yield page
    context.close()


@pytest.mark.parametrize("path", DIAGRAMS, ids=[p.name for p in DIAGRAMS])
def test_the_diagram_opens_in_bpmn_io_with_its_layout(viewer_page: Any, path: Path) -> None:
    result = viewer_page.evaluate("""async (xml) => {
        const viewer = new BpmnJS({container: '#canvas'});
        try {
            const {warnings} = await viewer.importXML(xml);
            const drawn = viewer.get('elementRegistry').getAll().map(e => e.id);
            return {warnings: warnings.map(w => w.message), drawn};
        } catch (error) {
            return {warnings: [String(error)], drawn: []};
        } finally {
            viewer.destroy();
        }
    }""", path.read_text(encoding="utf-8"))
    assert result["warnings"] == []
    tree = etree.parse(str(path))
    expected = {e.get("id") for tag in DRAWN for e in tree.iter(f"{{{BPMN}}}{tag}")}
    assert expected - set(result["drawn"]) == set(), "elements without diagram coordinates"
