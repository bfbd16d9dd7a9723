"""Time in the demo through the page (issue 11: every timer wait needed `allianssi fire-timers --now`, which
advanced the other demo procurement too and made audit times run backwards)."""

from __future__ import annotations

from pathlib import Path

from tests.web.conftest import DEMO_PASSWORD, Browser, alliance_app
from tests.workflows import scenario as s
from tests.workflows.driver import Clock as DriverClock
from tests.workflows.driver import Procurement
from workflows.directory import demo_directory

UNIT = "kainuu.procurement"


def _waiting_for_requests(p: Procurement) -> str:
    s.start(p, candidates=["kajaani"])
    s.decide_joining(p, {"kajaani": True})
    s.assess_and_vote(p, {"kainuu": True, "kajaani": True})
    s.joint_unit(p, ["kainuu", "kajaani"])
    s.publish_notice(p, UNIT)
    assert [t.element_id for t in p.view.timers] == ["participation_period"]
    return p.instance_id


def test_the_demo_clock_button_moves_one_procurement(tmp_path: Path) -> None:
    clock = DriverClock()
    app = alliance_app(f"sqlite:///{tmp_path / 'demo.db'}", clock)
    app.extensions["allianssi"].engine.demo_clock = True  # as serve --demo builds it (DEMO=True)
    first = Procurement(app.extensions["allianssi"].database, clock, demo_directory())
    second = Procurement(app.extensions["allianssi"].database, DriverClock(), demo_directory())
    moved, other = _waiting_for_requests(first), _waiting_for_requests(second)

    unit = Browser(app.test_client())
    assert unit.sign_in(UNIT, DEMO_PASSWORD).status_code == 302
    assert "Siirrä demokello" in unit.text(f"/procurements/{moved}")
    assert unit.post(f"/procurements/{moved}/demo-clock").status_code == 302
    assert [t.element_id for t in first.view.open_tasks] == ["register_requests"]
    assert second.view.timers and not second.view.open_tasks  # the other procurement did not move
    times = [e.at for e in first.engine.history(moved)]
    assert times == sorted(times)
    page = unit.text(f"/procurements/{moved}")
    assert "17.2.2026" in page  # the procurement's own time, past the participation deadline (16.2.)
    tenderer = Browser(app.test_client())
    assert tenderer.sign_in("yrityspolku.tenderer", DEMO_PASSWORD).status_code == 302
    assert tenderer.post(f"/procurements/{other}/demo-clock").status_code == 404

    app.extensions["allianssi"].engine.demo_clock = False  # outside demo mode it does not exist
    assert "Siirrä demokello" not in unit.text(f"/procurements/{other}")
    assert unit.post(f"/procurements/{other}/demo-clock").status_code == 404
