"""The append-only, hash-chained audit log.

Each event's hash is SHA-256 over the previous event's hash and the canonical
JSON of the event itself, so changing, removing or reordering any stored event
breaks every later link. Streams are independent chains: one per instance,
and `definitions` for deployments.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import AuditRecord
from engine.types import AuditEvent, BrokenLink, ChainReport

GENESIS = "0" * 64
DEFINITIONS_STREAM = "definitions"


def canonical_json(value: Any) -> str:
    """The one JSON spelling used for hashing and storing: sorted keys, no spaces, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def event_hash(prev_hash: str, stream: str, seq: int, type_: str, at: datetime, actor: str,
               task_id: str | None, payload_json: str) -> str:
    body = canonical_json({
        "stream": stream, "seq": seq, "type": type_, "at": at.isoformat(), "actor": actor,
        "task_id": task_id, "payload": json.loads(payload_json),
    })
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


class ChainWriter:
    """Appends to one stream inside the caller's transaction (the instance lock serialises writers)."""

    def __init__(self, session: Session, stream: str):
        self.session = session
        self.stream = stream
        last = session.execute(
            select(AuditRecord.seq, AuditRecord.hash).where(AuditRecord.stream == stream)
            .order_by(AuditRecord.seq.desc()).limit(1)
        ).first()
        self.seq, self.head = (last[0], last[1]) if last else (0, GENESIS)

    @property
    def next_seq(self) -> int:
        return self.seq + 1

    def append(self, type_: str, at: datetime, actor: str, task_id: str | None,
               payload: Mapping[str, Any]) -> AuditRecord:
        seq = self.seq + 1
        at = at.astimezone(timezone.utc)  # stored as UTC; hash what will be read back
        payload_json = canonical_json(payload)
        digest = event_hash(self.head, self.stream, seq, type_, at, actor, task_id, payload_json)
        record = AuditRecord(stream=self.stream, seq=seq, type=type_, at=at, actor=actor, task_id=task_id,
                             payload=payload_json, prev_hash=self.head, hash=digest)
        self.session.add(record)
        self.seq, self.head = seq, digest
        return record


def to_event(record: AuditRecord) -> AuditEvent:
    return AuditEvent(record.stream, record.seq, record.type, record.at, record.actor, record.task_id,
                      json.loads(record.payload), record.prev_hash, record.hash)


def verify_chain(session: Session, stream: str | None = None) -> ChainReport:
    """Walk each chain from its start; name the first event whose link or hash does not match."""
    query = select(AuditRecord).order_by(AuditRecord.stream, AuditRecord.seq)
    if stream is not None:
        query = query.where(AuditRecord.stream == stream)
    heads: dict[str, str] = {}
    events = 0
    current, prev_hash, expected_seq = None, GENESIS, 1
    for record in session.execute(query.execution_options(yield_per=2000)).scalars():
        if record.stream != current:
            current, prev_hash, expected_seq = record.stream, GENESIS, 1
        events += 1
        broken = _check_link(record, prev_hash, expected_seq)
        if broken:
            return ChainReport(len(heads) + 1, events, heads, BrokenLink(record.stream, record.seq, broken))
        prev_hash, expected_seq = record.hash, expected_seq + 1
        heads[record.stream] = record.hash
    return ChainReport(len(heads), events, heads, None)


def _check_link(record: AuditRecord, prev_hash: str, expected_seq: int) -> str | None:
    if record.seq != expected_seq:
        return f"event {expected_seq} is missing (found {record.seq})"
    if record.prev_hash != prev_hash:
        return "prev_hash does not match the previous event's hash"
    try:
        recomputed = event_hash(prev_hash, record.stream, record.seq, record.type, record.at, record.actor,
                                record.task_id, record.payload)
    except ValueError as error:
        return f"payload is not valid JSON: {error}"
    if recomputed != record.hash:
        return "content does not match its hash (the event was changed)"
    return None


def stream_length(session: Session, stream: str) -> int:
    return session.execute(select(func.count()).where(AuditRecord.stream == stream)).scalar_one()
