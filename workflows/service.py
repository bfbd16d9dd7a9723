"""Builds the engine for the procurement domain: its resolver, script helpers and form validator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from engine import Database, Engine, TokenStore, utc_now
from engine.blobs import BlobStore
from engine.service_handlers import installed_handlers
from workflows.demo import load_demo
from workflows.directory import Directory, demo_directory
from workflows.forms import form_validator_for
from workflows.helpers import helpers_for
from workflows.resolver import ProcurementResolver


def build_engine(database: Database, directory: Directory | None = None,
                 clock: Callable[[], datetime] = utc_now, blobs: BlobStore | None = None) -> Engine:
    directory = directory or demo_directory()
    tokens = TokenStore(database)  # API tokens act as one (organisation, role) membership each
    resolver = ProcurementResolver(directory, accounts=lambda actor: tokens.memberships(actor, clock))
    return Engine(database, resolver, helpers=helpers_for(directory),
                  form_validator=form_validator_for(directory), clock=clock, local_timezone="Europe/Helsinki",
                  blobs=blobs, service_handlers=installed_handlers())  # the deployment's, from entry points



__all__ = ["build_engine", "load_demo"]
