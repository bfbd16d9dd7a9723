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
    assert sorted(_buttons(page)) == [f"{base}/appeal_received", f"{base}/correction_request_received"]
    assert "Valitus markkinaoikeuteen" in page
    # a tenderer may not record the unit's events: no buttons, and the form is not there for them
    tenderer = _browser(site, "yrityspolku.tenderer")
    assert _buttons(tenderer.text(f"/procurements/{p.instance_id}")) == []
    assert tenderer.get(f"{base}/appeal_received").status_code == 404
    assert tenderer.post(f"{base}/appeal_received", {"appellant": "x"}).status_code == 404

    response = unit.post(f"{base}/appeal_received", {"appellant": "", "appeal_reference": "MAO:123/2026"})
    assert response.status_code == 422  # per field, nothing delivered
    assert response.get_data(as_text=True).count('class="error-message"') == 2
    assert "market_court_appeal" not in p.data
    response = unit.post(f"{base}/appeal_received", {"appellant": "Uraverkko Oy", "appeal_reference": "MAO:123/2026",
                                                     "appeal_received_on": "2026-06-10"})
    assert response.status_code == 302
    assert p.data["market_court_appeal"]["appeal_reference"] == "MAO:123/2026"

    page = unit.text(f"/procurements/{p.instance_id}")
    assert _buttons(page) == [f"{base}/ruling_received"]  # the standstill's events are gone; the ruling waits
    form = unit.text(f"{base}/ruling_received")
    assert 'value="dismissed"' in form and "Valitus hylätään" in form
    response = unit.post(f"{base}/ruling_received", {"outcome": "dismissed", "ruling_reference": "MAO 1/26",
                                                     "ruled_on": "2026-08-01"})
    assert response.status_code == 302
    assert [t.element_id for t in p.view.open_tasks] == ["sign_contract"]
    assert unit.get(f"{base}/ruling_received").status_code == 404  # not waited for any more
    history = site.engine.history(p.instance_id)
    assert [e.payload["name"] for e in history if e.type == "message_received"] == [
        "market_court_appeal", "market_court_ruling"]
