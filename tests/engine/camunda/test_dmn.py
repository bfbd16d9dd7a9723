"""DMN 1.1–1.3 decisions with Camunda 7's meaning: hit policies, DRD, result mapping, validation."""

from __future__ import annotations

from html import escape

import pytest
from lxml import etree

from engine.camunda import dmn

VERSIONS = {"1.1": "http://www.omg.org/spec/DMN/20151101/dmn.xsd", "1.2": "http://www.omg.org/spec/DMN/20180521/MODEL/",
            "1.3": "https://www.omg.org/spec/DMN/20191111/MODEL/"}


def table(policy: str, rules: list[tuple[str, ...]], outputs: tuple[str, ...] = ("result",),
          values: str = "", version: str = "1.3", extra: str = "", aggregation: str = "") -> str:
    output_clauses = "".join(
        f'<output id="out_{n}" name="{n}">'
        + (f"<outputValues><text>{values}</text></outputValues>" if values and i == 0 else "") + "</output>"
        for i, n in enumerate(outputs))
    rows = "".join(
        f'<rule id="r{i}"><inputEntry id="r{i}_in"><text>{escape(rule[0], quote=False)}</text></inputEntry>'
        + "".join(f'<outputEntry id="r{i}_out{j}"><text>{escape(cell, quote=False)}</text></outputEntry>'
                  for j, cell in enumerate(rule[1:]))
        + "</rule>" for i, rule in enumerate(rules))
    agg = f' aggregation="{aggregation}"' if aggregation else ""
    return (f'<definitions xmlns="{VERSIONS[version]}" id="d" name="d" namespace="x">'
            f'<decision id="main" name="Main">{extra}<decisionTable id="t" hitPolicy="{policy}"{agg}>'
            f'<input id="in"><inputExpression id="ie" typeRef="double"><text>amount</text></inputExpression></input>'
            f"{output_clauses}{rows}</decisionTable></decision></definitions>")


def decide(xml: str, data: dict[str, object], decision: str = "main") -> list[dict[str, object]]:
    return dmn.decide(dmn.read_decisions(etree.fromstring(xml.encode())), decision, data)


RULES = [("< 100", '"low"'), ("[50..500]", '"middle"'), ("> 20", '"any"')]


@pytest.mark.parametrize("version", ["1.1", "1.2", "1.3"])
def test_every_dmn_version_is_read(version: str) -> None:
    assert decide(table("FIRST", RULES, version=version), {"amount": 10}) == [{"result": "low"}]


def test_unique_refuses_several_hits() -> None:
    assert decide(table("UNIQUE", RULES), {"amount": 10}) == [{"result": "low"}]
    with pytest.raises(dmn.DecisionFailed, match="UNIQUE but several rules match"):
        decide(table("UNIQUE", RULES), {"amount": 60})


def test_first_and_rule_order_and_collect() -> None:
    assert decide(table("FIRST", RULES), {"amount": 60}) == [{"result": "low"}]
    assert decide(table("RULE ORDER", RULES), {"amount": 60}) == [{"result": r} for r in ("low", "middle", "any")]
    assert decide(table("COLLECT", RULES), {"amount": 600}) == [{"result": "any"}]
    assert decide(table("COLLECT", RULES), {"amount": 1}) == [{"result": "low"}]
    assert decide(table("FIRST", RULES), {"amount": -1}) == [{"result": "low"}]


def test_priority_and_output_order_follow_the_output_values() -> None:
    ranked = table("PRIORITY", RULES, values='"any","middle","low"')
    assert decide(ranked, {"amount": 60}) == [{"result": "any"}]
    ordered = table("OUTPUT ORDER", RULES, values='"middle","low","any"')
    assert decide(ordered, {"amount": 60}) == [{"result": r} for r in ("middle", "low", "any")]


def test_any_needs_equal_outputs() -> None:
    same = [("< 100", '"x"'), ("< 200", '"x"')]
    assert decide(table("ANY", same), {"amount": 10}) == [{"result": "x"}]
    with pytest.raises(dmn.DecisionFailed, match="ANY"):
        decide(table("ANY", RULES), {"amount": 60})


@pytest.mark.parametrize(("aggregation", "expected"), [("SUM", 60), ("MIN", 10), ("MAX", 30), ("COUNT", 3)])
def test_collect_aggregations(aggregation: str, expected: int) -> None:
    numbers = [("> 0", "10"), ("> 0", "20"), ("> 0", "30"), ("< 0", "99")]
    assert decide(table("COLLECT", numbers, aggregation=aggregation), {"amount": 1}) == [{"result": expected}]


def test_collect_aggregation_of_no_hits() -> None:
    numbers = [("< 0", "10")]
    assert decide(table("COLLECT", numbers, aggregation="COUNT"), {"amount": 1}) == [{"result": 0}]
    assert decide(table("COLLECT", numbers, aggregation="SUM"), {"amount": 1}) == []


def test_required_decisions_feed_their_outputs_in() -> None:
    xml = """<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="x">
      <decision id="size" name="Size"><decisionTable id="t1" hitPolicy="UNIQUE">
        <input id="i1"><inputExpression id="e1"><text>amount</text></inputExpression></input>
        <output id="o1" name="size"/>
        <rule id="a"><inputEntry id="a1"><text>&lt; 100</text></inputEntry>
          <outputEntry id="a2"><text>"small"</text></outputEntry></rule>
        <rule id="b"><inputEntry id="b1"><text>&gt;= 100</text></inputEntry>
          <outputEntry id="b2"><text>"big"</text></outputEntry></rule>
      </decisionTable></decision>
      <decision id="fee" name="Fee">
        <informationRequirement id="req"><requiredDecision href="#size"/></informationRequirement>
        <decisionTable id="t2" hitPolicy="FIRST">
        <input id="i2"><inputExpression id="e2"><text>size</text></inputExpression></input>
        <output id="o2" name="fee"/>
        <rule id="c"><inputEntry id="c1"><text>"big"</text></inputEntry>
          <outputEntry id="c2"><text>amount * 0.1</text></outputEntry></rule>
        <rule id="d"><inputEntry id="d1"><text>-</text></inputEntry>
          <outputEntry id="d2"><text>5</text></outputEntry></rule>
      </decisionTable></decision>
      <decision id="label" name="Label">
        <informationRequirement id="req2"><requiredDecision href="#fee"/></informationRequirement>
        <variable name="label"/>
        <literalExpression id="l"><text>"fee " + string(fee)</text></literalExpression>
      </decision>
    </definitions>"""
    assert decide(xml, {"amount": 1000}, "fee") == [{"fee": 100}]
    assert decide(xml, {"amount": 10}, "fee") == [{"fee": 5}]
    assert decide(xml, {"amount": 10}, "label") == [{"label": "fee 5"}]


def test_juel_cells_when_the_table_says_so() -> None:
    xml = table("FIRST", [("${cellInput > 100}", '"big"'), ("", '"small"')]).replace(
        '<inputEntry id="r0_in">', '<inputEntry id="r0_in" expressionLanguage="juel">')
    assert decide(xml, {"amount": 500}) == [{"result": "big"}]
    assert decide(xml, {"amount": 5}) == [{"result": "small"}]


@pytest.mark.parametrize(("mapping", "results", "expected"), [
    ("singleEntry", [{"a": 1}], 1),
    ("singleEntry", [], None),
    ("singleResult", [{"a": 1, "b": 2}], {"a": 1, "b": 2}),
    ("collectEntries", [{"a": 1}, {"a": 2}], [1, 2]),
    ("collectEntries", [], []),
    ("resultList", [{"a": 1}, {"a": 2}], [{"a": 1}, {"a": 2}]),
    (None, [{"a": 1}], [{"a": 1}]),
])
def test_map_decision_result(mapping: str | None, results: list[dict[str, object]], expected: object) -> None:
    assert dmn.map_result(results, mapping) == expected


@pytest.mark.parametrize(("mapping", "results"), [
    ("singleEntry", [{"a": 1}, {"a": 2}]), ("singleEntry", [{"a": 1, "b": 2}]),
    ("singleResult", [{"a": 1}, {"a": 2}]), ("collectEntries", [{"a": 1, "b": 2}]),
])
def test_map_decision_result_refuses_what_does_not_fit(mapping: str, results: list[dict[str, object]]) -> None:
    with pytest.raises(dmn.DecisionFailed):
        dmn.map_result(results, mapping)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_validation_names_line_and_element() -> None:
    xml = table("FIRST", RULES, aggregation="").replace("<text>[50..500]</text>", "<text>[50..</text>")
    xml = xml.replace('hitPolicy="FIRST"', 'hitPolicy="FIRST"\n').replace('<rule id="r1">', '\n<rule id="r1">')
    xml = xml.replace('"any"</text>', 'foo(1)</text>')
    problems = dmn.check_file("rules.dmn", etree.fromstring(xml.encode()))
    by_element = {p.element_id: p for p in problems}
    assert set(by_element) == {"r1_in", "r2_out0"}
    assert "input cell" in by_element["r1_in"].message and by_element["r1_in"].line == line_of(xml, 'rule id="r1"')
    assert "unknown function foo()" in by_element["r2_out0"].message
    assert all(p.file == "rules.dmn" for p in problems)


@pytest.mark.parametrize(("change", "message"), [
    (('hitPolicy="FIRST"', 'hitPolicy="SOMETIMES"'), "unknown hit policy"),
    (('hitPolicy="FIRST"', 'hitPolicy="FIRST" aggregation="SUM"'), "needs hit policy COLLECT"),
    (('<decision id="main" name="Main">', '<decision id="main" name="Main"><informationRequirement id="q">'
                                         '<requiredDecision href="#nowhere"/></informationRequirement>'),
     "which this file lacks"),
    (('<inputEntry id="r0_in">', '<inputEntry id="r0_in" expressionLanguage="javascript">'), "not supported"),
    ((' id="d"', ' id="d" expressionLanguage="javascript"'), "expression language 'javascript' is not supported"),
])
def test_validation_refuses(change: tuple[str, str], message: str) -> None:
    xml = table("FIRST", RULES).replace(*change)
    problems = dmn.check_file("rules.dmn", etree.fromstring(xml.encode()))
    assert any(message in p.message and p.line for p in problems), problems


def test_a_cycle_of_requirements_is_refused() -> None:
    xml = table("FIRST", RULES).replace(
        '<decision id="main" name="Main">',
        '<decision id="main" name="Main"><informationRequirement id="q"><requiredDecision href="#main"/>'
        "</informationRequirement>")
    assert any("cycle" in p.message for p in dmn.check_file("rules.dmn", etree.fromstring(xml.encode())))


@pytest.mark.parametrize("uri", ["http://www.omg.org/spec/FEEL/20140401", "http://www.omg.org/spec/DMN/20180521/FEEL/",
                                 "https://www.omg.org/spec/DMN/20191111/FEEL/", "feel", "FEEL"])
def test_feel_named_by_its_omg_uri_is_feel(uri: str) -> None:
    xml = table("FIRST", RULES).replace(' id="d"', f' id="d" expressionLanguage="{uri}"')
    assert dmn.check_file("rules.dmn", etree.fromstring(xml.encode())) == []
    assert decide(xml, {"amount": 30}) == decide(table("FIRST", RULES), {"amount": 30})


def test_python_tables_are_left_to_spiffworkflow() -> None:
    xml = table("FIRST", [("? >= thresholds['eu']", "True")]).replace(' id="d"', ' id="d" expressionLanguage="python"')
    assert dmn.check_file("rules.dmn", etree.fromstring(xml.encode())) == []


def test_type_refs_convert_as_camunda_does() -> None:
    xml = table("FIRST", [('[date("2026-01-01")..date("2026-06-30")]', "2"), ("-", '"7.5"')])
    xml = xml.replace('typeRef="double"><text>amount</text>', 'typeRef="date"><text>due</text>').replace(
        '<output id="out_result" name="result">', '<output id="out_result" name="result" typeRef="double">')
    assert decide(xml, {"due": "2026-03-01"}) == [{"result": 2.0}]  # a text date compares as a date
    assert decide(xml, {"due": "2026-08-01"}) == [{"result": 7.5}]
    with pytest.raises(dmn.DecisionFailed, match="not a date"):
        decide(xml, {"due": "soon"})
