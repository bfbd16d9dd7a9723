"""The audit package: one archive an auditor can verify without the database.

Contents (a zip):
- `definition/<file>`: the .bpmn/.dmn files of the version the instance started on;
- `migrated/v<N>/<file>`: for an instance moved to a newer version, that version's files;
- `events.jsonl`: every audit event of the instance, one JSON object a line, with prev_hash and hash;
- `chain_head.txt`: the hash of the last event;
- `files/<sha256>`: every file the events record (attachments, generated documents), named by its hash;
- `manifest.json`: instance, process, version, definition sha256, and the SHA-256 of every file above;
- `SUMMARY.md`: a short human-readable account.

`verify_package` recomputes every hash: the files against the manifest, the
definition against the digest recorded when the instance started, the event
chain link by link up to the stated head, and each attached file against the
hash its event recorded (so a changed byte is caught even with a rewritten manifest).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from engine.attachments import references_in
from engine.audit import GENESIS, canonical_json, event_hash
from engine.definitions import bundle_digest
from engine.types import AuditEvent, SourceFile

if TYPE_CHECKING:
    from engine.runtime import Engine


@dataclass(frozen=True)
class PackageReport:
    ok: bool
    events: int
    chain_head: str
    problems: tuple[str, ...]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def export_package(engine: Engine, instance_id: str, exported_at: datetime) -> bytes:
    instance = engine.instance(instance_id)
    events = engine.history(instance_id)
    started = events[0].payload if events else {}
    first_version = started.get("definition_version")  # a migrated instance's row names its newest
    files = engine.definition_files(instance.process_id, first_version if isinstance(first_version, int)
                                    else instance.definition_version)
    lines = [canonical_json({"stream": e.stream, "seq": e.seq, "type": e.type, "at": e.at.isoformat(),
                             "actor": e.actor, "task_id": e.task_id, "payload": dict(e.payload),
                             "prev_hash": e.prev_hash, "hash": e.hash}) for e in events]
    contents: dict[str, bytes] = {f"definition/{name}": text.encode() for name, text in sorted(files.items())}
    for moved in (e.payload for e in events if e.payload.get("op") == "migrate"):
        for name, text in sorted(engine.definition_files(instance.process_id, int(moved["to_version"])).items()):
            contents[f"migrated/v{moved['to_version']}/{name}"] = text.encode()
    contents["events.jsonl"] = ("\n".join(lines) + "\n").encode()
    head = events[-1].hash if events else GENESIS
    contents["chain_head.txt"] = (head + "\n").encode()
    attachments = _attachments(events)
    if attachments and engine.blobs is None:
        raise ValueError("the instance has attached files but no blob store is configured")
    for sha in sorted(attachments):
        assert engine.blobs is not None
        contents[f"files/{sha}"] = engine.blobs.get(sha)  # checked against its hash on the way out
    contents["SUMMARY.md"] = _summary(instance_id, instance.process_id, instance.definition_version,
                                      instance.status, len(events), head, exported_at, events).encode()
    manifest = {
        "instance_id": instance_id, "process_id": instance.process_id,
        "definition_version": instance.definition_version,
        "definition_sha256": started.get("definition_sha256"),
        "exported_at": exported_at.isoformat(), "chain_head": head, "events": len(events),
        "attachments": [attachments[sha] for sha in sorted(attachments)],
        "files": {name: _sha(data) for name, data in contents.items()},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
        for name, data in contents.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _attachments(events: list[AuditEvent]) -> dict[str, dict[str, object]]:
    """sha256 → (the first) reference of every file the events record."""
    found: dict[str, dict[str, object]] = {}
    for event in events:
        for ref in references_in(event.payload):
            found.setdefault(str(ref["sha256"]), {**ref, "event": event.seq})
    return found


def _summary(instance_id: str, process_id: str, version: int, status: str, count: int, head: str,
             exported_at: datetime, events: list[AuditEvent]) -> str:
    actors = sorted({e.actor for e in events})
    first, last = (events[0].at.isoformat(), events[-1].at.isoformat()) if events else ("-", "-")
    return (f"# Audit package {instance_id}\n\n"
            f"- process: {process_id}, definition version {version}\n- status: {status}\n"
            f"- events: {count}, from {first} to {last}\n- actors: {', '.join(actors)}\n"
            f"- chain head: {head}\n- exported: {exported_at.isoformat()}\n\n"
            "Verify without the database: `allianssi verify-package FILE`. Every event's hash is SHA-256 over "
            "the previous hash and the canonical JSON of the event (stream, seq, type, at, actor, task_id, "
            "payload).\n")


def verify_package(data: bytes) -> PackageReport:
    problems: list[str] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        contents = {name: archive.read(name) for name in names if name != "manifest.json"}
    except (zipfile.BadZipFile, KeyError, ValueError, zipfile.LargeZipFile) as error:
        return PackageReport(False, 0, "", (f"not a readable audit package: {error}",))

    expected = manifest.get("files", {})
    for name in sorted(set(expected) | set(contents)):
        if name not in contents:
            problems.append(f"{name} is listed in the manifest but missing")
        elif name not in expected:
            problems.append(f"{name} is in the archive but not in the manifest")
        elif _sha(contents[name]) != expected[name]:
            problems.append(f"{name} does not match its SHA-256 in the manifest")

    definition = [SourceFile(n.removeprefix("definition/"), d) for n, d in contents.items()
                  if n.startswith("definition/")]
    recorded = manifest.get("definition_sha256")
    if recorded and definition and bundle_digest(definition) != recorded:
        problems.append("the definition files differ from the ones the instance started on")

    problems += _migrated_versions(contents)

    count, head = 0, GENESIS
    for number, line in enumerate(contents.get("events.jsonl", b"").decode().splitlines(), 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
            count += 1
            if event["seq"] != count:
                problems.append(f"event {count} is missing (line {number} holds event {event['seq']})")
                break
            if event["prev_hash"] != head:
                problems.append(f"event {event['seq']}: prev_hash does not match the previous event")
                break
            digest = event_hash(head, event["stream"], event["seq"], event["type"],
                                datetime.fromisoformat(event["at"]), event["actor"], event["task_id"],
                                canonical_json(event["payload"]))
        except (KeyError, ValueError, TypeError) as error:
            problems.append(f"line {number} of events.jsonl is not a valid event: {error}")
            break
        if digest != event["hash"]:
            problems.append(f"event {event['seq']}: content does not match its hash (the event was changed)")
            break
        head = digest
    recorded_files: set[str] = set()
    for line in contents.get("events.jsonl", b"").decode().splitlines():
        try:
            recorded_files.update(str(r["sha256"]) for r in references_in(json.loads(line)["payload"]))
        except (KeyError, ValueError, TypeError):
            continue  # reported above
    for sha in sorted(recorded_files):
        stored = contents.get(f"files/{sha}")
        if stored is None:
            problems.append(f"files/{sha} is recorded in the events but missing from the package")
        elif _sha(stored) != sha:
            problems.append(f"files/{sha} does not match the SHA-256 its event recorded (the file was changed)")
    stated = contents.get("chain_head.txt", b"").decode().strip()
    if not problems and stated != head:
        problems.append(f"chain head {stated[:16]}… does not match the last event's hash {head[:16]}…")
    if not problems and manifest.get("chain_head") != head:
        problems.append("the manifest's chain head does not match the events")
    return PackageReport(not problems, count, head, tuple(problems))


def _migrated_versions(contents: dict[str, bytes]) -> list[str]:
    """Each version the instance moved to: its files match the hash its migration event recorded."""
    problems = []
    for line in contents.get("events.jsonl", b"").decode().splitlines():
        try:
            payload = json.loads(line).get("payload", {}) if line.strip() else {}
        except ValueError:
            continue  # reported with the chain
        if payload.get("op") != "migrate":
            continue
        prefix = f"migrated/v{payload.get('to_version')}/"
        files = [SourceFile(n.removeprefix(prefix), d) for n, d in contents.items() if n.startswith(prefix)]
        if not files or bundle_digest(files) != payload.get("to_sha256"):
            problems.append(f"the files of version {payload.get('to_version')} differ from the ones the instance "
                            "was migrated to")
    return problems
