"""Fixtures of the auditor tests: the OCDS standard from ../shared, and no network."""

from __future__ import annotations

import socket
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

STANDARD_ZIP = ROOT.parent / "shared" / "ocds" / "standard-1__1__5.zip"


@pytest.fixture(scope="session")
def standard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The OCDS 1.1.5 standard, unpacked to a temporary folder."""
    target = tmp_path_factory.mktemp("ocds")
    with zipfile.ZipFile(STANDARD_ZIP) as archive:
        archive.extractall(target)
    return target / "standard-1__1__5"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise OSError("network access is not allowed in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


