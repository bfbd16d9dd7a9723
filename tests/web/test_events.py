"""Every event a button (issue 11): the Market Court appeal and ruling and a correction request were only
deliverable with `allianssi message`; now the procurement page offers the events the procurement waits
for to the role that may send them, each with the form its catch event declares."""

from __future__ import annotations

import re
from pathlib import Path

from tests.web.conftest import DEMO_PASSWORD, AllianceSite, Browser, alliance_app
from tests.workflows import scenario as s
from tests.workflows.driver import Clock as DriverClock
from tests.workflows.driver import Procurement
from workflows.directory import demo_directory

UNIT = "kainuu.procurement"


def _browser(site: AllianceSite, username: str) -> Browser:
    browser = Browser(site.app.test_client())
    assert browser.sign_in(username, DEMO_PASSWORD).status_code == 302
    return browser


def _buttons(page: str) -> list[str]:
    return re.findall(r'href="(/procurements/[0-9a-f]+/events/[a-z_]+)"', page)


def test_appeal_and_ruling_through_the_page(tmp_path: Path) -> None:
    clock = DriverClock()
    app = alliance_app(f"sqlite:///{tmp_path / 'events.db'}", clock)
    site = AllianceSite(app, app.extensions["allianssi"].engine, clock)
    p = Procurement(app.extensions["allianssi"].database, clock, demo_directory())
    s.through_evaluation(p)
    s.decide(p, UNIT, s.JOINED)
    s.serve(p, UNIT)

    unit = _browser(site, UNIT)
    page = unit.text(f"/procurements/{p.instance_id}")
    base = f"/procurements/{p.instance_id}/events"
    # the contract stage waits for every remedy and for a discontinuation (issue 9)
    assert sorted(_buttons(page)) == [f"{base}/{e}" for e in (
        "appeal_received", "correction_request_received", "discontinuation_started", "further_appeal_received",
        "interim_order_received", "own_correction_started", "ruling_received")]
    assert "Valitus markkinaoikeuteen" in page
    # a tenderer may not record the unit's events: no buttons, and the form is not there for them
    tenderer = _browser(site, "yrityspolku.tenderer")
    assert _buttons(tenderer.text(f"/procurements/{p.instance_id}")) == []
    assert tenderer.get(f"{base}/appeal_received").status_code == 404
    assert tenderer.post(f"{base}/appeal_received", {"appellant": "x"}).status_code == 404

    response = unit.post(f"{base}/appeal_received", {"appellant": "", "appeal_reference": "MAO:123/2026"})
    assert response.status_code == 422  # per field, nothing delivered
    assert response.get_data(as_text=True).count('class="error-message"') == 1   # the receipt is the clock's
    assert "market_court_appeal" not in p.data
    response = unit.post(f"{base}/appeal_received", {"appellant": "uraverkko", "appeal_reference": "MAO:123/2026"})
    assert response.status_code == 302
    assert p.data["market_court_appeal"]["appeal_reference"] == "MAO:123/2026"

    page = unit.text(f"/procurements/{p.instance_id}")
    # lodged within the standstill, the appeal holds the contract: the court's order or ruling waits
    assert sorted(_buttons(page)) == [f"{base}/interim_order_caught", f"{base}/ruling_caught"]
    form = unit.text(f"{base}/ruling_caught")
    assert 'value="dismissed"' in form and "Valitus hylätään" in form
    response = unit.post(f"{base}/ruling_caught", {"outcome": "dismissed", "ruling_reference": "MAO 1/26"})
    assert response.status_code == 302
    # dismissed within the standstill: the contract waits for the standstill's end
    assert p.view.open_tasks == () and [t.element_id for t in p.view.timers] == ["standstill_over"]
    assert unit.get(f"{base}/ruling_caught").status_code == 404  # not waited for any more
    history = site.engine.history(p.instance_id)
    assert [e.payload["name"] for e in history if e.type == "message_received"] == [
        "market_court_appeal", "court_ruling"]
