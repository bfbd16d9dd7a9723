"""The web app bench/run.py serves with gunicorn for P3: the real app (web.app.create_app) with a
directory of bench users and a resolver that gives each task to the organisation named in its data.

    BENCH_DATABASE_URL=... BENCH_USERS=16 gunicorn 'bench.webapp:app()'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.security import generate_password_hash

from engine import Assignment, Database, Engine, Membership
from web.app import create_app
from workflows.directory import Directory, Organisation, User
from workflows.forms import validate_form

PASSWORD = "bench"


def directory(users: int) -> Directory:
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    return Directory(
        [Organisation(f"org{n}", "region", f"Organisaatio {n}", f"Organisation {n}") for n in range(users)],
        [User(f"user{n}", f"User {n}", f"user{n}@example.fi", "", (Membership(f"org{n}", "orderer"),), password_hash)
         for n in range(users)])


class OwnerResolver:
    """Every task of an instance belongs to the orderers of the organisation in its `owner` data."""

    def __init__(self, people: Directory):
        self.directory = people

    def assign(self, lane: str | None, data: Mapping[str, Any]) -> Assignment:
        return Assignment("orderer", (str(data.get("owner", "")),))

    def may_act(self, actor: str, assignment: Assignment) -> bool:
        return any(m.role == assignment.role and m.organisation in assignment.organisations
                   for m in self.directory.memberships(actor))

    def memberships(self, actor: str) -> list[Membership]:
        return self.directory.memberships(actor)

    def may_start(self, actor: str, process_id: str) -> bool:
        return True


def build_engine(database: Database, people: Directory) -> Engine:
    return Engine(database, OwnerResolver(people), form_validator=validate_form)


def app() -> Flask:
    people = directory(int(os.environ.get("BENCH_USERS", "16")))
    return create_app({
        "DATABASE_URL": os.environ["BENCH_DATABASE_URL"], "SECRET_KEY": "bench-secret", "DIRECTORY": people,
        "ENGINE_FACTORY": lambda database: build_engine(database, people),
        "BLOB_STORE_URL": os.environ.get("BENCH_BLOB_STORE_URL", "file:///tmp/allianssi-bench-blobs"),
    })
