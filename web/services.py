"""The one place the web layer builds the engine and finds the directory of users.

`workflows.service.build_engine(database)` wires the procurement resolver, the
script helpers and the form validator; tests may pass their own factory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from engine import Database, Engine
from engine.blobs import open_blob_store
from workflows.directory import Directory, demo_directory
from workflows.service import build_engine

EngineFactory = Callable[[Database], Engine]


@dataclass(frozen=True)
class Services:
    """What the views use: the engine (commands and queries) and the directory (people)."""

    database: Database
    engine: Engine
    directory: Directory


def default_engine(database: Database) -> Engine:
    return build_engine(database)


def build_services(config: Mapping[str, Any]) -> Services:
    database = Database(config["DATABASE_URL"])
    factory: EngineFactory = config.get("ENGINE_FACTORY") or default_engine
    engine = factory(database)
    if engine.blobs is None:  # attachments and generated documents: the configured store
        engine.blobs = open_blob_store(config["BLOB_STORE_URL"])
    engine.demo_clock = bool(config.get("DEMO"))  # the demo clock exists in demo mode only
    directory = config.get("DIRECTORY") or getattr(engine.resolver, "directory", None) or demo_directory()
    return Services(database, engine, directory)
