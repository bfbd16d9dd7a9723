"""The append-only, hash-chained audit log.

Each event's hash is SHA-256 over the previous event's hash and the canonical
JSON of the event itself, so changing, removing or reordering any stored event
breaks every later link. Streams are independent chains: one per instance,
and `definitions` for deployments.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Generator, Mapping
from contextlib import closing
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, insert, select
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


def stored_event_hash(prev_hash: str, stream: str, seq: int, type_: str, at: datetime, actor: str,
                      task_id: str | None, payload_json: str) -> str:
    """event_hash over the stored canonical payload bytes as they are: the same canonical JSON spelled
    without parsing and re-dumping the payload (its keys are already sorted, the outer keys are fixed)."""
    body = "".join((
        '{"actor":', _string(actor), ',"at":', _string(at.isoformat()), ',"payload":', payload_json,
        ',"seq":', str(int(seq)), ',"stream":', _string(stream), ',"task_id":',
        "null" if task_id is None else _string(task_id), ',"type":', _string(type_), "}"))
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


_string = json.encoder.encode_basestring  # json.dumps(str, ensure_ascii=False)


class ChainWriter:
    """Appends to one stream inside the caller's transaction (the instance lock serialises writers).

    `head`: the stream's last (seq, hash) when the caller read it already. With `bulk`, appended events
    wait for `write()`, which inserts them in one statement instead of through the session's unit of work."""

    def __init__(self, session: Session, stream: str, head: tuple[int | None, str | None] | None = None,
                 bulk: bool = False):
        self.session = session
        self.stream = stream
        self.bulk = bulk
        self.pending: list[dict[str, Any]] = []
        if head is None:
            last = session.execute(
                select(AuditRecord.seq, AuditRecord.hash).where(AuditRecord.stream == stream)
                .order_by(AuditRecord.seq.desc()).limit(1)
            ).first()
            head = (last[0], last[1]) if last else (None, None)
        self.seq, self.head = (head[0], head[1]) if head[0] is not None and head[1] is not None else (0, GENESIS)

    @property
    def next_seq(self) -> int:
        return self.seq + 1

    def append(self, type_: str, at: datetime, actor: str, task_id: str | None,
               payload: Mapping[str, Any]) -> None:
        seq = self.seq + 1
        at = at.astimezone(timezone.utc)  # stored as UTC; hash what will be read back
        payload_json = canonical_json(payload)
        digest = stored_event_hash(self.head, self.stream, seq, type_, at, actor, task_id, payload_json)
        values = {"stream": self.stream, "seq": seq, "type": type_, "at": at, "actor": actor, "task_id": task_id,
                  "payload": payload_json, "prev_hash": self.head, "hash": digest}
        if self.bulk:
            self.pending.append(values)
        else:
            self.session.add(AuditRecord(**values))
        self.seq, self.head = seq, digest

    def write(self) -> None:
        """Insert the events waiting (bulk mode) in one statement."""
        if self.pending:
            self.session.execute(insert(AuditRecord), self.pending)
            self.pending = []


def to_event(record: AuditRecord) -> AuditEvent:
    return AuditEvent(record.stream, record.seq, record.type, record.at, record.actor, record.task_id,
                      json.loads(record.payload), record.prev_hash, record.hash)


# The chain's rows as the driver hands them over, `at` already spelled as `datetime.isoformat()` spells the
# stored UTC instant (the hashed form), so verifying builds no datetime and no SQLAlchemy row per event.
_CHAIN_SQL = {
    "postgresql": "SELECT stream, seq, type, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), actor, "
                  "task_id, payload, prev_hash, hash FROM audit_events{where} ORDER BY stream, seq",
    # SQLAlchemy stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, engine.models.UTCDateTime)
    "sqlite": "SELECT stream, seq, type, replace(at, ' ', 'T'), actor, task_id, payload, prev_hash, hash "
              "FROM audit_events{where} ORDER BY stream, seq",
}
_BATCH = 5000


def _chain_rows(session: Session, stream: str | None) -> Generator[tuple[Any, ...], None, None]:
    """(stream, seq, type, at text, actor, task_id, payload, prev_hash, hash) in chain order, through the
    DBAPI cursor in batches (PostgreSQL: a server-side cursor, so a long log is never held whole)."""
    connection = session.connection()
    dialect = connection.dialect.name
    sql = _CHAIN_SQL[dialect].format(where="" if stream is None else
                                     " WHERE stream = " + ("?" if dialect == "sqlite" else "%s"))
    params = () if stream is None else (stream,)
    raw = connection.connection.driver_connection
    assert raw is not None
    cursor = raw.cursor(name="verify_chain") if dialect == "postgresql" else raw.cursor()
    try:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(_BATCH):
            yield from batch
    finally:
        cursor.close()


def _utc_iso(at: str) -> str:
    """The stored instant's text as `datetime.isoformat()` spells an aware UTC datetime."""
    return (at[:-7] if at.endswith(".000000") else at) + "+00:00"


def verify_chain(session: Session, stream: str | None = None) -> ChainReport:
    """Walk each chain from its start; name the first event whose link or hash does not match.

    Rows come straight from the driver's cursor and each hash is computed over the stored canonical
    payload as it is; only a row whose hash does not match that way is parsed and re-spelled (an event
    stored before payloads were canonical would still match), so an intact chain costs one SHA-256 and
    one string join per event."""
    heads: dict[str, str] = {}
    events = 0
    current, prev_hash, expected_seq = None, GENESIS, 1
    sha256, string = hashlib.sha256, _string
    middle = ""  # the body's fixed text around the stream's id, per stream
    with closing(_chain_rows(session, stream)) as rows:  # a broken link ends the walk: close the cursor
        for record in rows:
            name, seq, type_, at, actor, task_id, payload, stored_prev, stored_hash = record
            if name != current:
                current, prev_hash, expected_seq = name, GENESIS, 1
                middle = ',"stream":' + string(name) + ',"task_id":'
            events += 1
            # stored_event_hash, inlined: the same bytes, without its per-call argument handling
            if at.endswith(".000000"):
                at = at[:-7]
            if (seq != expected_seq or stored_prev != prev_hash or sha256((
                    prev_hash + '{"actor":' + string(actor) + ',"at":"' + at + '+00:00","payload":' + payload
                    + ',"seq":' + str(seq) + middle + ("null" if task_id is None else string(task_id))
                    + ',"type":' + string(type_) + "}").encode()).hexdigest() != stored_hash):
                broken = _check_link(record, prev_hash, expected_seq)
                if broken:
                    return ChainReport(len(heads) + 1, events, heads, BrokenLink(name, seq, broken))
            prev_hash, expected_seq = stored_hash, expected_seq + 1
            heads[name] = stored_hash
    return ChainReport(len(heads), events, heads, None)


def _check_link(record: tuple[Any, ...], prev_hash: str, expected_seq: int) -> str | None:
    """Why an event does not link (None when it does after all, spelled as it was first hashed)."""
    stream, seq, type_, at_text, actor, task_id, payload, stored_prev, stored_hash = record
    if seq != expected_seq:
        return f"event {expected_seq} is missing (found {seq})"
    if stored_prev != prev_hash:
        return "prev_hash does not match the previous event's hash"
    try:
        at = datetime.fromisoformat(_utc_iso(at_text))
    except (TypeError, ValueError):
        return f"its time {at_text!r} is not a timestamp"
    if stored_event_hash(prev_hash, stream, seq, type_, at, actor, task_id, payload) == stored_hash:
        return None
    try:
        recomputed = event_hash(prev_hash, stream, seq, type_, at, actor, task_id, payload)
    except ValueError as error:
        return f"payload is not valid JSON: {error}"
    if recomputed != stored_hash:
        return "content does not match its hash (the event was changed)"
    return None


def stream_length(session: Session, stream: str) -> int:
    return session.execute(select(func.count()).where(AuditRecord.stream == stream)).scalar_one()
