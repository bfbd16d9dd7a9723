"""DMN 1.1–1.3 decisions as Camunda 7 evaluates them: tables with every hit policy, literal
expressions, and decisions that require other decisions (DRD).

A file's decisions are read once into plain dicts (they travel inside a stored instance, so a
running instance keeps the rules it started with) and evaluated here. Cells are FEEL
(`engine.camunda.feel`); a cell, input or output with `expressionLanguage="juel"` is JUEL.
A file whose `definitions` say `expressionLanguage="python"` keeps SpiffWorkflow's own DMN
(Python cells), as the project's own decision tables do.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from engine.camunda import feel, juel
from engine.errors import Problem

NAMESPACES = (
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",  # 1.1
    "http://www.omg.org/spec/DMN/20180521/MODEL/",  # 1.2
    "https://www.omg.org/spec/DMN/20191111/MODEL/",  # 1.3
)
CAMUNDA_DMN = "http://camunda.org/schema/1.0/dmn"
HIT_POLICIES = frozenset({"UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER"})
AGGREGATIONS = frozenset({"SUM", "MIN", "MAX", "COUNT"})
MAPPINGS = frozenset({"singleEntry", "singleResult", "collectEntries", "resultList"})
PYTHON_LANGUAGES = frozenset({"python", "http://www.python.org", "https://www.python.org"})
JUEL_LANGUAGES = frozenset({"juel", "http://java.sun.com/products/jsp/"})
# compared lower-cased (as _language reads them): the OMG URIs of FEEL for DMN 1.1, 1.2 and 1.3
FEEL_LANGUAGES = frozenset(uri.lower() for uri in (
    "feel", "http://www.omg.org/spec/FEEL/20140401", "http://www.omg.org/spec/DMN/20180521/FEEL/",
    "https://www.omg.org/spec/DMN/20191111/FEEL/"))


class DecisionFailed(ValueError):
    """A decision could not decide: several rules hit a UNIQUE table, a cell failed, a cycle."""


def _local(element: Any) -> str:
    return str(element.tag).rsplit("}", 1)[-1]


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if isinstance(child.tag, str) and _local(child) == name]


def _text(element: Any, name: str = "text") -> str:
    found = _children(element, name)
    return (found[0].text or "").strip() if found else ""


def is_python(root: Any) -> bool:
    """Whether a file's cells are Python for SpiffWorkflow's DMN, not FEEL."""
    return (root.get("expressionLanguage") or "").strip().lower() in PYTHON_LANGUAGES


def _language(element: Any, default: str) -> str:
    language = (element.get("expressionLanguage") or "").strip().lower()
    if not language:
        return default
    if language in JUEL_LANGUAGES:
        return "juel"
    if language in FEEL_LANGUAGES:
        return "feel"
    return language


def read_decisions(root: Any) -> dict[str, dict[str, Any]]:
    """Every decision of a DMN file, as plain dicts keyed by decision id."""
    default = _language(root, "feel")
    decisions: dict[str, dict[str, Any]] = {}
    for decision in _children(root, "decision"):
        requires = [ref.get("href", "").lstrip("#") for req in _children(decision, "informationRequirement")
                    for ref in _children(req, "requiredDecision")]
        item: dict[str, Any] = {"id": decision.get("id"), "name": decision.get("name") or decision.get("id"),
                                "requires": requires}
        tables, literals = _children(decision, "decisionTable"), _children(decision, "literalExpression")
        if tables:
            item.update(_read_table(tables[0], default))
        elif literals:
            variable = _children(decision, "variable")
            item.update(kind="literal", expression=_text(literals[0]), language=_language(literals[0], default),
                        variable=(variable[0].get("name") if variable else None) or decision.get("id"))
        else:
            item["kind"] = "none"
        decisions[str(decision.get("id"))] = item
    return decisions


def _read_table(table: Any, default: str) -> dict[str, Any]:
    inputs = []
    for clause in _children(table, "input"):
        expression = _children(clause, "inputExpression")
        inputs.append({"id": clause.get("id"), "label": clause.get("label"),
                       "expression": _text(expression[0]) if expression else "",
                       "language": _language(expression[0], default) if expression else default,
                       "type": (expression[0].get("typeRef") if expression else None) or clause.get("typeRef"),
                       "variable": clause.get(f"{{{CAMUNDA_DMN}}}inputVariable") or "cellInput"})
    outputs = []
    for clause in _children(table, "output"):
        values = _children(clause, "outputValues")
        listed = feel.parse_unary_tests(_text(values[0])) if values and _text(values[0]) else None
        order = [feel.to_plain(feel._Scope({}, None).run(test.args[0])) for test in listed.args] if listed else []
        outputs.append({"id": clause.get("id"), "name": clause.get("name") or clause.get("id"),
                        "type": clause.get("typeRef"),
                        "label": clause.get("label"), "values": order})
    rules = []
    for rule in _children(table, "rule"):
        rules.append({"id": rule.get("id"),
                      "inputs": [{"text": _text(e), "language": _language(e, default)}
                                 for e in _children(rule, "inputEntry")],
                      "outputs": [{"text": _text(e), "language": _language(e, default)}
                                  for e in _children(rule, "outputEntry")]})
    return {"kind": "table", "hit_policy": (table.get("hitPolicy") or "UNIQUE").upper(),
            "aggregation": (table.get("aggregation") or "").upper() or None,
            "inputs": inputs, "outputs": outputs, "rules": rules}


# --- evaluation -----------------------------------------------------------------------------------
def decide(decisions: Mapping[str, Mapping[str, Any]], decision_id: str, data: Mapping[str, Any],
           _path: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The decision's result: one dict (output name → value) per matched rule, in Camunda's order."""
    if decision_id in _path:
        raise DecisionFailed(f"decisions require each other in a cycle: {' → '.join((*_path, decision_id))}")
    decision = decisions.get(decision_id)
    if decision is None:
        raise DecisionFailed(f"no decision {decision_id!r}")
    scope = dict(data)
    for required in decision["requires"]:
        # A required decision's outputs are variables of this one; several hits make lists.
        results = decide(decisions, required, data, (*_path, decision_id))
        scope.update(_as_variables(decisions[required], results))
    if decision["kind"] == "literal":
        return [{decision["variable"]: _value(decision["expression"], decision["language"], scope)}]
    if decision["kind"] != "table":
        raise DecisionFailed(f"decision {decision_id!r} has neither a table nor a literal expression")
    return _evaluate_table(decision, scope)


def _as_variables(decision: Mapping[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    names = ([o["name"] for o in decision["outputs"]] if decision["kind"] == "table"
             else [decision["variable"]])
    if len(results) == 1:
        return {name: results[0].get(name) for name in names}
    return {name: [r.get(name) for r in results] if results else None for name in names}


def _value(text: str, language: str, scope: Mapping[str, Any]) -> Any:
    try:
        if language == "juel":
            return juel.evaluate(text if juel.is_juel(text) else "${" + text + "}", scope)
        return feel.evaluate(text, scope)
    except (feel.FeelError, juel.JuelError) as error:
        raise DecisionFailed(f"{text!r}: {error}") from None


def _matches(entry: Mapping[str, Any], value: Any, variable: str, scope: Mapping[str, Any]) -> bool:
    cell_scope = {**scope, variable: value}
    if entry["language"] == "juel":
        return _value(entry["text"], "juel", cell_scope) is True
    try:
        return feel.matches(entry["text"], value, cell_scope)
    except feel.FeelError as error:
        raise DecisionFailed(f"{entry['text']!r}: {error}") from None


def _evaluate_table(table: Mapping[str, Any], scope: Mapping[str, Any]) -> list[dict[str, Any]]:
    values = [_typed(_value(i["expression"], i["language"], scope), i.get("type"), "input")
              for i in table["inputs"]]
    hits: list[tuple[int, dict[str, Any]]] = []
    for number, rule in enumerate(table["rules"]):
        if all(_matches(entry, value, clause["variable"], scope)
               for entry, value, clause in zip(rule["inputs"], values, table["inputs"], strict=False)):
            outputs = {clause["name"]: _typed(_value(entry["text"], entry["language"], scope), clause.get("type"),
                                              "output")
                       for entry, clause in zip(rule["outputs"], table["outputs"], strict=False)}
            hits.append((number, outputs))
    return _apply_hit_policy(table, hits)


def _typed(value: Any, type_ref: str | None, what: str) -> Any:
    """A value in its clause's typeRef, as Camunda's DMN engine converts it: a date given as text becomes a
    date an input cell can compare; a whole number for a `double` output stays a number."""
    if value is None or not type_ref:
        return value
    kind = type_ref.strip().lower()
    try:
        if kind == "date" and isinstance(value, str):
            return date.fromisoformat(value[:10]) if len(value) == 10 else datetime.fromisoformat(value)
        if kind in ("datetime", "date and time") and isinstance(value, str):
            return datetime.fromisoformat(value)
        if kind in ("integer", "long") and isinstance(value, int | float | str) and not isinstance(value, bool):
            return int(value) if float(value) == int(float(value)) else _refuse(value, type_ref, what)
        if kind == "double" and isinstance(value, int | float | str) and not isinstance(value, bool):
            return float(value)
        if kind == "string" and isinstance(value, bool):
            return "true" if value else "false"
        if kind == "string" and isinstance(value, int | float):
            return str(value)
        if kind == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if kind == "boolean" and not isinstance(value, bool):
            return _refuse(value, type_ref, what)
    except ValueError:
        return _refuse(value, type_ref, what)
    return value


def _refuse(value: Any, type_ref: str, what: str) -> Any:
    raise DecisionFailed(f"the {what} {value!r} is not a {type_ref}")


def _priority(table: Mapping[str, Any], result: Mapping[str, Any]) -> tuple[int, ...]:
    """Lower is first: the position of each output's value among its listed output values."""
    key = []
    for clause in table["outputs"]:
        listed = clause["values"]
        value = result.get(clause["name"])
        key.append(listed.index(value) if value in listed else len(listed))
    return tuple(key)


def _apply_hit_policy(table: Mapping[str, Any], hits: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    policy, results = table["hit_policy"], [outputs for _, outputs in hits]
    if policy == "UNIQUE":
        if len(results) > 1:
            rules = ", ".join(table["rules"][n]["id"] or str(n + 1) for n, _ in hits)
            raise DecisionFailed(f"hit policy UNIQUE but several rules match ({rules})")
        return results
    if policy == "FIRST":
        return results[:1]
    if policy == "ANY":
        if any(r != results[0] for r in results[1:]):
            raise DecisionFailed("hit policy ANY but the matching rules give different outputs")
        return results[:1]
    if policy == "PRIORITY":
        return sorted(results, key=lambda r: _priority(table, r))[:1]
    if policy == "OUTPUT ORDER":
        return sorted(results, key=lambda r: _priority(table, r))
    if policy == "RULE ORDER":
        return results
    if policy == "COLLECT":
        aggregation = table["aggregation"]
        if not aggregation:
            return results
        name = table["outputs"][0]["name"]
        values = [r[name] for r in results if r.get(name) is not None]
        if aggregation == "COUNT":
            return [{name: len(values)}]
        if not values:
            return []
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) != len(values):
            raise DecisionFailed(f"COLLECT {aggregation} needs numbers, got {values!r}")
        return [{name: sum(numbers) if aggregation == "SUM" else (min if aggregation == "MIN" else max)(numbers)}]
    raise DecisionFailed(f"unknown hit policy {policy!r}")


def map_result(results: list[dict[str, Any]], mapping: str | None) -> Any:
    """camunda:mapDecisionResult: what of the result the business rule task's variable holds."""
    mapping = mapping or "resultList"
    if mapping == "resultList":
        return results
    if mapping == "collectEntries":
        if any(len(r) > 1 for r in results):
            raise DecisionFailed("collectEntries needs a decision with one output")
        return [next(iter(r.values())) for r in results]
    if len(results) > 1:
        raise DecisionFailed(f"{mapping} needs at most one matching rule, {len(results)} matched")
    if not results:
        return None
    if mapping == "singleResult":
        return results[0]
    if len(results[0]) > 1:
        raise DecisionFailed("singleEntry needs a decision with one output")
    return next(iter(results[0].values()))


# --- validation -----------------------------------------------------------------------------------
def check_file(file: str, root: Any) -> list[Problem]:
    """Every cell, hit policy and requirement of a FEEL decision file, named by line and element."""
    if is_python(root):
        return []
    problems: list[Problem] = []
    default = _language(root, "feel")
    ids = {d.get("id") for d in _children(root, "decision")}

    def problem(element: Any, message: str) -> None:
        owner = element
        while owner is not None and not owner.get("id"):
            owner = owner.getparent()
        problems.append(Problem(file, element.sourceline, owner.get("id") if owner is not None else None, message))

    def expression(element: Any, what: str, tests: bool = False) -> None:
        language = _language(element, default)
        text = _text(element)
        if language == "juel":
            reason = juel.check(text if juel.is_juel(text) else "${" + text + "}") if text else None
        elif language == "feel":
            reason = feel.check_unary_tests(text) if tests else feel.check_expression(text)
        else:
            reason = f"expression language {language!r} is not supported (FEEL or JUEL)"
        if reason:
            problem(element, f"{what} {text!r}: {reason}")

    for decision in _children(root, "decision"):
        for requirement in _children(decision, "informationRequirement"):
            for ref in _children(requirement, "requiredDecision"):
                if ref.get("href", "").lstrip("#") not in ids:
                    problem(requirement, f"requires the decision {ref.get('href')!r}, which this file lacks")
            if _children(requirement, "requiredInput"):
                pass  # an input data node only documents where a variable comes from
        for table in _children(decision, "decisionTable"):
            policy = (table.get("hitPolicy") or "UNIQUE").upper()
            aggregation = (table.get("aggregation") or "").upper()
            if policy not in HIT_POLICIES:
                problem(table, f"unknown hit policy {policy!r}")
            if aggregation and (policy != "COLLECT" or aggregation not in AGGREGATIONS):
                problem(table, f"aggregation {aggregation!r} needs hit policy COLLECT and one of SUM, MIN, MAX, COUNT")
            if aggregation and len(_children(table, "output")) != 1:
                problem(table, f"COLLECT {aggregation} needs exactly one output")
            for clause in _children(table, "input"):
                for found in _children(clause, "inputExpression"):
                    expression(found, "input expression")
            for clause in _children(table, "output"):
                for found in _children(clause, "outputValues"):
                    expression(found, "output values", tests=True)
            width_in, width_out = len(_children(table, "input")), len(_children(table, "output"))
            for rule in _children(table, "rule"):
                entries_in, entries_out = _children(rule, "inputEntry"), _children(rule, "outputEntry")
                if len(entries_in) != width_in or len(entries_out) != width_out:
                    problem(rule, f"the rule has {len(entries_in)} input and {len(entries_out)} output cells; "
                                  f"the table has {width_in} inputs and {width_out} outputs")
                for entry in entries_in:
                    expression(entry, "input cell", tests=True)
                for entry in entries_out:
                    expression(entry, "output cell")
        for literal in _children(decision, "literalExpression"):
            expression(literal, "literal expression")
    try:
        decisions = read_decisions(root)
        for decision_id in decisions:
            _cycle(decisions, decision_id, ())
    except DecisionFailed as error:
        problems.append(Problem(file, None, None, str(error)))
    return problems


def _cycle(decisions: Mapping[str, Mapping[str, Any]], decision_id: str, path: tuple[str, ...]) -> None:
    if decision_id in path:
        raise DecisionFailed(f"decisions require each other in a cycle: {' → '.join((*path, decision_id))}")
    for required in decisions.get(decision_id, {}).get("requires", []):
        _cycle(decisions, required, (*path, decision_id))
