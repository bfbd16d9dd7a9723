"""The audit package verifies offline, and fails after any one byte is changed."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timezone

from engine import Engine
from engine.package import export_package, verify_package
from tests.engine.conftest import review_round, start_example, submit

EXPORTED = datetime(2026, 5, 1, tzinfo=timezone.utc)


def package(engine: Engine) -> bytes:
    instance_id = start_example(engine)
    submit(engine, instance_id)
    review_round(engine, instance_id, approve=True)
    return export_package(engine, instance_id, EXPORTED)


def rewrite(data: bytes, name: str, change) -> bytes:  # type: ignore[no-untyped-def]
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.namelist():
            content = source.read(item)
            target.writestr(item, change(content) if item == name else content)
    return out.getvalue()


def flip_one_byte(content: bytes, at: int) -> bytes:
    return content[:at] + bytes([content[at] ^ 0x01]) + content[at + 1:]


def test_package_verifies_offline(engine: Engine) -> None:
    data = package(engine)
    report = verify_package(data)
    assert report.ok, report.problems
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert {"manifest.json", "events.jsonl", "chain_head.txt", "SUMMARY.md",
            "definition/example_review.bpmn"} <= set(names)
    assert report.events == len(zipfile.ZipFile(io.BytesIO(data)).read("events.jsonl").splitlines())


def test_any_changed_byte_fails(engine: Engine) -> None:
    data = package(engine)
    for name in ("events.jsonl", "definition/example_review.bpmn", "chain_head.txt"):
        changed = rewrite(data, name, lambda c: flip_one_byte(c, len(c) // 2))
        assert not verify_package(changed).ok, name
    raw = flip_one_byte(data, len(data) // 2)
    assert not verify_package(raw).ok


def test_a_consistently_rehashed_manifest_still_fails_on_the_chain(engine: Engine) -> None:
    """Changing an event and fixing the manifest's file hash is still caught by the chain."""
    data = package(engine)
    archive = zipfile.ZipFile(io.BytesIO(data))
    events = archive.read("events.jsonl").replace(b'"approve":true', b'"approve":false', 1)
    manifest = json.loads(archive.read("manifest.json"))
    import hashlib
    manifest["files"]["events.jsonl"] = hashlib.sha256(events).hexdigest()
    forged = rewrite(rewrite(data, "events.jsonl", lambda _: events), "manifest.json",
                     lambda _: json.dumps(manifest).encode())
    report = verify_package(forged)
    assert not report.ok and any("was changed" in p for p in report.problems)
