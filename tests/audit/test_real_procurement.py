"""The auditor's exports on a procurement really run through the alliance diagrams: the OCDS
release validates and carries the facts the procurement produced, and the equal-treatment view
reads what each tenderer was sent from the real history."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from engine import Database, read_bundle
from tests.audit.test_ocds import SCHEMA, libcove
from tests.workflows import scenario as s
from tests.workflows.driver import DIAGRAMS, Clock, Procurement
from workflows.directory import demo_directory
from workflows.equal_treatment import equal_treatment
from workflows.ocds import release_package
from workflows.service import build_engine


@pytest.fixture
def awarded(sqlite_database: Database) -> Iterator[Procurement]:
    clock, directory = Clock(), demo_directory()
    build_engine(sqlite_database, directory, clock).deploy(read_bundle(DIAGRAMS), "designer")
    p = Procurement(sqlite_database, clock, directory)
    s.through_award(p)
    yield p


@pytest.mark.usefixtures("offline")
def test_ocds_release_of_a_real_award(awarded: Procurement, standard: Path, tmp_path: Path) -> None:
    engine = awarded.engine
    instance = engine.instance(awarded.instance_id)
    package = release_package(instance, demo_directory(), engine.history(awarded.instance_id))
    jsonschema.validate(package, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert libcove(package, standard, tmp_path).get("validation_errors") == []

    release = package["releases"][0]
    tender = release["tender"]
    assert tender["procurementMethod"] == "selective" and "§34" in tender["procurementMethodRationale"]
    assert {p["id"] for p in release["parties"] if "buyer" in p["roles"]} == set(s.JOINED)
    assert {p["id"] for p in release["parties"] if "tenderer" in p["roles"]} == set(s.TENDERERS)
    [award] = release["awards"]
    assert award["suppliers"][0]["id"] == instance.data["contractor"] == "vaara-osaamis"
    [contract] = release["contracts"]
    assert contract["awardID"] == award["id"] and contract["dateSigned"].startswith("2026-06-23")
    assert "fee_percent" not in json.dumps(package)  # tenders stay confidential


def test_equal_treatment_of_a_real_negotiation(awarded: Procurement) -> None:
    engine = awarded.engine
    report = equal_treatment(engine.instance(awarded.instance_id), engine.history(awarded.instance_id))
    assert sorted(report.tenderers) == sorted(s.TENDERERS)
    assert report.items, "the invitations and round information are found in the history"
    for tenderer in s.TENDERERS:
        assert report.timeline[tenderer], f"{tenderer} was sent something"
    assert report.ok, [f.reasons for f in report.flagged]  # the diagrams send to every remaining tenderer at once
