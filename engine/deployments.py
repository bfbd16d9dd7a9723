"""Deployments: validating bundles and storing process definitions as pinned versions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.audit import DEFINITIONS_STREAM, ChainWriter, canonical_json
from engine.definitions import CompiledProcess, compile_bundle, load_process
from engine.errors import Conflict, DefinitionNotFound
from engine.models import ProcessDefinition
from engine.types import DeployedProcess, FormField, ProcessInfo, SourceFile

if TYPE_CHECKING:
    from engine.storage import Database
    from engine.types import AssignmentResolver


class Deployments:
    db: Database
    resolver: AssignmentResolver
    _now: Callable[[], datetime]

    def _roles(self) -> Collection[str] | None:
        """The role ids lanes may name, if the resolver says (an optional `roles()` method)."""
        roles = getattr(self.resolver, "roles", None)
        return roles() if callable(roles) else None

    def _handlers(self) -> Collection[str]:
        """The service handlers a service task may name (camunda:class and the like)."""
        return tuple(getattr(self, "service_handlers", None) or ())

    def validate(self, files: Sequence[SourceFile]) -> list[ProcessInfo]:
        return [process.info for process in compile_bundle(files, self._roles(), self._handlers()).values()]

    def deploy(self, files: Sequence[SourceFile], actor: str, reason: str = "") -> list[DeployedProcess]:
        """Store each process of a valid bundle as a new version, unless its content is already stored.

        `reason` (a designer's why) goes into the audit event when given."""
        compiled = compile_bundle(files, self._roles(), self._handlers())
        by_name = {f.name: f for f in files}
        at = self._now()
        results = []
        try:
            with self.db.write() as session:
                chain: ChainWriter | None = None
                for process_id, process in compiled.items():
                    existing = session.execute(select(ProcessDefinition).where(
                        ProcessDefinition.process_id == process_id,
                        ProcessDefinition.sha256 == process.info.sha256)).scalar_one_or_none()
                    if existing is not None:
                        results.append(_deployed(existing, created=False))
                        continue
                    latest = session.execute(select(ProcessDefinition.version).where(
                        ProcessDefinition.process_id == process_id)
                        .order_by(ProcessDefinition.version.desc()).limit(1)).scalar()
                    stored_files = {name: by_name[name].content.decode("utf-8") for name in process.info.files}
                    row = ProcessDefinition(process_id=process_id, version=(latest or 0) + 1,
                                            name=process.info.name, sha256=process.info.sha256,
                                            files=canonical_json(stored_files), deployed_at=at, deployed_by=actor)
                    session.add(row)
                    session.flush()
                    chain = chain or ChainWriter(session, DEFINITIONS_STREAM)
                    chain.append("definition_deployed", at, actor, None, {
                        "process_id": process_id, "version": row.version, "sha256": row.sha256,
                        "files": {n: _sha(c) for n, c in stored_files.items()},
                        **({"reason": reason} if reason else {})})
                    results.append(_deployed(row, created=True))
        except IntegrityError:
            raise Conflict("another deployment of the same process ran at the same time; try again") from None
        return results

    def _definition(self, session: Session, process_id: str, version: int | None = None) -> ProcessDefinition:
        query = select(ProcessDefinition).where(ProcessDefinition.process_id == process_id)
        query = query.where(ProcessDefinition.version == version) if version else query.order_by(
            ProcessDefinition.version.desc()).limit(1)
        row = session.execute(query).scalars().first()
        if row is None:
            raise DefinitionNotFound(f"no deployed process {process_id!r}" + (f" version {version}" if version else ""))
        return row

    def _compiled(self, row: ProcessDefinition) -> CompiledProcess:
        files = [SourceFile(name, text.encode()) for name, text in json.loads(row.files).items()]
        return load_process(files, row.process_id, row.sha256)

    def start_form(self, process_id: str, version: int | None = None) -> tuple[FormField, ...]:
        """The fields a user fills in to start the process (its start event's camunda:formData)."""
        return self.compiled_definition(process_id, version).start_form

    def compiled_definition(self, process_id: str, version: int | None = None) -> CompiledProcess:
        with self.db.read() as session:
            return self._compiled(self._definition(session, process_id, version))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _deployed(row: ProcessDefinition, created: bool) -> DeployedProcess:
    return DeployedProcess(row.process_id, row.name, row.version, row.sha256, row.deployed_at, created)
