"""The decision document's appeal and correction instructions at each procurement level, read back from
the PDF's text; the periods come from the rules data in force, never from the templates."""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from pypdf import PdfReader

from workflows import documents
from workflows.errors import InvalidInput
from workflows.rules import ProcurementRules, default_rules

DECISION: dict[str, Any] = {
    "title": "Kainuun yrityspalveluallianssi", "procurement_unit": ["kainuu"], "decision_date": "2026-05-20",
    "decision_reasoning": "Kokonaistaloudellisesti edullisin.", "winner": "vaara-osaamis",
    "locked_terms": {"award_criteria": "Laatu 80 %, hinta 20 %"},
    "evaluations": [{"organisation": "vaara-osaamis", "quality_points": 70.0, "price_points": 15.0},
                    {"organisation": "uraverkko", "quality_points": 60.0, "price_points": 18.0}],
    "ranking": [{"organisation": "vaara-osaamis", "total": 85.0, "rank": 1},
                {"organisation": "uraverkko", "total": 78.0, "rank": 2}],
}


def text_of(level: str, lang: str = "fi", rules: ProcurementRules | None = None, **extra: Any) -> str:
    pdf = documents.render("decision", {**DECISION, "procurement_level": level, **extra}, lang, rules=rules)
    assert pdf.startswith(b"%PDF")
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_an_eu_level_decision_has_the_market_court_appeal_correction_request_and_standstill() -> None:
    text = text_of("eu")
    assert "Valitusosoitus: valitus markkinaoikeuteen" in text
    assert "Valitus on tehtävä kirjallisesti 14 päivän kuluessa" in text
    assert "Markkinaoikeus, Radanrakentajantie 5, 00520 Helsinki" in text
    assert "Oikaisuohje: hankintaoikaisu" in text
    assert "Hankintaoikaisuvaatimus on tehtävä kirjallisesti 14 päivän" in text
    assert "kirjeitse lähetetty 7. päivänä lähettämisestä" in text
    assert "14 päivää on kulunut päätöksen tiedoksisaannista (odotusaika" in text
    assert "1 Vaara-Kainuun Osaamispalvelut Oy 15.0 70.0 85.0" in text  # points per criterion and rank
    english = text_of("eu", "en")
    assert "Appeal instructions: appeal to the Market Court" in english and "within 14 days" in english


def test_a_national_level_decision_has_the_market_court_and_correction_request_but_no_standstill() -> None:
    text = text_of("national")
    assert "valitus markkinaoikeuteen" in text and "hankintaoikaisu" in text
    assert "odotusaika" not in text
    assert "Kansallisen kynnysarvon ylittävä hankinta" in text


def test_a_below_threshold_decision_has_only_the_correction_request() -> None:
    text = text_of("below_national")
    assert "Oikaisuvaatimusohje" in text and "kuntalaki 410/2015, 134 §" in text
    assert "14 päivän kuluessa päätöksen tiedoksisaannista" in text
    assert "markkinaoikeu" not in text.lower() and "hankintaoikaisu" not in text.lower()
    assert "odotusaika" not in text


def test_the_periods_come_from_the_rules_in_force_on_the_decision_date() -> None:
    document = copy.deepcopy(default_rules()._doc)
    amended = copy.deepcopy(document["periods"][-1])
    amended["effective_from"] = "2026-03-01"
    amended["periods"]["appeal"]["days"] = 21
    amended["periods"]["correction_request"]["days"] = 30
    document["periods"].append(amended)
    rules = ProcurementRules(document)
    text = text_of("eu", rules=rules)
    assert "Valitus on tehtävä kirjallisesti 21 päivän kuluessa" in text
    assert "Hankintaoikaisuvaatimus on tehtävä kirjallisesti 30 päivän" in text
    earlier = text_of("eu", rules=rules, decision_date="2026-02-20")
    assert "Valitus on tehtävä kirjallisesti 14 päivän kuluessa" in earlier


def test_the_same_data_gives_the_same_bytes_and_bad_requests_are_refused() -> None:
    data = {**DECISION, "procurement_level": "eu"}
    assert documents.render("decision", data) == documents.render("decision", copy.deepcopy(data))
    with pytest.raises(InvalidInput, match="Unknown document"):
        documents.render("verdict", data)
    with pytest.raises(InvalidInput, match="one tenderer"):
        documents.render("minutes", data)
    with pytest.raises(InvalidInput, match="decision date is missing"):
        documents.render("decision", {"procurement_level": "eu"})
