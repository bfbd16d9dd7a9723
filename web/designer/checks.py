"""Every check a draft goes through, in one list: the engine's validation (what deployment
refuses), the design checks (engine/design.py) and bpmnlint with the project's `.bpmnlintrc`
(run by node: web/lint/bpmnlint.cjs). Each finding has file, line and element id.

Errors block deployment from the workbench; warnings are shown. If bpmnlint cannot run (no
node, no node_modules) that is an error too: a check that silently did not run is no check.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from engine import DefinitionError, Engine, SourceFile
from engine.design import check_design

WEB = Path(__file__).resolve().parent.parent
LINT_SCRIPT = WEB / "lint" / "bpmnlint.cjs"
LINT_TIMEOUT_S = 60


@dataclass(frozen=True)
class Finding:
    source: str  # validation | design | bpmnlint
    severity: str  # error | warning
    file: str
    line: int | None
    element_id: str | None
    message: str
    rule: str | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        element = f" [{self.element_id}]" if self.element_id else ""
        rule = f" ({self.rule})" if self.rule else ""
        return f"{self.severity} {where}{element}: {self.message}{rule} [{self.source}]"


def _line_of(files: Sequence[SourceFile], file: str, element_id: str | None) -> int | None:
    source = next((f for f in files if f.name == file), None)
    if source is None or not element_id:
        return None
    try:
        tree = etree.fromstring(source.content, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None
    found = tree.xpath("//*[@id=$id]", id=element_id)
    return int(found[0].sourceline) if found else None


def bpmnlint(files: Sequence[SourceFile]) -> list[Finding]:
    """bpmnlint's problems for the .bpmn files, located by line."""
    node = shutil.which("node")
    if node is None or not (WEB / "node_modules" / "bpmnlint").is_dir():
        return [Finding("bpmnlint", "error", "", None, None,
                        "bpmnlint could not run: it needs node and `npm ci` in web/")]
    payload = json.dumps({f.name: f.content.decode("utf-8", "replace") for f in files if f.name.endswith(".bpmn")})
    done = subprocess.run([node, str(LINT_SCRIPT), "--stdin"], input=payload, capture_output=True, text=True,
                          cwd=WEB, timeout=LINT_TIMEOUT_S, check=False)
    if done.returncode != 0:
        return [Finding("bpmnlint", "error", "", None, None, f"bpmnlint failed: {done.stderr.strip()[-500:]}")]
    return [Finding("bpmnlint", "error" if p["category"] == "error" else "warning", p["file"],
                    _line_of(files, p["file"], p["element_id"]), p["element_id"], p["message"], p["rule"])
            for p in json.loads(done.stdout)]


def check_bundle(engine: Engine, files: Sequence[SourceFile]) -> list[Finding]:
    """All findings for a bundle, errors first, each group in file and line order."""
    findings: list[Finding] = []
    try:
        engine.validate(files)
    except DefinitionError as error:
        findings += [Finding("validation", "error", p.file, p.line, p.element_id, p.message) for p in error.problems]
    findings += [Finding("design", "error", p.file, p.line, p.element_id, p.message) for p in check_design(files)]
    findings += bpmnlint(files)
    return sorted(findings, key=lambda f: (f.severity != "error", f.file, f.line or 0, f.message))


def has_errors(findings: Sequence[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
