"""The web shows each party's position on a joint decision, and a period's computed settlement
before anyone approves it: real pages on the real diagrams, from a signed procurement."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from tests.conftest import copy_awarded
from tests.web.conftest import DEMO_PASSWORD, AllianceSite, Browser, alliance_app
from tests.workflows import scenario as s
from tests.workflows.driver import Clock, Procurement
from workflows.directory import demo_directory

PARTIES = s.JOINED + ["vaara-osaamis"]
SHARES = "kainuu: 50, kajaani: 25, sotkamo: 25"


def _browser(site: AllianceSite, username: str) -> Browser:
    browser = Browser(site.app.test_client())
    assert browser.sign_in(username, DEMO_PASSWORD).status_code == 302
    return browser


def test_positions_and_the_settlement_are_shown_before_approval(
        awarded_template: tuple[Path, str, datetime], tmp_path: Path) -> None:
    folder, instance_id, now = awarded_template
    clock = Clock()
    clock.now = now
    app = alliance_app(copy_awarded(folder, tmp_path), clock)
    site = AllianceSite(app, app.extensions["allianssi"].engine, clock)
    p = Procurement(app.extensions["allianssi"].database, clock, demo_directory())
    p.instance_id = instance_id

    p.clock.set("2026-07-01")
    p.complete("kainuu.steering", "propose_organisation", {"proposed_joint_organisation": "Allianssitoimisto",
                                                           "proposed_steering_group_members": "Yksi kustakin"})
    s.positions(p, PARTIES, rejecting={"sotkamo": "Asiakasedustaja puuttuu."})
    steering = _browser(site, "kainuu.steering")
    page = steering.text(f"/tasks/{site.task_of('kainuu.steering', instance_id, 'propose_organisation')}")
    assert "Yhteinen organisaatio" in page
    rows = re.findall(r'<tr class="position-(\w+)"><td>([^<]+)</td><td>[^<]+</td><td>([^<]*)</td></tr>', page)
    assert rows == [("approve", "Kainuun maakunta", "Ehdotus on sovitun mukainen."),
                    ("approve", "Kajaanin kaupunki", "Ehdotus on sovitun mukainen."),
                    ("reject", "Sotkamon kunta", "Asiakasedustaja puuttuu."),
                    ("approve", "Vaara-Kainuun Osaamispalvelut Oy", "Ehdotus on sovitun mukainen.")], page

    # drive on to the first period's settlement, then look at it as a party about to decide
    p.complete("kainuu.steering", "propose_organisation", {"proposed_joint_organisation": "Allianssitoimisto",
                                                           "proposed_steering_group_members": "Kaikki"})
    s.positions(p, PARTIES)
    p.complete("kainuu.steering", "propose_solution", {**s.SOLUTION, "proposed_cost_shares": SHARES})
    s.confirm_limits(p, s.JOINED)
    s.positions(p, PARTIES)
    s.appropriations(p, s.JOINED)
    s.exit_gate(p, PARTIES)
    s.agree_implementation(p, PARTIES, SHARES)
    s.agree_period(p, PARTIES, "2027-01-01", "2027-12-31", last=True)
    assert p.fire_timers("2028-01-01", 8) == 1
    s.report(p, "vaara-osaamis", 960_000)
    sotkamo = _browser(site, "sotkamo.steering")
    page = sotkamo.text(f"/tasks/{site.task_of('sotkamo.steering', instance_id, 'record_position')}")
    assert "Tilitys laskettuna kustannuseristä ja mitatuista tulosmittareista ennen hyväksyntää" in page
    settlement = p.data["proposal"]["content"]
    for amount in (settlement["actual_cost"], settlement["fee"], settlement["producer_payment"],
                   settlement["per_orderer"]["sotkamo"]):
        shown = f"{amount:,.2f}".replace(",", " ").replace(".", ",") + " €"
        assert shown in page, shown
    assert "KP-1" in page and "henkilöstö" in page                # the cost items with their evidence
    assert 'name="position"' in page                               # and the form to decide on it
    assert site.engine.instance(instance_id).data["period_results"] == []   # nothing approved yet
    app.extensions["allianssi"].database.dispose()
