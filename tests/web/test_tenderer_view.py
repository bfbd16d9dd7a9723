"""What a tenderer sees after submitting (issue 11: "tenderers see no deadlines after submitting;
tenderers never see the round's agenda"): the procurement's dates the diagram shows to tenderers
(`show_to`) and the information every tenderer is sent (`show_public`), never another tenderer's data."""

from __future__ import annotations

import re
from pathlib import Path

from tests.web.conftest import DEMO_PASSWORD, Browser, alliance_app
from tests.workflows import scenario as s
from tests.workflows.driver import Clock as DriverClock
from tests.workflows.driver import Procurement
from workflows.directory import demo_directory

UNIT = "kainuu.procurement"


def test_a_tenderer_keeps_seeing_the_dates_and_the_round_agenda(tmp_path: Path) -> None:
    clock = DriverClock()
    app = alliance_app(f"sqlite:///{tmp_path / 'tenderer.db'}", clock)
    p = Procurement(app.extensions["allianssi"].database, clock, demo_directory())
    s.through_strategy(p, ["kainuu", "kajaani"])
    s.joint_unit(p, ["kainuu", "kajaani"])
    s.publish_notice(p, UNIT)
    s.select_candidates(p, UNIT, s.TENDERERS, s.TENDERERS, s.TENDERERS)
    s.invite(p, UNIT)
    p.clock.set("2026-03-10")
    p.complete("yrityspolku.tenderer", "submit_initial_tender", {"tender_reference": "YP-T1", "fee_percent": 8.0})
    p.complete("uraverkko.tenderer", "submit_initial_tender", {"tender_reference": "URA-SALAINEN", "fee_percent": 6})

    tenderer = Browser(app.test_client())
    assert tenderer.sign_in("yrityspolku.tenderer", DEMO_PASSWORD).status_code == 302
    page = re.sub(r"\s+", " ", tenderer.text(f"/procurements/{p.instance_id}"))
    deadlines = page[page.index('id="deadlines-title"'):page.index('id="history-title"')]
    assert "Määräaika umpeutui" in deadlines and "17.3.2026" in deadlines  # no task left, the date shown
    assert "URA-SALAINEN" not in page and "Uraverkko" not in page

    p.clock.set("2026-03-12")
    p.complete("vaara-osaamis.tenderer", "submit_initial_tender", {"tender_reference": "VO-T1", "fee_percent": 7})
    assert p.fire_timers("2026-03-18", 8) == 1
    p.complete(UNIT, "plan_round", {"round_agenda": "Palvelumalli ja tulosmittarit", "documents_changed": True,
                                    "revision_deadline": "2026-04-02"})
    p.clock.set("2026-03-30")
    p.complete("yrityspolku.tenderer", "submit_revised_tender", {"revised_tender_reference": "YP-R1",
                                                                 "fee_percent": 7.5})
    page = re.sub(r"\s+", " ", tenderer.text(f"/procurements/{p.instance_id}"))
    assert "Palvelumalli ja tulosmittarit" in page and "2.4.2026" in page  # the agenda, the round's last day
    assert "URA-SALAINEN" not in page and "Uraverkko" not in page
