"""workflows/demo.py: three procurements in progress (strategy phase, tendering, one led by an employment area)."""

from __future__ import annotations

from engine import Database, read_bundle
from tests.workflows.driver import DIAGRAMS, Clock
from workflows.demo import load_demo
from workflows.directory import demo_directory
from workflows.service import build_engine


def test_the_demo_procurements_start_and_give_every_role_something_to_do(sqlite_database: Database) -> None:
    clock = Clock()
    clock.set("2026-09-14")
    engine = build_engine(sqlite_database, demo_directory(), clock)
    engine.deploy(read_bundle(DIAGRAMS), "designer")
    done = load_demo(engine)
    assert len(done) == 3 and "exists" not in " ".join(done)
    by_key = {i.business_key: i for i in engine.instances()}
    assert set(by_key) == {"KAINUU-DEMO-1", "KAINUU-DEMO-2", "KAJAANI-TYO-DEMO-3"}

    strategy = by_key["KAINUU-DEMO-1"].id
    pending = {t.organisations[0] for t in engine.instance(strategy).open_tasks}
    assert pending == {"suomussalmi", "puolanka", "hyrynsalmi", "ristijarvi"}
    assert [t.element_id for t in engine.inbox("ristijarvi.council", strategy)] == ["decide_joining"]

    tendering = by_key["KAINUU-DEMO-2"].id
    assert {t.organisations[0] for t in engine.instance(tendering).open_tasks} == {"yrityspolku", "uraverkko"}
    assert [t.element_id for t in engine.inbox("uraverkko.tenderer", tendering)] == ["submit_initial_tender"]
    assert engine.inbox("vaara-osaamis.tenderer", tendering) == []          # already submitted
    timers = engine.instance(tendering).timers             # each open tender task closes at the deadline
    assert len(timers) == 2 and all(t.due_at > clock.now for t in timers)

    led = by_key["KAJAANI-TYO-DEMO-3"]                     # a municipal employment area leads this one
    assert led.started_by == "kajaanin-tyollisyysalue.orderer"
    assert [t.element_id for t in engine.inbox("kajaanin-tyollisyysalue.procurement", led.id)] == [
        "record_procedure_ground"]

    assert load_demo(engine) == ["KAINUU-DEMO-1 exists", "KAINUU-DEMO-2 exists",
                                 "KAJAANI-TYO-DEMO-3 exists"]      # idempotent
