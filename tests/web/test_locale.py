"""Locale done right (issue 11, "What was seen"): dates, numbers and euros by Babel in fi and en, date-only
deadlines on the day entered, no countdown on a finished procurement, error messages with local dates,
labels of computed data in the page's language, English process names."""

from __future__ import annotations

import re
from pathlib import Path

from flask import session

from tests.web.conftest import DEMO_PASSWORD, AllianceSite, Browser, alliance_app
from tests.workflows import scenario as s
from tests.workflows.driver import Clock as DriverClock
from tests.workflows.driver import Procurement
from web.definitions import process_model
from web.facts import field_labels
from web.formats import dates_in_text, show_value
from web.i18n import show_date, show_deadline
from web.procurements.overview import data_deadlines
from workflows.directory import demo_directory

UNIT = "kainuu.procurement"


def _browser(site: AllianceSite, username: str, language: str = "fi") -> Browser:
    browser = Browser(site.app.test_client())
    assert browser.sign_in(username, DEMO_PASSWORD).status_code == 302
    if language != "fi":
        browser.post("/language", {"language": language})
    return browser


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("\xa0", " ").replace("\u202f", " ")


def test_values_in_both_locales(alliance: AllianceSite) -> None:
    app = alliance.app
    for language, euros, number, day in (("fi", "330 000,00 €", "330 000", "31.12.2026"),
                                         ("en", "€330,000.00", "330,000", "31 Dec 2026")):
        with app.test_request_context():
            session["language"] = language
            assert show_value(330000.0, "EUR").replace("\xa0", " ") == euros
            assert show_value(330000.0).replace("\xa0", " ").replace("\u202f", " ") == number  # not "330000.0"
            assert show_date("2026-12-31") == day
            assert dates_in_text("määräaika 2026-12-31 / deadline 2026-12-31") == f"määräaika {day} / deadline {day}"
            # a date-only deadline in the data ends that day here: never shown as 1.1.2027
            [(_key, moment, _label)] = data_deadlines({"offer_deadline": "2026-12-31"}, {})
            assert show_deadline(moment) == day


def test_pages_in_finnish_and_english(tmp_path: Path) -> None:
    clock = DriverClock()
    app = alliance_app(f"sqlite:///{tmp_path / 'locale.db'}", clock)
    site = AllianceSite(app, app.extensions["allianssi"].engine, clock)
    p = Procurement(app.extensions["allianssi"].database, clock, demo_directory())
    s.start(p, candidates=["kajaani"], value=330_000)
    s.decide_joining(p, {"kajaani": True})
    s.assess_and_vote(p, {"kainuu": True, "kajaani": True})
    s.joint_unit(p, ["kainuu", "kajaani"])
    p.clock.set("2026-01-13")
    p.complete(UNIT, "record_procedure_ground", {k: s.NOTICE[k] for k in ("procedure_ground", "ground_justification")})

    unit = _browser(site, UNIT)
    task = p.task(UNIT, "publish_contract_notice").id
    notice = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in s.NOTICE.items()
              if k not in ("procedure_ground", "ground_justification")}
    response = unit.post(f"/tasks/{task}", {**notice, "participation_deadline": "2026-01-20"})
    assert response.status_code == 422
    page = _text(response.get_data(as_text=True))
    assert "13.1.2026" in page and "2026-01-13" not in page  # sent at the command's time, written the Finnish way

    assert unit.post(f"/tasks/{task}", {**notice, "participation_deadline": "2026-12-31"}).status_code == 302
    page = _text(unit.text(f"/procurements/{p.instance_id}"))
    assert "31.12.2026" in page and "1.1.2027" not in page
    assert "330 000,00 €" in page and "330000.0" not in page  # the start form's estimated value in history

    english = _browser(site, UNIT, "en")
    page = _text(english.text(f"/procurements/{p.instance_id}"))
    assert "31 Dec 2026" in page and "Dec 31" not in page and "€330,000.00" in page
    assert "Alliance procurement" in page and "Allianssihankinta" not in page

    with app.test_request_context():
        model = process_model(site.engine, "alliance_procurement", 1)
        assert field_labels(model)["award_notice_due"] == "Jälki-ilmoituksen määräpäivä"  # not English on fi
    with app.test_request_context():
        session["language"] = "en"
        assert field_labels(model)["award_notice_due"] == "Award notice due"

    # a procurement that has ended counts nothing down
    site.engine.cancel(p.instance_id, UNIT, "testi")
    page = _text(unit.text(f"/procurements/{p.instance_id}"))
    assert "31.12.2026" in page and "päivää jäljellä" not in page and "Tänään" not in page
