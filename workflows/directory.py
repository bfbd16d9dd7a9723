"""Organisations, users and their (organisation, role) memberships.

The directory is loaded from a JSON data file (`workflows/data/kainuu.json` holds the demo:
the Kainuu region, its eight municipalities and four fictional producers). A user acts only
through memberships: holding a role in one organisation never lets a user act for another
organisation, which is what keeps one tenderer out of another tenderer's tasks.
Passwords are stored as werkzeug hashes only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from werkzeug.security import check_password_hash

from engine import Membership
from workflows.errors import InvalidInput, UnknownOrganisation, UnknownUser

DEMO_FILE = Path(__file__).parent / "data" / "kainuu.json"

ORGANISATION_KINDS = ("region", "municipality", "employment_area", "producer", "other")
ORDERER_KINDS = ("region", "municipality", "employment_area")
"""The kinds that may order (start and lead an alliance) unless the directory's data names others:
since 2025 municipalities and their employment areas organise employment services themselves."""
ROLES = ("municipality", "orderer", "procurement_unit", "tenderer", "steering_group", "producer",
         "auditor", "designer", "administrator")
"""Every role a membership may name. The first six are lanes in the diagrams; `auditor` reads
everything and changes nothing; `designer` deploys diagrams; `administrator` manages API tokens."""


@dataclass(frozen=True)
class Organisation:
    id: str
    kind: str
    name: str
    name_en: str
    region: str | None = None
    # what a public notice (eForms) says of the organisation; empty when the directory does not know it
    business_id: str = ""
    city: str = ""
    postal_code: str = ""
    nuts: str = ""
    email: str = ""
    phone: str = ""
    size: str = ""        # micro | small | medium | large (eForms BT-165), for tenderers


@dataclass(frozen=True)
class User:
    username: str
    name: str
    email: str
    title: str
    memberships: tuple[Membership, ...]
    password_hash: str

    def holds(self, role: str, organisation: str | None = None) -> bool:
        return any(m.role == role and (organisation is None or m.organisation == organisation)
                   for m in self.memberships)


class Directory:
    """Who is who: organisations by id, users by user name."""

    def __init__(self, organisations: Iterable[Organisation], users: Iterable[User],
                 orderer_kinds: Iterable[str] = ORDERER_KINDS) -> None:
        self.orderer_kinds = tuple(orderer_kinds)
        unknown_kinds = [k for k in self.orderer_kinds if k not in ORGANISATION_KINDS]
        if unknown_kinds:
            raise InvalidInput(f"directory: unknown orderer kinds {unknown_kinds}")
        self.organisations: dict[str, Organisation] = {}
        for org in organisations:
            if org.id in self.organisations:
                raise InvalidInput(f"directory: organisation {org.id!r} appears twice")
            if org.kind not in ORGANISATION_KINDS:
                raise InvalidInput(f"directory: organisation {org.id!r} has unknown kind {org.kind!r}")
            self.organisations[org.id] = org
        self.users: dict[str, User] = {}
        for user in users:
            if user.username in self.users:
                raise InvalidInput(f"directory: user {user.username!r} appears twice")
            for m in user.memberships:
                if m.organisation not in self.organisations:
                    raise InvalidInput(f"directory: user {user.username!r} belongs to unknown "
                                       f"organisation {m.organisation!r}")
                if m.role not in ROLES:
                    raise InvalidInput(f"directory: user {user.username!r} has unknown role {m.role!r}")
            self.users[user.username] = user

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Directory:
        default_hash = document.get("default_password_hash", "")
        organisations = [Organisation(id=o["id"], kind=o["kind"], name=o["name"], name_en=o.get("name_en", o["name"]),
                                      region=o.get("region"), business_id=o.get("business_id", ""),
                                      city=o.get("city", ""), postal_code=o.get("postal_code", ""),
                                      nuts=o.get("nuts", ""), email=o.get("email", ""),
                                      phone=o.get("phone", ""), size=o.get("size", ""))
                         for o in document["organisations"]]
        users = [User(username=u["username"], name=u["name"], email=u.get("email", ""), title=u.get("title", ""),
                      memberships=tuple(Membership(m["organisation"], m["role"]) for m in u["memberships"]),
                      password_hash=u.get("password_hash", default_hash)) for u in document["users"]]
        return cls(organisations, users, document.get("orderer_kinds", ORDERER_KINDS))

    @classmethod
    def load(cls, path: str | Path | None = None) -> Directory:
        with open(path or DEMO_FILE, encoding="utf-8") as f:
            return cls.from_json(json.load(f))

    # --- look-ups ----------------------------------------------------------------------------
    def organisation(self, organisation_id: str) -> Organisation:
        try:
            return self.organisations[organisation_id]
        except KeyError:
            raise UnknownOrganisation(f"unknown organisation {organisation_id!r}") from None

    def user(self, username: str) -> User:
        try:
            return self.users[username]
        except KeyError:
            raise UnknownUser(f"unknown user {username!r}") from None

    def memberships(self, username: str) -> list[Membership]:
        user = self.users.get(username)
        return list(user.memberships) if user else []

    def users_in(self, organisation: str, role: str) -> list[User]:
        return [u for u in self.users.values() if Membership(organisation, role) in u.memberships]

    def organisations_of_kind(self, kind: str) -> list[Organisation]:
        return [o for o in self.organisations.values() if o.kind == kind]

    def is_orderer(self, organisation_id: str) -> bool:
        """May this organisation order, i.e. start and lead an alliance (its kind is an orderer kind)?"""
        org = self.organisations.get(organisation_id)
        return org is not None and org.kind in self.orderer_kinds

    def municipalities_of(self, region: str) -> list[Organisation]:
        return [o for o in self.organisations.values() if o.kind == "municipality" and o.region == region]

    def check_password(self, username: str, password: str) -> bool:
        user = self.users.get(username)
        return bool(user and user.password_hash and check_password_hash(user.password_hash, password))


@lru_cache(maxsize=1)
def demo_directory() -> Directory:
    """The Kainuu demo directory (workflows/data/kainuu.json), loaded once."""
    return Directory.load()
