"""The blob stores, one contract run on every adapter: a directory, and an S3-compatible object store
(moto's standalone server, a real S3 API over HTTP on localhost, driven through boto3)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.blobs import BlobCorrupted, BlobMissing, BlobStore, DirectoryBlobStore, open_blob_store, sha256_of


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    if server is None:
        pytest.skip("moto_server is not installed (pip install 'moto[server]')")
    port = _free_port()
    process = subprocess.Popen([server, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("moto_server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _s3_store(endpoint: str, monkeypatch: pytest.MonkeyPatch, bucket: str) -> BlobStore:
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    return open_blob_store(f"s3://{bucket}/allianssi/files?endpoint={endpoint}&region=us-east-1")


@pytest.fixture(params=["directory", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BlobStore:
    if request.param == "directory":
        return open_blob_store(f"file://{tmp_path / 'blobs'}")
    endpoint = request.getfixturevalue("s3_endpoint")
    return _s3_store(endpoint, monkeypatch, f"bucket-{tmp_path.name.lower().replace('_', '-')[-40:]}")


def _tamper(store: BlobStore, sha: str, data: bytes) -> None:
    """Change the stored bytes behind the store's back, as a damaged disk or an intruder would."""
    if isinstance(store, DirectoryBlobStore):
        (store.root / sha[:2] / sha).write_bytes(data)
    else:
        store.client.put_object(Bucket=store.bucket, Key=store.prefix + sha, Body=data)  # type: ignore[attr-defined]


def test_a_blob_is_stored_and_read_back_by_its_sha256(store: BlobStore) -> None:
    data = b"%PDF-1.7 tarjous" * 100
    sha = store.put(data)
    assert sha == sha256_of(data)
    assert store.exists(sha) and store.get(sha) == data
    assert store.put(data) == sha  # the same bytes again: a no-op


def test_a_changed_blob_is_caught_when_read(store: BlobStore) -> None:
    sha = store.put(b"alkuperainen")
    _tamper(store, sha, b"muutettu")
    with pytest.raises(BlobCorrupted):
        store.get(sha)


def test_a_missing_blob_or_a_forged_name_is_refused(store: BlobStore) -> None:
    with pytest.raises(BlobMissing):
        store.get("0" * 64)
    assert not store.exists("1" * 64)
    with pytest.raises(BlobMissing):
        store.get("../../etc/passwd")
    sha = store.put(b"poistettava")
    store.delete(sha)
    assert not store.exists(sha)


def test_an_unknown_store_url_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown blob store"):
        open_blob_store("ftp://example/blobs")
    with pytest.raises(ValueError, match="names its bucket"):
        open_blob_store("s3:///prefix")
