"""The eForms SDK the notices are generated for and validated against (not shipped: users download it).

Where it is: `ALLIANSSI_EFORMS_SDK` (a folder with `fields/fields.json`, `schemas/`, `schematrons/`,
`codelists/`), else `../shared/eforms-sdk` beside the checkout (the developers' and CI's copy).
The Schematron rules are compiled once per process for the notice subtypes we generate; the compiled
XSLT is kept in `ALLIANSSI_CACHE_DIR` (default: `instance/cache`), never in the repository.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from engine.schematron import Failure, Schematron
from engine.schematron_worker import SchematronService
from engine.xsd import XmlSchema
from workflows.errors import WorkflowsError

SUPPORTED_MINOR = "1.15"
REPO = Path(__file__).resolve().parents[2]
# the subtypes this product generates: contract notice (standard regime 16, light regime 20) and
# result notice (29, 33); one compiled stylesheet covers them all
SUBTYPES = ("16", "20", "29", "33")
MAIN_SCHEMA = {"16": "UBL-ContractNotice-2.3.xsd", "20": "UBL-ContractNotice-2.3.xsd",
               "29": "UBL-ContractAwardNotice-2.3.xsd", "33": "UBL-ContractAwardNotice-2.3.xsd"}


class SdkMissing(WorkflowsError):
    """No eForms SDK where it is looked for."""


def sdk_path() -> Path:
    configured = os.environ.get("ALLIANSSI_EFORMS_SDK")
    path = Path(configured) if configured else REPO.parent / "shared" / "eforms-sdk"
    if not (path / "fields" / "fields.json").is_file():
        raise SdkMissing(f"eForms-SDK puuttuu: {path}; aseta ALLIANSSI_EFORMS_SDK. / The eForms SDK "
                         f"{SUPPORTED_MINOR} was not found at {path}; set ALLIANSSI_EFORMS_SDK to its folder.")
    return path


def checks_off() -> bool:
    """`ALLIANSSI_EFORMS_CHECK=off`: run without the SDK (a demo on a machine without it): notice tasks
    record the sending unchecked and the NUTS field checks the code's form only."""
    return os.environ.get("ALLIANSSI_EFORMS_CHECK", "").lower() == "off"


def gate_on() -> bool:
    """The gate (on unless `ALLIANSSI_EFORMS_GATE=off`): notice tasks complete only when the notice passes
    the SDK's rules, and the notice sent is archived. `ALLIANSSI_EFORMS_CHECK=off` (no SDK) turns it off too."""
    return os.environ.get("ALLIANSSI_EFORMS_GATE", "").lower() != "off" and not checks_off()


def cache_dir() -> Path:
    return Path(os.environ.get("ALLIANSSI_CACHE_DIR") or REPO / "instance" / "cache")


@dataclass(frozen=True)
class Field:
    id: str
    name: str
    bt: str
    xpath: str


@dataclass(frozen=True)
class Problem:
    """One reason a notice is refused: the rule, the eForms field (business term) and where."""

    rule: str
    field: str
    field_name: str
    location: str
    message: str

    def __str__(self) -> str:
        named = f"{self.field} ({self.field_name})" if self.field_name else self.field
        return f"{self.rule}: {named} — {self.message} [{self.location}]"


class Sdk:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._service: SchematronService | None = None

    @cached_property
    def _fields_document(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.path / "fields" / "fields.json").read_text(encoding="utf-8"))
        return data

    @property
    def version(self) -> str:
        """`eforms-sdk-1.15.1` → `1.15.1`"""
        return str(self._fields_document["sdkVersion"]).removeprefix("eforms-sdk-")

    @property
    def customization_id(self) -> str:
        """What a notice says in cbc:CustomizationID: `eforms-sdk-<major.minor>`."""
        return "eforms-sdk-" + ".".join(self.version.split(".")[:2])

    @cached_property
    def fields(self) -> dict[str, Field]:
        found = {}
        for f in self._fields_document["fields"]:
            found[f["id"]] = Field(f["id"], f.get("name", ""), f.get("btId", ""), f.get("xpathAbsolute", ""))
        for node in self._fields_document["xmlStructure"]:
            found.setdefault(node["id"], Field(node["id"], node["id"], "", node.get("xpathAbsolute", "")))
        return found

    @cached_property
    def nuts_fi(self) -> dict[str, str]:
        """Finland's NUTS 3 regions: code → Finnish name."""
        tree = etree.parse(str(self.path / "codelists" / "nuts_nuts-fin-lvl3.gc"))
        regions = {}
        for row in tree.iter("Row"):
            values = {v.get("ColumnRef"): v.findtext("SimpleValue") for v in row.iter("Value")}
            if values.get("code") and not values["code"].endswith("ZZZ"):
                regions[str(values["code"])] = str(values.get("fin_label") or values.get("Name") or "")
        return regions

    def schema(self, subtype: str) -> XmlSchema:
        return _schema(str(self.path / "schemas" / "maindoc" / MAIN_SCHEMA[subtype]))

    @cached_property
    def schematron(self) -> Schematron:
        """The rule set as read by lxml (its phases and diagnostics); Saxon runs it in the service."""
        return Schematron(self.path / "schematrons" / "static" / "complete-validation.sch", cache_dir())

    def rules(self) -> SchematronService:
        """The rules of our subtypes, compiled once and run in a worker process of their own
        (`engine/schematron_worker.py`): Saxon never runs in the web or worker process itself."""
        with self._lock:
            if self._service is None:
                self._service = SchematronService(self.schematron.path, cache_dir(),
                                                  tuple(f"eforms-{s}" for s in SUBTYPES))
            return self._service

    def field_of(self, failure: Failure) -> Field | None:
        """The field a failed rule is about: its diagnostics name it (or the rule id's BT part)."""
        see = self.schematron.diagnostics
        for diagnostic in failure.diagnostics:
            named = see.get(diagnostic, "").removeprefix("field:").removeprefix("node:")
            field = self.fields.get(named) or self.fields.get(diagnostic)
            if field is not None:
                return field
        return None

    def check(self, document: bytes, subtype: str) -> list[Problem]:
        """Every XSD violation and every failed Schematron error rule of the notice; [] when it passes."""
        problems = [Problem("XSD", "", "", f"line {v.line}", v.message) for v in self.schema(subtype).check(document)]
        if problems:
            return problems        # the business rules assume a schema-valid document
        for failure in self.rules().check(document, f"eforms-{subtype}"):
            if not failure.is_error:
                continue
            field = self.field_of(failure)
            problems.append(Problem(failure.rule, field.id if field else "", field.name if field else "",
                                    failure.location, _rule_text(failure)))
        return problems


def _rule_text(failure: Failure) -> str:
    # The SDK's messages are translation keys ("rule|text|BR-…"); the test says what is wrong.
    if failure.message.startswith("rule|text|"):
        return f"rule not met: {failure.test}"
    return failure.message


@lru_cache(maxsize=8)
def _schema(path: str) -> XmlSchema:
    return XmlSchema(path)


_sdks: dict[Path, Sdk] = {}
_sdks_lock = threading.Lock()


def sdk() -> Sdk:
    """The SDK in use (one per path per process: its compiled rules are kept)."""
    path = sdk_path()
    with _sdks_lock:
        if path not in _sdks:
            _sdks[path] = Sdk(path)
        return _sdks[path]
