"""Documents generated from a procurement's own data: HTML templates (Jinja2) rendered to PDF (WeasyPrint).

    render(kind, data, lang="fi", directory=None, tenderer=None) -> bytes (a PDF)
    document_html(...) -> str (the HTML it renders; tests and previews)

Kinds: `decision` (the procurement decision with reasons, points per criterion, ranking and the
appeal and correction instructions of its level), `exclusion`, `dropped` (a tenderer dropped in a
negotiation round), `discontinuation`, `report_124` (the § 124 report) and `minutes` (negotiation
minutes of one tenderer). The periods come from the rules data in force on the decision date
(`rules.json`), never from the templates. The same data gives the same bytes: WeasyPrint writes no
creation time, and every date in the document comes from the data, so a document archived with its
hash can be regenerated from the replayed state and compared.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from engine import Engine
from engine.attachments import references_in
from engine.blobs import sha256_of
from workflows.directory import Directory, demo_directory
from workflows.errors import InvalidInput
from workflows.rules import ProcurementRules, default_rules

KINDS = ("decision", "exclusion", "dropped", "discontinuation", "report_124", "minutes")
PER_TENDERER = frozenset({"exclusion", "dropped", "minutes"})
LANGUAGES = ("fi", "en")
# who may see each archived document (workflows.confidentiality levels); per-tenderer ones also its owner
VISIBILITY = {"decision": "participants", "exclusion": "unit", "dropped": "unit", "discontinuation": "participants",
              "report_124": "orderers", "minutes": "unit"}
TEMPLATES = Path(__file__).parent / "templates" / "documents"
_FONT_EPOCH = "315532800"  # 1980-01-01, the earliest date ZIP and font tools accept
_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                           undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class Remedy:
    """One way to seek a change to the decision, as the instructions state it."""

    kind: str  # market_court_appeal | correction_request | municipal_correction_request
    days: int
    label: str


@dataclass(frozen=True)
class Instructions:
    """The appeal and correction instructions that apply at a procurement's level."""

    level: str
    remedies: tuple[Remedy, ...]
    standstill_days: int | None
    postal_receipt_days: int

    def has(self, kind: str) -> bool:
        return any(r.kind == kind for r in self.remedies)


def instructions(level: str, on: date | str, rules: ProcurementRules | None = None, lang: str = "fi") -> Instructions:
    """EU and national level: correction request (hankintaoikaisu, §§ 132–135) and appeal to the Market
    Court (§§ 145–147), both within the periods in force; the standstill (§ 129) at EU level only. Below
    the national threshold the Act's remedies do not apply: only a correction request (oikaisuvaatimus,
    Local Government Act 410/2015 § 134) within the same period."""
    rules = rules or default_rules()
    correction = rules.period("correction_request", on)
    postal = rules.period("postal_receipt", on)

    def label(period: Any) -> str:
        return period.label if lang == "fi" else period.label_en

    if level in ("eu", "national"):
        appeal = rules.period("appeal", on)
        remedies = (Remedy("correction_request", correction.days, label(correction)),
                    Remedy("market_court_appeal", appeal.days, label(appeal)))
        standstill = rules.period("standstill", on).days if level == "eu" else None
        return Instructions(level, remedies, standstill, postal.days)
    if level == "below_national":
        return Instructions(level, (Remedy("municipal_correction_request", correction.days, label(correction)),),
                            None, postal.days)
    raise InvalidInput(f"Tuntematon hankinnan taso {level!r}. / Unknown procurement level {level!r}.")


def _decision_day(data: Mapping[str, Any]) -> str:
    for key in ("decision_date", "rules_date"):
        value = data.get(key)
        if isinstance(value, str) and len(value) >= 10:
            return value[:10]
    service = data.get("decision_service")
    if isinstance(service, Mapping) and service.get("served_on"):
        return str(service["served_on"])[:10]
    raise InvalidInput("Päätöspäivä puuttuu. / The decision date is missing.")


def _points(data: Mapping[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """(criteria, one row per tenderer) from the ranking and the evaluations.

    The ranking of `workflows.award` gives a list of {number, name, points} per tender, kept in the
    published order of the criteria; rankings recorded before it (a `points` mapping or `*_points` values)
    are still read, so that their archived decisions regenerate identically."""
    evaluations = {str(e.get("organisation")): e for e in data.get("evaluations") or [] if isinstance(e, Mapping)}
    ranking = [r for r in data.get("ranking") or [] if isinstance(r, Mapping)]
    criteria: list[str] = []
    rows = []
    numbered = False
    for entry in ranking:
        organisation = str(entry.get("organisation"))
        merged = {**evaluations.get(organisation, {}), **entry}
        points: dict[str, Any] = {}
        if isinstance(merged.get("points"), Mapping):
            points.update(merged["points"])
        elif isinstance(merged.get("points"), Sequence):
            numbered = True
            ordered = sorted((p for p in merged["points"] if isinstance(p, Mapping)), key=lambda p: p.get("number", 0))
            points.update({str(p.get("name")): p.get("points") for p in ordered})
        points.update({k[: -len("_points")]: v for k, v in merged.items()
                       if k.endswith("_points") and isinstance(v, int | float)})
        for criterion in points:
            if criterion not in criteria:
                criteria.append(criterion)
        rows.append({"organisation": organisation, "points": points, "total": merged.get("total"),
                     "rank": merged.get("rank")})
    return (criteria if numbered else sorted(criteria)), rows


def _tenderer_items(data: Mapping[str, Any], key: str, tenderer: str) -> list[Mapping[str, Any]]:
    return [i for i in data.get(key) or [] if isinstance(i, Mapping) and i.get("organisation") == tenderer]


def document_html(kind: str, data: Mapping[str, Any], lang: str = "fi", directory: Directory | None = None,
                  tenderer: str | None = None, rules: ProcurementRules | None = None) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"Tuntematon asiakirja {kind!r}. / Unknown document {kind!r} "
                           f"(known: {', '.join(KINDS)}).")
    if lang not in LANGUAGES:
        raise InvalidInput(f"Tuntematon kieli {lang!r}. / Unknown language {lang!r}.")
    if kind in PER_TENDERER and not tenderer:
        raise InvalidInput("Asiakirja koskee yhtä tarjoajaa: anna tarjoaja. / This document concerns one "
                           "tenderer: name it.")
    directory = directory or demo_directory()
    day = _decision_day(data)
    level = str(data.get("procurement_level") or "")
    criteria, rows = _points(data)

    def name(organisation: Any) -> str:
        known = directory.organisations.get(str(organisation))
        if known is None:
            return str(organisation)
        return known.name if lang == "fi" or not known.name_en else known.name_en

    context = {
        "lang": lang, "kind": kind, "data": data, "day": day, "name": name, "tenderer": tenderer,
        "criteria": criteria, "rows": rows, "t": _text(lang),
        "unit": [name(o) for o in _ids(data.get("procurement_unit"))],
        "instructions": instructions(level, day, rules, lang) if level else None,
        "service": data.get("decision_service") if isinstance(data.get("decision_service"), Mapping) else None,
        "tenders": _tenderer_items(data, "final_tenders", tenderer or "") if tenderer else [],
        "rounds": _tenderer_items(data, "round_tenders", tenderer or "") if tenderer else [],
        "assessments": _tenderer_items(data, "round_assessments", tenderer or "") if tenderer else [],
        "drops": _tenderer_items(data, "dropped_tenderers", tenderer or "") if tenderer else [],
    }
    return _environment.get_template(f"{kind}.html").render(**context)


def render(kind: str, data: Mapping[str, Any], lang: str = "fi", directory: Directory | None = None,
           tenderer: str | None = None, rules: ProcurementRules | None = None) -> bytes:
    """The document as PDF bytes; the same data always gives the same bytes."""
    from weasyprint import HTML  # loads pango; only documents need it

    # Without HarfBuzz-Subset, WeasyPrint subsets fonts with fontTools, which stamps the current time into
    # each font unless SOURCE_DATE_EPOCH fixes it (the reproducible-builds convention): fix it, so that an
    # archived document regenerates byte for byte.
    os.environ.setdefault("SOURCE_DATE_EPOCH", _FONT_EPOCH)
    html = document_html(kind, data, lang, directory, tenderer, rules)
    return bytes(HTML(string=html, base_url=str(TEMPLATES)).write_pdf())


def regenerated(engine: Engine, instance_id: str, directory: Directory | None = None) -> list[tuple[
        dict[str, Any], bool]]:
    """Every archived document of the instance regenerated from the state replay rebuilds for the step it
    was made at: (its reference, whether the bytes are identical to the archived hash)."""
    results = []
    for event in engine.history(instance_id):
        for ref in references_in(event.payload):
            if ref.get("kind") not in KINDS:
                continue
            state = engine.state_at(instance_id, event.seq)
            owner = ref.get("owner")
            again = render(str(ref["kind"]), state.data, str(ref.get("lang", "fi")), directory,
                           str(owner) if owner else None)
            results.append((ref, sha256_of(again) == ref["sha256"]))
    return results


def file_name(kind: str, lang: str, business_key: str | None, tenderer: str | None = None) -> str:
    parts = [kind, business_key or "", tenderer or "", lang]
    return "-".join(p for p in parts if p) + ".pdf"


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, Sequence):
        return [str(v.get("organisation") if isinstance(v, Mapping) else v) for v in value]
    return []


def _text(lang: str) -> Mapping[str, str]:
    """The documents' fixed wording in both languages (legal text: kept with the templates, not in the
    UI catalogues, so a document's wording changes only with the product version)."""
    return _TEXTS[lang]


_TEXTS: Mapping[str, Mapping[str, str]] = {
    "fi": {
        "decision": "Hankintapäätös", "exclusion": "Päätös poissulkemisesta",
        "dropped": "Päätös tarjoajan karsimisesta", "discontinuation": "Päätös hankinnan keskeyttämisestä",
        "report_124": "Selostus menettelystä (hankintalaki 124 §)",
        "minutes": "Neuvottelupöytäkirja", "unit": "Hankintayksikkö", "procurement": "Hankinta",
        "key": "Asianumero", "date": "Päivämäärä", "reasons": "Perustelut", "criteria": "Vertailuperusteet",
        "points": "Tarjoajien pisteet vertailuperusteittain", "tenderer": "Tarjoaja", "total": "Yhteensä",
        "rank": "Sija", "winner": "Valittu tarjoaja", "level": "Hankinnan taso",
        "level_eu": "EU-kynnysarvon ylittävä hankinta", "level_national": "Kansallisen kynnysarvon ylittävä hankinta",
        "level_below_national": "Kansallisen kynnysarvon alittava hankinta", "instructions": "Muutoksenhakuohjeet",
        "service": "Tiedoksianto", "days": "päivää", "ground": "Menettelyn peruste (hankintalaki 34 §)",
        "candidates": "Ehdokkaat ja tarjoajat", "excluded": "Poissuljetut", "dropped_list": "Karsitut tarjoajat",
        "round": "Kierros", "reference": "Tarjouksen tunniste", "fee": "Palkkio-osuus (%)",
        "assessment": "Arvio", "reason": "Perustelu", "outcome": "Lopputulos", "none": "Ei merkintöjä.",
        "criterion_quality": "Laatu", "criterion_price": "Hinta",
    },
    "en": {
        "decision": "Procurement decision", "exclusion": "Decision on exclusion",
        "dropped": "Decision on dropping a tenderer", "discontinuation": "Decision to discontinue the procurement",
        "report_124": "Report on the procedure (Procurement Act § 124)", "minutes": "Negotiation minutes",
        "unit": "Contracting authority", "procurement": "Procurement", "key": "Case number", "date": "Date",
        "reasons": "Reasons", "criteria": "Award criteria", "points": "Tenderers' points per award criterion",
        "tenderer": "Tenderer", "total": "Total", "rank": "Rank", "winner": "Tenderer selected",
        "level": "Procurement level", "level_eu": "Above the EU threshold",
        "level_national": "Above the national threshold", "level_below_national": "Below the national threshold",
        "instructions": "Instructions for seeking a change", "service": "Service of the decision", "days": "days",
        "ground": "Ground for the procedure (Procurement Act § 34)", "candidates": "Candidates and tenderers",
        "excluded": "Excluded", "dropped_list": "Tenderers dropped", "round": "Round",
        "reference": "Tender reference", "fee": "Fee (%)", "assessment": "Assessment", "reason": "Reasoning",
        "outcome": "Outcome", "none": "Nothing recorded.", "criterion_quality": "Quality", "criterion_price": "Price",
    },
}
