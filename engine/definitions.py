"""Reads and validates bundles of .bpmn/.dmn files into runnable process specs.

Validation runs in full before anything is stored: well-formed XML, the BPMN
and DMN XML schemas, SpiffWorkflow's own semantic checks, and ours
(`engine.checks`). Every problem is reported with file, line and element id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from threading import Lock
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.camunda import dmn
from engine.camunda.checks import check_camunda, strip_ignored
from engine.camunda.parsing import PARSER_CLASSES, InputOutputMixin, user_task_properties
from engine.checks import check_document
from engine.errors import DefinitionError, Problem
from engine.forms import form_fields_of_element
from engine.types import FormField, ProcessInfo, SourceFile

BPMN_SUFFIX, DMN_SUFFIX = ".bpmn", ".dmn"
_BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

_validator: BpmnValidator | None = None
_validator_lock = Lock()


def _schema_validator() -> BpmnValidator:
    """Building the XSD validator takes ~10 ms: build it once per process."""
    global _validator
    with _validator_lock:
        if _validator is None:
            _validator = BpmnValidator()
        return _validator


_PROPERTY_XPATH = "./bpmn:extensionElements/camunda:properties/camunda:property"
_NAMESPACES = {"bpmn": _BPMN_NS, "camunda": "http://camunda.org/schema/1.0/bpmn"}


def _own_properties(self: Any, node: Any = None) -> dict[str, str]:
    """An element's own camunda:properties (not its children's, not its form fields')."""
    node = self.node if node is None else node
    own = {p.get("name"): p.get("value") for p in node.xpath(_PROPERTY_XPATH, namespaces=_NAMESPACES)
           if p.get("name")}
    return {**user_task_properties(node), **own}


class DiagramParser(CamundaParser):
    """CamundaParser that also reads camunda:properties on events and subprocesses.

    SpiffWorkflow 3.2 reads them only on tasks; a catch event's `sender_role` would be lost.
    """

    OVERRIDE_PARSER_CLASSES = {
        tag: (type(f"Own{parser.__name__}", (InputOutputMixin, parser), {"parse_extensions": _own_properties}), spec)
        for tag, (parser, spec) in {**CamundaParser.OVERRIDE_PARSER_CLASSES, **PARSER_CLASSES}.items()
    }

    def add_dmn_xml(self, node: Any, filename: str | None = None) -> None:
        """SpiffWorkflow registers a file's first decision only; a FEEL file's every decision can be called."""
        super().add_dmn_xml(node, filename=filename)
        if not dmn.is_python(node):
            first = self.dmn_parsers[node.xpath("string(./*[local-name()='decision'][1]/@id)")]
            for decision_id in node.xpath("./*[local-name()='decision']/@id"):
                self.dmn_parsers.setdefault(str(decision_id), first)


def read_bundle(paths: Iterable[str | Path]) -> list[SourceFile]:
    """The .bpmn/.dmn files under the given folders or files, named relative to their folder."""
    files: list[SourceFile] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in (BPMN_SUFFIX, DMN_SUFFIX))
            files += [SourceFile(str(p.relative_to(path)), p.read_bytes()) for p in found]
        elif path.is_file():
            files.append(SourceFile(path.name, path.read_bytes()))
        else:
            raise DefinitionError([Problem(str(path), None, None, "no such file or folder")])
    if not files:
        raise DefinitionError([Problem(", ".join(map(str, paths)), None, None, "no .bpmn or .dmn files")])
    return files


@dataclass(frozen=True)
class CompiledProcess:
    info: ProcessInfo
    spec: Any  # BpmnProcessSpec
    subprocess_specs: dict[str, Any]
    start_form: tuple[FormField, ...] = ()


def bundle_digest(files: Sequence[SourceFile]) -> str:
    sha = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.name):
        sha.update(f.name.encode() + b"\0" + hashlib.sha256(f.content).digest())
    return sha.hexdigest()


def _line_of(trees: dict[str, Any], file: str | None, element_id: str | None) -> tuple[str, int | None]:
    """Spiff's semantic errors carry no line: find the element's line ourselves."""
    candidates = [file] if file in trees else list(trees)
    for name in candidates:
        if element_id:
            found = trees[name].xpath("//*[@id=$id]", id=element_id)
            if found:
                return name, found[0].sourceline
    return file or "", None


def _problem_from_spiff(error: SpiffWorkflowException, trees: dict[str, Any], fallback_file: str) -> Problem:
    element_id = getattr(error, "id", None) or getattr(error, "task_id", None) or None
    file_name = getattr(error, "file_name", None) or fallback_file
    file_name, line = _line_of(trees, file_name, element_id)
    reported = getattr(error, "line_number", None)
    if isinstance(reported, int) and reported > 0:
        line = reported
    message = error.args[0] if error.args else str(error)
    return Problem(file_name or fallback_file, line, element_id, str(message))


def compile_bundle(files: Sequence[SourceFile], roles: Collection[str] | None = None,
                   handlers: Collection[str] | None = None) -> dict[str, CompiledProcess]:
    """Every executable process of the bundle, validated; raises DefinitionError listing every problem.

    `roles`: the role ids a lane may name, when the caller knows them; `handlers`: the names of the
    registered service handlers (camunda:class and the like a service task may name)."""
    problems: list[Problem] = []
    notes: list[Problem] = []
    trees: dict[str, Any] = {}
    seen: set[str] = set()
    for f in files:
        if f.name in seen:
            problems.append(Problem(f.name, None, None, "the bundle has two files of this name"))
        seen.add(f.name)
        if not f.name.endswith((BPMN_SUFFIX, DMN_SUFFIX)):
            problems.append(Problem(f.name, None, None, "only .bpmn and .dmn files can be deployed"))
            continue
        try:
            f.content.decode("utf-8")  # stored and shown as text
        except UnicodeDecodeError as error:
            problems.append(Problem(f.name, None, None, f"not UTF-8 text (byte {error.start})"))
            continue
        try:
            trees[f.name] = etree.fromstring(f.content, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as error:
            problems.append(Problem(f.name, error.lineno, None, f"malformed XML: {error.msg}"))
            continue
        problems += _entity_problems(f.name, trees[f.name])
    if problems:
        raise DefinitionError(problems)

    validator = _schema_validator()
    for name, tree in trees.items():
        if name.endswith(BPMN_SUFFIX):
            validator.preprocess(tree)
            try:
                valid = validator.validator.validate(tree)
            except etree.XMLSchemaValidateError as error:  # libxml2 gives up on some inputs: a problem, not a crash
                problems.append(Problem(name, None, None, f"XML schema validation failed: {error}"))
                continue
            if not valid:
                for entry in validator.validator.error_log:
                    problems.append(Problem(name, entry.line, _id_at_line(tree, entry.line),
                                            f"XML schema: {entry.message}"))
            problems += check_document(name, tree, roles)
            refused, noted = check_camunda(name, tree, handlers)
            problems += refused
            notes += noted
        else:
            problems += dmn.check_file(name, tree)
    if problems:
        raise DefinitionError(problems)

    parser = DiagramParser(validator=validator)
    for name, tree in trees.items():
        try:
            if name.endswith(DMN_SUFFIX):
                parser.add_dmn_xml(tree, filename=name)
            else:
                parser.add_bpmn_xml(strip_ignored(tree), filename=name)
        except SpiffWorkflowException as error:
            problems.append(_problem_from_spiff(error, trees, name))
    if problems:
        raise DefinitionError(problems)

    compiled: dict[str, CompiledProcess] = {}
    for process_id in sorted(parser.get_process_ids()):
        try:
            spec = parser.get_spec(process_id)
            subprocesses = parser.get_subprocess_specs(process_id)
        except (SpiffWorkflowException, KeyError) as error:
            if isinstance(error, SpiffWorkflowException):
                problems.append(_problem_from_spiff(error, trees, spec_file(parser, process_id)))
            else:  # trap 7: CamundaParser raises a bare KeyError on some missing attributes
                problems.append(Problem(spec_file(parser, process_id), None, process_id,
                                        f"missing attribute {error}"))
            continue
        used = {spec.file, *(s.file for s in subprocesses.values() if s is not None)}
        used |= {f.name for f in files if f.name.endswith(DMN_SUFFIX)}
        used_files = [f for f in files if f.name in used]
        info = ProcessInfo(process_id, spec.description or process_id, bundle_digest(used_files),
                           tuple(sorted(used)), tuple(n for n in notes if n.file in used),
                           _version_tag(trees, process_id))
        compiled[process_id] = CompiledProcess(info, spec, subprocesses, _start_form(trees, process_id))
    if problems:
        raise DefinitionError(problems)
    if not compiled:
        raise DefinitionError([Problem(", ".join(trees), None, None, "no executable process in the bundle")])
    return compiled


def _start_form(trees: dict[str, Any], process_id: str) -> tuple[FormField, ...]:
    for tree in trees.values():
        for start in tree.xpath("//bpmn:process[@id=$id]/bpmn:startEvent", id=process_id, namespaces=_NAMESPACES):
            form = form_fields_of_element(start)
            if form:
                return form
    return ()


def _entity_problems(file: str, tree: Any) -> list[Problem]:
    """A DOCTYPE or an entity reference is refused: entities are never expanded (no XXE, no billion
    laughs), and the schema validator cannot handle an unexpanded one."""
    problems = []
    if tree.getroottree().docinfo.internalDTD is not None:
        problems.append(Problem(file, 1, None, "a DOCTYPE (entity declarations) is not allowed in a diagram"))
    for node in tree.iter(etree.Entity):
        owner = next((e.get("id") for e in node.iterancestors() if e.get("id")), None)
        problems.append(Problem(file, node.sourceline or node.getparent().sourceline, owner,
                                f"the entity reference {node.text} is not allowed: write the text itself"))
    return problems


def _version_tag(trees: dict[str, Any], process_id: str) -> str | None:
    for tree in trees.values():
        for process in tree.xpath("//bpmn:process[@id=$id]", id=process_id, namespaces=_NAMESPACES):
            return process.get(f"{{{_NAMESPACES['camunda']}}}versionTag")
    return None


def spec_file(parser: CamundaParser, process_id: str) -> str:
    process_parser = parser.get_process_parser(process_id)
    return getattr(process_parser, "filename", None) or ""


def _id_at_line(tree: Any, line: int | None) -> str | None:
    if not line:
        return None
    for element in tree.iter():
        if element.sourceline == line and element.get("id"):
            return str(element.get("id"))
    return None


_cache: dict[tuple[str, str], CompiledProcess] = {}
_cache_lock = Lock()


def load_process(files: Sequence[SourceFile] | Callable[[], Sequence[SourceFile]], process_id: str,
                 sha256: str) -> CompiledProcess:
    """A stored definition, parsed once per process and content hash. `files` may be a function that
    reads them: it is called only when the definition is not parsed yet."""
    key = (process_id, sha256)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is None:
        hit = compile_bundle(files() if callable(files) else files)[process_id]
        with _cache_lock:
            _cache[key] = hit
    return hit
