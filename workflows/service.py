"""Builds the engine for the procurement domain: its resolver, script helpers and form validator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from engine import Database, Engine, utc_now
from workflows.directory import Directory, demo_directory
from workflows.forms import validate_form
from workflows.helpers import helpers_for
from workflows.resolver import ProcurementResolver


def build_engine(database: Database, directory: Directory | None = None,
                 clock: Callable[[], datetime] = utc_now) -> Engine:
    directory = directory or demo_directory()
    return Engine(database, ProcurementResolver(directory), helpers=helpers_for(directory),
                  form_validator=validate_form, clock=clock)


DEMO_PROCUREMENTS = [
    ("KAI-2026-1", {
        "title": "Kainuun yrityspalveluallianssi", "description": "Yritys- ja työllisyyspalvelut allianssina",
        "region": "kainuu",
        "candidate_municipalities": "kajaani, sotkamo, kuhmo, suomussalmi, paltamo, puolanka, hyrynsalmi, ristijarvi",
        "estimated_value": 900_000, "service_type": "services"}),
    ("KAI-2026-2", {
        "title": "Kainuun työllisyyden kuntakokeiluallianssi", "description": "Työllisyyspalvelut nuorille",
        "region": "kainuu", "candidate_municipalities": "kajaani, sotkamo, kuhmo",
        "estimated_value": 1_200_000, "service_type": "social_health"}),
]
DEMO_STARTER = "kainuu.orderer"


def load_demo(engine: Engine) -> list[str]:
    """Start the demo procurements once (by business key), so every role has something in its inbox."""
    started = {i.business_key for i in engine.instances(limit=1000)}
    done = []
    for key, data in DEMO_PROCUREMENTS:
        if key in started:
            done.append(f"demo procurement {key} already there")
            continue
        instance = engine.start("alliance_procurement", DEMO_STARTER, data, business_key=key)
        done.append(f"started demo procurement {key} ({instance.id})")
    return done
