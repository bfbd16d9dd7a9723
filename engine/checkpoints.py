"""Signed checkpoints: the chain heads, kept outside the database.

The hash chain shows that no stored event was changed in place, but someone who can write the
database can delete the newest events, a whole chain, or rewrite a chain consistently from the
start. A checkpoint records every chain's newest (seq, hash) at one moment and is signed with
the organisation's Ed25519 key; kept elsewhere (another system, a printout, an e-mail to the
auditor), it lets `verify --against` show that every event it names is still there, unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit import canonical_json
from engine.models import AuditRecord

FORMAT = "allianssi-checkpoint/1"


@dataclass(frozen=True)
class CheckpointReport:
    streams: int
    created_at: str
    key_fingerprint: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def new_key() -> bytes:
    """A new private key, PEM (PKCS#8, unencrypted: keep the file private)."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def public_pem(private_pem: bytes) -> bytes:
    return _private(private_pem).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _private(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def _raw(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def chain_heads(session: Session) -> dict[str, tuple[int, str]]:
    newest = select(AuditRecord.stream, func.max(AuditRecord.seq).label("seq")).group_by(AuditRecord.stream).subquery()
    rows = session.execute(select(AuditRecord.stream, AuditRecord.seq, AuditRecord.hash).join(
        newest, (AuditRecord.stream == newest.c.stream) & (AuditRecord.seq == newest.c.seq)))
    return {stream: (seq, digest) for stream, seq, digest in rows}


def make_checkpoint(heads: Mapping[str, tuple[int, str]], private_pem: bytes, created_at: datetime) -> bytes:
    key = _private(private_pem)
    body = {"format": FORMAT, "created_at": created_at.isoformat(), "public_key": _raw(key.public_key()),
            "heads": {stream: {"seq": seq, "hash": digest} for stream, (seq, digest) in sorted(heads.items())}}
    signature = key.sign(canonical_json(body).encode()).hex()
    return (json.dumps({**body, "signature": signature}, indent=1, sort_keys=True) + "\n").encode()


def verify_checkpoint(data: bytes, session: Session, public_pem_: bytes | None = None) -> CheckpointReport:
    """Check the signature, then that each event the checkpoint names is stored with the same hash.

    `public_pem_`: the key to trust; without it the key inside the checkpoint is used and its
    fingerprint reported (compare it with the one kept with the key)."""
    try:
        document = json.loads(data)
        signature = bytes.fromhex(document.pop("signature"))
        if document.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file")
        embedded = Ed25519PublicKey.from_public_bytes(bytes.fromhex(document["public_key"]))
        heads = {s: (int(h["seq"]), str(h["hash"])) for s, h in document["heads"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        return CheckpointReport(0, "", "", (f"not a readable checkpoint: {error}",))
    key = embedded
    if public_pem_ is not None:
        trusted = serialization.load_pem_public_key(public_pem_)
        if not isinstance(trusted, Ed25519PublicKey) or _raw(trusted) != _raw(embedded):
            return CheckpointReport(len(heads), document["created_at"], _raw(embedded)[:16],
                                    ("the checkpoint was signed with another key than the one given",))
        key = trusted
    try:
        key.verify(signature, canonical_json(document).encode())
    except InvalidSignature:
        return CheckpointReport(len(heads), document["created_at"], _raw(key)[:16],
                                ("the checkpoint's signature does not match its content (it was changed)",))
    problems = []
    for stream, (seq, digest) in sorted(heads.items()):
        stored = session.execute(select(AuditRecord.hash).where(
            AuditRecord.stream == stream, AuditRecord.seq == seq)).scalar()
        if stored is None:
            newest = session.execute(select(func.max(AuditRecord.seq)).where(AuditRecord.stream == stream)).scalar()
            problems.append(f"chain {stream}: deleted (the checkpoint has {seq} events)" if newest is None else
                            f"chain {stream}: events {newest + 1}–{seq} were deleted after the checkpoint")
        elif stored != digest:
            problems.append(f"chain {stream}: event {seq} differs from the checkpoint (the chain was rewritten)")
    return CheckpointReport(len(heads), document["created_at"], _raw(key)[:16], tuple(problems))
