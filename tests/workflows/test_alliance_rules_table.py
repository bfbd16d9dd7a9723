"""The decision table bpmn/alliance_rules.dmn, run by the engine: which rules apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Database, Engine, read_bundle
from tests.workflows.driver import Clock
from workflows.directory import demo_directory
from workflows.forms import validate_form
from workflows.helpers import HELPERS
from workflows.resolver import ProcurementResolver

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


class ProbeResolver(ProcurementResolver):
    """The test diagram is started by its own test, not by a region's orderer."""

    def may_start(self, actor: str, process_id: str) -> bool:
        return process_id == "rules_probe"


@pytest.mark.parametrize(("service_type", "value", "on", "expected"), [
    ("services", 216_000, "2026-03-01", ("eu", "standard", True, True)),
    ("services", 215_999, "2026-03-01", ("national", "standard", False, False)),
    ("services", 218_000, "2025-06-01", ("national", "standard", False, False)),   # 2024–25 threshold 221 000
    ("services", 60_000, "2026-03-01", ("national", "standard", False, False)),
    ("services", 59_999, "2026-03-01", ("below_national", "standard", False, False)),
    ("social_health", 750_000, "2026-03-01", ("eu", "light", False, True)),
    ("social_health", 400_000, "2026-03-01", ("national", "light", False, False)),
    ("social_health", 399_999, "2026-03-01", ("below_national", "light", False, False)),
    ("other_specific", 300_000, "2026-03-01", ("national", "light", False, False)),
    ("other_specific", 299_999, "2026-03-01", ("below_national", "light", False, False)),
])
def test_the_rules_follow_value_service_type_and_date(sqlite_database: Database, service_type: str, value: int,
                                                      on: str, expected: tuple[object, ...]) -> None:
    engine = Engine(sqlite_database, ProbeResolver(demo_directory()), helpers=HELPERS, form_validator=validate_form,
                    clock=Clock())
    engine.deploy(read_bundle([HERE / "bpmn" / "rules_probe.bpmn", ROOT / "bpmn" / "alliance_rules.dmn"]), "test")
    done = engine.start("rules_probe", "designer",
                        {"service_type": service_type, "estimated_value": value, "rules_date": on})
    assert done.status == "completed"
    d = done.data
    assert (d["procurement_level"], d["regime"], d["minimum_periods_apply"], d["standstill_applies"]) == expected
