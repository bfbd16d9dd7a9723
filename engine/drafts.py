"""Drafts: a designer's change to a bundle, stored and audited but not deployed.

A draft starts from a deployed version's files or from uploaded ones, is saved file by file
(each save checks the revision the editor started from, so two editors cannot silently
overwrite each other) and is deployed through the ordinary deployment, which validates it in
full. Every creation, save and deployment of a draft is an event in the `drafts` audit stream.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.audit import ChainWriter, canonical_json
from engine.definitions import BPMN_SUFFIX, DMN_SUFFIX
from engine.errors import Conflict, DefinitionError, EngineError, Problem
from engine.models import Draft as DraftRow
from engine.types import DeployedProcess, SourceFile

if TYPE_CHECKING:
    from engine.storage import Database

DRAFTS_STREAM = "drafts"
OPEN, DEPLOYED = "open", "deployed"
MAX_FILE_BYTES = 5 * 1024 * 1024


class DraftNotFound(EngineError):
    """No draft of that id."""


@dataclass(frozen=True)
class Draft:
    id: str
    title: str
    process_id: str | None
    base_version: int | None
    files: Mapping[str, str]
    status: str
    revision: int
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime

    def source_files(self) -> list[SourceFile]:
        return [SourceFile(name, text.encode("utf-8")) for name, text in sorted(self.files.items())]


def _view(row: DraftRow) -> Draft:
    return Draft(row.id, row.title, row.process_id, row.base_version, dict(json.loads(row.files)), row.status,
                 row.revision, row.created_by, row.created_at, row.updated_by, row.updated_at)


def _hashes(files: Mapping[str, str]) -> dict[str, str]:
    return {name: hashlib.sha256(text.encode()).hexdigest() for name, text in files.items()}


def checked_file(name: str, content: bytes | str) -> str:
    """A file a draft may hold: a plain .bpmn/.dmn name, UTF-8 text, not too large."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    if not name or "/" in name or "\\" in name or name.startswith(".") or not name.endswith(
            (BPMN_SUFFIX, DMN_SUFFIX)):
        raise DefinitionError([Problem(name or "?", None, None, "a draft holds .bpmn and .dmn files with plain names")])
    if len(raw) > MAX_FILE_BYTES:
        raise DefinitionError([Problem(name, None, None, f"larger than {MAX_FILE_BYTES // 1024 // 1024} MiB")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DefinitionError([Problem(name, None, None, f"not UTF-8 text (byte {error.start})")]) from None


class Drafts:
    """The engine's side of drafts (mixed into Engine)."""

    db: Database
    _now: Callable[[], datetime]

    def deploy(self, files: Sequence[SourceFile], actor: str, reason: str = "") -> list[DeployedProcess]:
        raise NotImplementedError

    def definition_files(self, process_id: str, version: int) -> dict[str, str]:
        raise NotImplementedError

    def _append(self, session: object, event: str, at: datetime, actor: str, payload: Mapping[str, object]) -> None:
        ChainWriter(session, DRAFTS_STREAM).append(event, at, actor, None, payload)  # type: ignore[arg-type]

    def create_draft(self, actor: str, title: str, files: Mapping[str, bytes | str] | None = None,
                     process_id: str | None = None, base_version: int | None = None) -> Draft:
        """A new draft from uploaded files, or (files None) from a deployed version's files."""
        if files is None:
            if process_id is None or base_version is None:
                raise DefinitionError([Problem("?", None, None, "a draft needs files or a version to start from")])
            texts = self.definition_files(process_id, base_version)
        else:
            texts = {name: checked_file(name, content) for name, content in files.items()}
        if not texts:
            raise DefinitionError([Problem("?", None, None, "no .bpmn or .dmn files")])
        at = self._now()
        row = DraftRow(id=uuid.uuid4().hex, title=title.strip()[:500] or "draft", process_id=process_id,
                       base_version=base_version, files=canonical_json(texts), status=OPEN, revision=1,
                       created_by=actor, created_at=at, updated_by=actor, updated_at=at)
        try:
            with self.db.write() as session:
                session.add(row)
                session.flush()
                self._append(session, "draft_created", at, actor, {
                    "draft_id": row.id, "title": row.title, "process_id": process_id,
                    "base_version": base_version, "files": _hashes(texts)})
                return _view(row)
        except IntegrityError:
            raise Conflict("another change to the drafts ran at the same time; try again") from None

    def draft(self, draft_id: str) -> Draft:
        with self.db.read() as session:
            row = session.get(DraftRow, draft_id)
            if row is None:
                raise DraftNotFound(f"no draft {draft_id}")
            return _view(row)

    def drafts(self, status: str | None = OPEN) -> list[Draft]:
        with self.db.read() as session:
            query = select(DraftRow).order_by(DraftRow.updated_at.desc())
            if status:
                query = query.where(DraftRow.status == status)
            return [_view(r) for r in session.execute(query).scalars()]

    def save_draft(self, draft_id: str, name: str, content: bytes | str, actor: str,
                   expected_revision: int | None = None) -> Draft:
        """Replace (or add) one file of an open draft; refused if someone saved since `expected_revision`."""
        text = checked_file(name, content)
        at = self._now()
        try:
            with self.db.write() as session:
                row = session.get(DraftRow, draft_id)
                if row is None:
                    raise DraftNotFound(f"no draft {draft_id}")
                if row.status != OPEN:
                    raise Conflict(f"the draft is {row.status}; open a new one to change it")
                if expected_revision is not None and expected_revision != row.revision:
                    raise Conflict(f"{row.updated_by} saved this draft meanwhile; reload it")
                files = dict(json.loads(row.files))
                files[name] = text
                row.files, row.revision = canonical_json(files), row.revision + 1
                row.updated_by, row.updated_at = actor, at
                session.flush()
                self._append(session, "draft_saved", at, actor, {
                    "draft_id": draft_id, "revision": row.revision, "file": name,
                    "sha256": _hashes({name: text})[name]})
                return _view(row)
        except IntegrityError:
            raise Conflict("another change to the drafts ran at the same time; try again") from None

    def deploy_draft(self, draft_id: str, actor: str, reason: str,
                     expected_revision: int | None = None) -> list[DeployedProcess]:
        """Deploy an open draft (validated in full by deploy); the draft is then closed."""
        if not reason.strip():
            raise DefinitionError([Problem("?", None, None, "say why: a deployment needs a reason")])
        current = self.draft(draft_id)
        if current.status != OPEN:
            raise Conflict(f"the draft is {current.status}")
        if expected_revision is not None and expected_revision != current.revision:
            raise Conflict(f"{current.updated_by} saved this draft meanwhile; reload it")
        deployed = self.deploy(current.source_files(), actor, reason=reason.strip())
        at = self._now()
        with self.db.write() as session:
            row = session.get(DraftRow, draft_id)
            assert row is not None
            row.status, row.updated_by, row.updated_at = DEPLOYED, actor, at
            self._append(session, "draft_deployed", at, actor, {
                "draft_id": draft_id, "revision": row.revision, "reason": reason.strip(),
                "versions": {d.process_id: d.version for d in deployed}})
        return deployed
