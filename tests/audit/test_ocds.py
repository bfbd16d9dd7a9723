"""The OCDS export: the project's own schema, and OCDS 1.1.5 via libcoveocds, offline."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from engine import AuditEvent, InstanceView
from tests.audit.conftest import STANDARD_ZIP
from tests.conftest import ROOT
from workflows.directory import demo_directory
from workflows.ocds import release_package

SCHEMA = ROOT / "workflows" / "schemas" / "ocds-release-package.schema.json"

AWARDED = {
    "title": "Kainuun työllisyys- ja yrityspalveluiden allianssi",
    "description": "Business and employment services for the region and joining municipalities.",
    "estimated_value": 4_800_000,
    "region": "kainuu",
    "orderers": ["kainuu", "kajaani", "sotkamo"],
    "procurement_unit": "kainuu",
    "negotiated_procedure_ground": "34_1_3",
    "negotiated_procedure_justification": "The alliance's service solution is developed jointly.",
    "locked_terms": {"minimum_requirements": "Open books.", "award_criteria": "Capability 80 %, fee 20 %",
                     "staged_reduction": True, "digest": "x"},
    "contract_notice": {"published_on": "2026-02-02"},
    "selection": {"invited": ["vaara-osaamis", "yrityspolku", "uraverkko"]},
    "final_tenders": [{"organisation": "vaara-osaamis", "submitted": True, "fee_percent": 7.5},
                      {"organisation": "yrityspolku", "submitted": True, "fee_percent": 8.0},
                      {"organisation": "uraverkko", "submitted": False}],
    "final_tender_deadline": {"sent_on": "2026-05-04", "last_day": "2026-06-01",
                              "closes_at": "2026-06-01T16:00:00+03:00"},
    "ranking": [{"organisation": "vaara-osaamis", "rank": 1, "total": 91.0},
                {"organisation": "yrityspolku", "rank": 2, "total": 84.5}],
    "contractor": "vaara-osaamis",
    "decision_service": {"served_on": "2026-06-15", "contract_may_be_signed_from": "2026-06-30"},
    "contract": {"signed_on": "2026-07-01", "contractor": "vaara-osaamis", "award_notice_due": "2026-07-31"},
}


def view(data: dict[str, Any], status: str = "completed") -> InstanceView:
    moment = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    return InstanceView(id="inst-1", process_id="alliance_procurement", definition_version=1, business_key="KAI-1",
                        status=status, version=12, data=data, started_by="kainuu.orderer", started_at=moment,
                        updated_at=moment)


def history() -> list[AuditEvent]:
    return [AuditEvent("inst-1", seq, "task_completed", datetime(2026, 7, 1, 9, seq, tzinfo=UTC), "kainuu.orderer",
                       None, {}, "0" * 64, "1" * 64) for seq in range(1, 13)]


def libcove(package: dict[str, Any], standard: Path, tmp_path: Path) -> dict[str, Any]:
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    config = LibCoveOCDSConfig()
    config.config["context"] = "api"
    config.config["standard_zip"] = STANDARD_ZIP.resolve().as_uri()
    config.config["schema_codelists"] = {"1.1": (standard / "schema" / "codelists").as_uri() + "/"}
    path = tmp_path / "release-package.json"
    path.write_text(json.dumps(package), encoding="utf-8")
    return ocds_json_output(str(tmp_path), str(path), "1.1", convert=False, json_data=package,
                            lib_cove_ocds_config=config)


@pytest.mark.parametrize("data,status", [(AWARDED, "completed"), ({"title": "Alku", "region": "kainuu"}, "running"),
                                         ({}, "running"), ({**AWARDED, "contract": None}, "running")])
def test_export_matches_the_projects_schema(data: dict[str, Any], status: str) -> None:
    package = release_package(view(data, status), demo_directory(), history())
    jsonschema.validate(package, json.loads(SCHEMA.read_text(encoding="utf-8")),
                        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_awarded_procurement_maps_its_public_facts() -> None:
    release = release_package(view(AWARDED), demo_directory(), history())["releases"][0]
    roles = {p["id"]: sorted(p["roles"]) for p in release["parties"]}
    assert roles["kainuu"] == ["buyer", "procuringEntity"]
    assert roles["kajaani"] == ["buyer"]
    assert roles["vaara-osaamis"] == ["supplier", "tenderer"]
    assert roles["yrityspolku"] == ["tenderer"]
    assert "uraverkko" not in roles  # did not submit a final tender
    assert release["buyer"]["id"] == "kainuu"
    tender = release["tender"]
    assert tender["procurementMethod"] == "selective"
    assert tender["procurementMethodDetails"] == "Competitive procedure with negotiation"
    assert "§34(1)(3)" in tender["procurementMethodRationale"]
    assert tender["procuringEntity"] == {"id": "kainuu", "name": "Kainuun maakunta"}
    assert release["awards"][0]["suppliers"][0]["id"] == "vaara-osaamis"
    assert release["contracts"][0]["awardID"] == release["awards"][0]["id"]
    assert release["contracts"][0]["dateSigned"].startswith("2026-07-01T00:00:00")
    assert release["ocid"] == "ocds-allianssi-inst-1" and release["id"] == "ocds-allianssi-inst-1-12"
    assert release["tag"] == ["tender", "award", "contract"]
    assert "fee_percent" not in json.dumps(release)  # tenders are confidential


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize("data", [AWARDED, {"title": "Alku", "region": "kainuu"}])
def test_export_validates_with_libcoveocds(data: dict[str, Any], standard: Path, tmp_path: Path) -> None:
    package = release_package(view(data), demo_directory(), history())
    result = libcove(package, standard, tmp_path)
    assert result.get("validation_errors") == [], result.get("validation_errors")
    assert result["version_used"] == "1.1"
