"""XML Schema (XSD 1.0) validation with lxml: every error with its line, the schema loaded once."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from engine.errors import EngineError


class SchemaError(EngineError):
    """The schema cannot be loaded."""


@dataclass(frozen=True)
class SchemaViolation:
    line: int
    path: str
    message: str


class XmlSchema:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise SchemaError(f"XML schema not found: {self.path}")
        self._schema: etree.XMLSchema | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> etree.XMLSchema:
        with self._lock:
            if self._schema is None:
                try:
                    self._schema = etree.XMLSchema(etree.parse(str(self.path)))
                except (etree.XMLSchemaParseError, OSError) as error:
                    raise SchemaError(f"{self.path}: {error}") from error
            return self._schema

    def check(self, document: bytes) -> list[SchemaViolation]:
        """The document's violations of the schema (a document that is not XML is one violation)."""
        try:
            tree = etree.fromstring(document)
        except etree.XMLSyntaxError as error:
            return [SchemaViolation(error.lineno or 0, "", f"not well-formed XML: {error}")]
        schema = self._loaded()
        with self._lock:                 # lxml's error_log belongs to the schema object
            schema.validate(tree)
            return [SchemaViolation(e.line, e.path or "", e.message) for e in schema.error_log]
