"""Blob stores: file contents kept by the SHA-256 of their bytes (content-addressed).

    store = open_blob_store("file:///srv/allianssi/blobs")          # a directory (the default)
    store = open_blob_store("s3://bucket/prefix?endpoint=https://…")  # any S3-compatible store
    sha = store.put(b"...")        # the hex SHA-256; storing the same bytes twice is a no-op
    store.get(sha)                 # the bytes, checked against their hash (BlobCorrupted if not)

The audit log records only the hash, so a file changed or swapped in the store is caught when it is
read, and again by the audit package's own check. Credentials of an S3 store come from the usual
AWS environment variables or files (boto3's chain), never from the URL.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlparse

from engine.errors import EngineError

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobMissing(EngineError):
    """No blob with this hash in the store."""


class BlobCorrupted(EngineError):
    """The stored bytes no longer match their hash: the store was tampered with or damaged."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checked_name(sha: str) -> str:
    if not _SHA256.match(sha):  # the hash becomes a path or a key: nothing else may pass
        raise BlobMissing(f"not a SHA-256: {sha[:80]!r}")
    return sha


class BlobStore(Protocol):
    def put(self, data: bytes) -> str: ...

    def get(self, sha: str) -> bytes: ...

    def exists(self, sha: str) -> bool: ...

    def delete(self, sha: str) -> None: ...


def _verified(sha: str, data: bytes) -> bytes:
    if sha256_of(data) != sha:
        raise BlobCorrupted(f"the stored file {sha[:16]}… does not match its SHA-256")
    return data


class DirectoryBlobStore:
    """Blobs as files `<root>/<first two hex>/<hash>`; written to a temporary file and renamed, so a
    reader never sees half a file."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, sha: str) -> Path:
        name = _checked_name(sha)
        return self.root / name[:2] / name

    def put(self, data: bytes) -> str:
        sha = sha256_of(data)
        path = self._path(sha)
        if path.exists():
            return sha
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha

    def get(self, sha: str) -> bytes:
        path = self._path(sha)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise BlobMissing(f"no stored file {sha[:16]}…") from None
        return _verified(sha, data)

    def exists(self, sha: str) -> bool:
        return self._path(sha).is_file()

    def delete(self, sha: str) -> None:
        self._path(sha).unlink(missing_ok=True)


class S3BlobStore:
    """Blobs as objects `<prefix><hash>` in an S3-compatible bucket (AWS S3, MinIO, Ceph, Garage…)."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None,
                 region: str | None = None, client: Any = None):
        if client is None:
            import boto3  # only a deployment that uses S3 needs it loaded

            client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region)
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def _key(self, sha: str) -> str:
        return self.prefix + _checked_name(sha)

    def put(self, data: bytes) -> str:
        sha = sha256_of(data)
        if not self.exists(sha):
            # the store checks the upload against this checksum and refuses a damaged one
            self.client.put_object(Bucket=self.bucket, Key=self._key(sha), Body=data,
                                   ChecksumAlgorithm="SHA256")
        return sha

    def get(self, sha: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(sha))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise BlobMissing(f"no stored file {sha[:16]}…") from None
            raise
        return _verified(sha, answer["Body"].read())

    def exists(self, sha: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise
        return True

    def delete(self, sha: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(sha))


def open_blob_store(url: str) -> BlobStore:
    """`file:///path` (or a plain path) → DirectoryBlobStore; `s3://bucket/prefix?endpoint=URL&region=R`
    → S3BlobStore."""
    parsed = urlparse(url)
    if parsed.scheme in ("", "file"):
        return DirectoryBlobStore(parsed.path if parsed.scheme else url)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ValueError(f"an S3 blob store URL names its bucket: s3://bucket/prefix ({url!r})")
        query = parse_qs(parsed.query)
        prefix = parsed.path.lstrip("/")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        endpoint = query.get("endpoint", [""])[0] or None
        region = query.get("region", [""])[0] or None
        return S3BlobStore(parsed.netloc, prefix, endpoint_url=endpoint, region=region)
    raise ValueError(f"unknown blob store URL {url!r}: use file:///path or s3://bucket/prefix")
