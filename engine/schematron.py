"""ISO Schematron (XSLT 2/3 query binding) compiled to XSLT 3.0 and run by Saxon-HE (saxonche).

Why our own compiler: the reference implementations (the ISO skeleton, SchXslt) are XSLT files
distributed outside the package registries this project installs from, and lxml's
`isoschematron` runs XSLT 1.0 only, while rules written for `queryBinding="xslt2"` use XPath 2
(`matches()`, sequences, `every … satisfies`). The subset compiled here is the usual one of
generated rule sets: `ns`, `let` (schema, pattern and rule level), `phase`/`active`, `include` of
`pattern` files, `pattern`/`rule`/`assert`/`report` with `id`, `role`, `diagnostics` and plain-text
messages, and `diagnostics`. Anything else (abstract patterns, `extends`, `value-of` in messages…)
is refused at compile time rather than silently skipped.

Semantics kept from ISO Schematron: each pattern visits every node of the document once and a node
fires only the first rule (in document order) whose context matches it — here one XSLT mode per
pattern with the rules' templates given descending priorities.

Compiling a large rule set takes Saxon seconds, so one compiled stylesheet serves all the phases
asked for (the main template runs the patterns of the phase passed in), the generated XSLT is cached
on disk, and the compiled executable is kept for the life of the process.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from engine.errors import EngineError

SCH = "http://purl.oclc.org/dsdl/schematron"
XSL = "http://www.w3.org/1999/XSL/Transform"
SVRL = "http://purl.oclc.org/dsdl/svrl"
_COMPILER_VERSION = "2"
_S = {"s": SCH}
_Q = re.compile(r"Q\{([^}]*)\}")


class SchematronError(EngineError):
    """The rule set cannot be compiled or run (unsupported construct, missing file, Saxon error)."""


@dataclass(frozen=True)
class Failure:
    """A failed assert (or a fired report): the rule's id and role, the node it failed at and the
    ids of its diagnostics (in generated rule sets: the field the rule is about)."""

    rule: str
    role: str
    location: str
    test: str
    message: str
    diagnostics: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.role.upper() not in ("WARN", "WARNING", "INFO")


@dataclass
class _Pattern:
    id: str
    element: Any
    lets: list[tuple[str, str]] = field(default_factory=list)


class Schematron:
    """One Schematron schema file (with its included pattern files)."""

    def __init__(self, path: str | Path, cache_dir: str | Path | None = None) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise SchematronError(f"Schematron file not found: {self.path}")
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.root = etree.parse(str(self.path)).getroot()
        if self.root.tag != f"{{{SCH}}}schema":
            raise SchematronError(f"{self.path}: not an ISO Schematron schema")
        self.namespaces = {n.get("prefix"): n.get("uri") for n in self.root.findall("s:ns", _S)}
        # diagnostic id → its `see` (in generated rule sets: the field it is about), else its text
        self.diagnostics = {d.get("id"): d.get("see") or (d.text or "").strip()
                            for d in self.root.iterfind(".//s:diagnostic", _S)}
        self._phases = {p.get("id"): [a.get("pattern") for a in p.findall("s:active", _S)]
                        for p in self.root.findall("s:phase", _S)}
        self._lock = threading.Lock()
        self._compiled: dict[tuple[str, ...], Any] = {}

    @property
    def phases(self) -> list[str]:
        return list(self._phases)

    def _patterns(self) -> dict[str, _Pattern]:
        found: dict[str, _Pattern] = {}
        for element in self.root:
            if not isinstance(element.tag, str):
                continue
            local = etree.QName(element).localname
            if element.tag == f"{{{SCH}}}include":
                target = (self.path.parent / element.get("href", "")).resolve()
                if not target.is_file():
                    raise SchematronError(f"{self.path}: included file not found: {target}")
                included = etree.parse(str(target)).getroot()
                if included.tag != f"{{{SCH}}}pattern":
                    raise SchematronError(f"{target}: only included patterns are supported")
                self._add_pattern(found, included)
            elif element.tag == f"{{{SCH}}}pattern":
                self._add_pattern(found, element)
            elif local not in ("title", "ns", "let", "phase", "diagnostics", "p"):
                raise SchematronError(f"{self.path}: unsupported Schematron element <{local}>")
        return found

    @staticmethod
    def _add_pattern(found: dict[str, _Pattern], element: Any) -> None:
        if element.get("abstract") == "true" or element.get("is-a"):
            raise SchematronError(f"abstract pattern {element.get('id')!r} is not supported")
        pattern_id = element.get("id") or f"pattern-{len(found) + 1}"
        lets = [(let.get("name"), let.get("value")) for let in element.findall("s:let", _S)]
        found[pattern_id] = _Pattern(pattern_id, element, lets)

    def _source_digest(self, phases: Sequence[str]) -> str:
        digest = hashlib.sha256(_COMPILER_VERSION.encode())
        digest.update(self.path.read_bytes())
        for include in sorted(self.path.parent.glob("*.sch")):
            stat = include.stat()
            digest.update(f"{include.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        digest.update("\n".join(phases).encode())
        return digest.hexdigest()[:24]

    def stylesheet(self, phases: Sequence[str]) -> str:
        """The XSLT 3.0 text running the patterns of `phases` (cached in `cache_dir`)."""
        unknown = [p for p in phases if p not in self._phases]
        if unknown:
            raise SchematronError(f"{self.path}: no phase {', '.join(unknown)}")
        cached = self.cache_dir / f"schematron-{self._source_digest(phases)}.xsl" if self.cache_dir else None
        if cached is not None and cached.is_file():
            return cached.read_text(encoding="utf-8")
        text = self._compile(phases)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            # a temporary name of this process's own: two processes (test workers, web workers) may compile
            # at once; each renames a whole file, so readers never see half of one
            partial = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
            partial.write_text(text, encoding="utf-8")
            partial.replace(cached)
        return text

    def _compile(self, phases: Sequence[str]) -> str:
        patterns = self._patterns()
        wanted: list[str] = []
        for phase in phases:
            for pattern_id in self._phases[phase]:
                if pattern_id not in patterns:
                    raise SchematronError(f"phase {phase}: no pattern {pattern_id}")
                if pattern_id not in wanted:
                    wanted.append(pattern_id)
        out = etree.Element(f"{{{XSL}}}stylesheet", nsmap={"xsl": XSL, "svrl": SVRL, **self.namespaces})
        out.set("version", "3.0")
        out.set("exclude-result-prefixes", " ".join(p for p in self.namespaces if p))
        etree.SubElement(out, f"{{{XSL}}}param", name="phase", select="''")
        for let in self.root.findall("s:let", _S):
            etree.SubElement(out, f"{{{XSL}}}variable", name=let.get("name"), select=let.get("value"))
        for pattern_id in wanted:     # pattern-level lets are global in ISO Schematron
            for name, value in patterns[pattern_id].lets:
                etree.SubElement(out, f"{{{XSL}}}variable", name=name, select=value)
        main = etree.SubElement(out, f"{{{XSL}}}template", match="/")
        report = etree.SubElement(main, f"{{{SVRL}}}schematron-output")
        for mode, pattern_id in enumerate(wanted):
            in_phases = [p for p in phases if pattern_id in self._phases[p]]
            test = "$phase = (" + ", ".join(f"'{p}'" for p in in_phases) + ")"
            run = etree.SubElement(report, f"{{{XSL}}}if", test=test)
            etree.SubElement(run, f"{{{XSL}}}apply-templates", select="/", mode=f"p{mode}")
            self._pattern_templates(out, patterns[pattern_id].element, f"p{mode}")
        return etree.tostring(out, encoding="unicode")

    @staticmethod
    def _pattern_templates(out: Any, pattern: Any, mode: str) -> None:
        rules = [r for r in pattern if isinstance(r.tag, str) and r.tag == f"{{{SCH}}}rule"]
        for index, rule in enumerate(rules):
            if rule.get("abstract") == "true":
                raise SchematronError(f"abstract rule in {pattern.get('id')!r} is not supported")
            template = etree.SubElement(out, f"{{{XSL}}}template", match=rule.get("context"), mode=mode,
                                        priority=str(len(rules) - index))
            for child in rule:
                if not isinstance(child.tag, str):
                    continue
                local = etree.QName(child).localname
                if local == "let":
                    etree.SubElement(template, f"{{{XSL}}}variable", name=child.get("name"),
                                     select=child.get("value"))
                elif local in ("assert", "report"):
                    if len(child):
                        raise SchematronError(f"{child.get('id')}: only plain-text messages are supported")
                    test = child.get("test")
                    fired = etree.SubElement(template, f"{{{XSL}}}if",
                                             test=f"not({test})" if local == "assert" else test)
                    result = etree.SubElement(fired, f"{{{SVRL}}}failed-assert", id=child.get("id") or "",
                                              role=child.get("role") or "",
                                              test=test.replace("{", "{{").replace("}", "}}"),  # an AVT
                                              diagnostics=child.get("diagnostics") or "")
                    etree.SubElement(result, f"{{{XSL}}}attribute", name="location", select="path(.)")
                    etree.SubElement(result, f"{{{SVRL}}}text").text = (child.text or "").strip()
                elif local not in ("title", "p"):
                    raise SchematronError(f"unsupported <{local}> in a rule")
            etree.SubElement(template, f"{{{XSL}}}apply-templates", select="@*|node()", mode=mode)
        walk = etree.SubElement(out, f"{{{XSL}}}template", match="@*|node()", mode=mode, priority="-10")
        etree.SubElement(walk, f"{{{XSL}}}apply-templates", select="@*|node()", mode=mode)

    def validator(self, phases: Iterable[str]) -> SchematronValidator:
        """A compiled validator for these phases, compiled once per process."""
        key = tuple(phases)
        with self._lock:
            if key not in self._compiled:
                self._compiled[key] = SchematronValidator(self, key)
            return self._compiled[key]


class SchematronValidator:
    """The compiled stylesheet for some phases of a schema; `check` runs one phase on a document."""

    _processor: Any = None
    _processor_lock = threading.Lock()

    def __init__(self, schema: Schematron, phases: Sequence[str]) -> None:
        self.schema, self.phases = schema, tuple(phases)
        processor = self._saxon()
        try:
            self._executable = processor.new_xslt30_processor().compile_stylesheet(
                stylesheet_text=schema.stylesheet(phases))
        except Exception as error:       # saxonche raises PySaxonApiError with Saxon's messages
            raise SchematronError(f"Saxon could not compile {schema.path}: {error}") from error
        self._run_lock = threading.Lock()
        self._prefixes = {uri: prefix for prefix, uri in schema.namespaces.items() if prefix}

    @classmethod
    def _saxon(cls) -> Any:
        with cls._processor_lock:
            if cls._processor is None:
                from saxonche import PySaxonProcessor
                cls._processor = PySaxonProcessor(license=False)
            return cls._processor

    def check(self, document: bytes, phase: str) -> list[Failure]:
        if phase not in self.phases:
            raise SchematronError(f"phase {phase} was not compiled (compiled: {', '.join(self.phases)})")
        processor = self._saxon()
        with self._run_lock:      # one transformer, one document at a time
            try:
                node = processor.parse_xml(xml_text=document.decode("utf-8"))
                self._executable.set_parameter("phase", processor.make_string_value(phase))
                result = self._executable.transform_to_string(xdm_node=node)
            except Exception as error:
                raise SchematronError(f"Saxon could not run the rules: {error}") from error
        if result is None:
            raise SchematronError("Saxon gave no result")
        report = etree.fromstring(result.encode("utf-8"))
        return [Failure(rule=f.get("id", ""), role=f.get("role", ""), location=self._short(f.get("location", "")),
                        test=f.get("test", ""), message=(f.findtext(f"{{{SVRL}}}text") or "").strip(),
                        diagnostics=tuple(d for d in f.get("diagnostics", "").split() if d))
                for f in report.iter(f"{{{SVRL}}}failed-assert")]

    def _short(self, location: str) -> str:
        """`/Q{uri}Name[1]/…` with the schema's prefixes: `/Name[1]/cbc:ID[1]`."""
        return _Q.sub(lambda m: f"{self._prefixes[m.group(1)]}:" if m.group(1) in self._prefixes else "", location)
