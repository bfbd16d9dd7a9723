"""A notice's content from the procurement: what the diagrams' forms collected, nothing retyped.

`notice_content(kind, data, …)` reads the procurement's data (the start form, the unit model, the
§ 34 ground, the contract notice form, the decision and the contract) and the directory (each
buyer's business ID, address and e-mail; the winner's size) and gives the JSON content
`workflows/eforms/build.py` writes as eForms XML. What is missing is refused in one error naming
every form field or directory entry to fix.

Notice subtypes: the standard regime gives 16 (contract notice) and 29 (result notice), the light
regime (social and other specific services) 20 and 33. Procedure: competitive procedure with
negotiation (`neg-w-call`), one lot. The review body is the Market Court (`data/eforms.json`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from workflows.directory import Directory, Organisation
from workflows.documents import instructions
from workflows.eforms.codes import cpv, cpv_list, nuts_fi
from workflows.errors import InvalidInput

KINDS = ("contract-notice", "award-notice")
SUBTYPE = {("contract-notice", "standard"): "16", ("contract-notice", "light"): "20",
           ("award-notice", "standard"): "29", ("award-notice", "light"): "33"}
CONTRACT_NATURE = {"services": "services", "social_health": "services", "other_specific": "services"}
# words that make an award criterion a price criterion (BT-539 `price`); any other is `quality`
PRICE_WORDS = ("hinta", "palkkio", "kustannu", "price", "fee", "cost")


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((Path(__file__).parents[1] / "data" / "eforms.json").read_text("utf-8"))
    return data


class Missing:
    """Collects what a notice lacks, so the unit sees every field to fix at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def need(self, data: Mapping[str, Any], key: str, label: str) -> Any:
        value = data.get(key)
        if value is None or value == "" or value == []:
            self.problems.append(f"{key} ({label})")
        return value

    def raise_if_any(self, kind: str) -> None:
        if self.problems:
            raise InvalidInput(f"Ilmoituksesta ({kind}) puuttuu: {'; '.join(self.problems)}. / The {kind} lacks: "
                               f"{'; '.join(self.problems)}.")


def _organisation(org: Organisation, org_id: str, missing: Missing, role: str) -> dict[str, Any]:
    for attribute, label in (("business_id", "y-tunnus / business ID"), ("city", "kunta / city"),
                             ("email", "sähköposti / e-mail"), ("phone", "puhelin / telephone")):
        if not getattr(org, attribute, ""):
            missing.problems.append(f"directory {org.id}.{attribute} ({role}: {label})")
    entry = {"org_id": org_id, "name": org.name, "names": {"FIN": org.name}, "name_en": org.name_en or org.name,
             "business_id": org.business_id, "city": org.city,
             "postal_code": org.postal_code, "nuts": org.nuts, "email": org.email,
             "phone": getattr(org, "phone", "")}
    return entry


def _buyers(data: Mapping[str, Any], directory: Directory, missing: Missing) -> list[dict[str, Any]]:
    """Every joining orderer is a buyer; the lead orderer leads the group (OPP-050) when there are several."""
    orderers = list(data.get("orderers") or data.get("procurement_unit") or [])
    if not orderers:
        missing.problems.append("orderers (liittyneet tilaajat / joining orderers)")
    lead = data.get("lead_orderer") or (orderers[0] if orderers else None)
    legal_types = settings()["buyer_legal_type"]
    buyers = []
    for number, org_id in enumerate(orderers, start=1):
        org = directory.organisation(org_id)
        entry = _organisation(org, f"ORG-{number:04d}", missing, "buyer")
        entry["legal_type"] = legal_types.get(org.kind, "la")
        if len(orderers) > 1:
            entry["lead"] = org_id == lead
        buyers.append(entry)
    return buyers


def _review_body() -> dict[str, Any]:
    body = dict(settings()["review_body"])
    body["org_id"] = "ORG-0100"
    body["names"] = {"FIN": body["name"]}
    return body


def _review_deadline(level: str, on: str) -> dict[str, str]:
    remedies = instructions(level if level in ("eu", "national") else "eu", on)
    days = {r.kind: r.days for r in remedies.remedies}
    return {"FIN": f"Hankintaoikaisu (hankintalaki 1397/2016 §§ 132–135) {days.get('correction_request')} päivän ja "
                   f"valitus markkinaoikeuteen (§§ 145–147) {days.get('market_court_appeal')} päivän kuluessa "
                   f"hankintapäätöksen tiedoksisaannista.",
            "ENG": f"Request for correction (Act on Public Procurement 1397/2016, §§ 132–135) within "
                   f"{days.get('correction_request')} days and appeal to the Market Court (§§ 145–147) within "
                   f"{days.get('market_court_appeal')} days of being notified of the procurement decision."}


def _deadline(data: Mapping[str, Any]) -> str | None:
    """The last moment of the participation period: the second before it closes (the clock's time)."""
    closes = data.get("participation_closes_at")
    if not closes:
        return None
    return (datetime.fromisoformat(str(closes)) - timedelta(seconds=1)).isoformat()


def _criteria(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    criteria = []
    for c in data.get("award_criteria_weights") or []:
        name = str(c["name"])
        kind = "price" if any(w in name.lower() for w in PRICE_WORDS) else "quality"
        criteria.append({"name": {"FIN": name}, "weight": float(c["weight"]), "type": kind})
    return criteria


def _lines(value: Any) -> list[str]:
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def _selection(data: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"FIN": line} for line in _lines(data.get("selection_criteria"))]


# English where the unit gives it: the notice is then in Finnish and English (BT-702(b)), and the
# eForms rules want every text of the notice in both, so every free text the unit wrote needs its
# English too (the texts allianssi writes itself come in both languages)
ENGLISH = {"title_en": "hankinnan nimi englanniksi / title in English",
           "needs_en": "tarpeiden kuvaus englanniksi / description in English",
           "selection_criteria_en": "soveltuvuusvaatimukset englanniksi / selection criteria in English",
           "award_criteria_en": "vertailuperusteiden nimet englanniksi / award criteria names in English",
           "ground_justification_en": "§ 34 perustelu englanniksi / § 34 justification in English"}


def _english(data: Mapping[str, Any], content: dict[str, Any], missing: Missing, review_en: str) -> None:
    """Adds English to every text of the notice when the unit has given any; names what is missing."""
    if not any(str(data.get(key) or "").strip() for key in ENGLISH):
        return
    for key, label in ENGLISH.items():
        if not str(data.get(key) or "").strip():
            missing.problems.append(f"{key} ({label})")
    if content["procedure"]["accelerated"] and not str(data.get("timetable_justification_en") or "").strip():
        missing.problems.append("timetable_justification_en (kiireellisyyden peruste englanniksi / the reason "
                                "for urgency in English)")
    selection, criteria = _lines(data.get("selection_criteria_en")), _lines(data.get("award_criteria_en"))
    if selection and len(selection) != len(content["selection_criteria"]):
        missing.problems.append(f"selection_criteria_en ({len(content['selection_criteria'])} riviä / lines, "
                                f"one per selection criterion)")
    if criteria and len(criteria) != len(content["award_criteria"]):
        missing.problems.append(f"award_criteria_en ({len(content['award_criteria'])} riviä / lines, the names "
                                f"of the award criteria in their order)")
    if missing.problems:
        return
    content["languages"] = ["FIN", "ENG"]
    content["title"]["ENG"] = str(data["title_en"]).strip()
    content["description"]["ENG"] = str(data["needs_en"]).strip()
    content["review_deadline"]["ENG"] = review_en
    for org in [*content["buyers"], content["review_body"], *([content["award"]["winner"]] if "award" in content
                                                               else [])]:
        org["names"]["ENG"] = org.get("name_en") or org["name"]
    procedure = content["procedure"]
    justification = str(data["ground_justification_en"]).strip()
    procedure["features"]["ENG"] = (f"Competitive procedure with negotiation, Act on Public Procurement "
                                    f"1397/2016 § 34 ({data.get('procedure_ground')}): {justification}")
    if procedure["accelerated"]:
        procedure["accelerated_reason"]["ENG"] = str(data["timetable_justification_en"]).strip()
    for text, english in zip(content["selection_criteria"], selection, strict=True):
        text["ENG"] = english
    for criterion, english in zip(content["award_criteria"], criteria, strict=True):
        criterion["name"]["ENG"] = english


def _award(data: Mapping[str, Any], directory: Directory, missing: Missing) -> dict[str, Any]:
    winner_id = missing.need(data, "winner", "voittaja / winner")
    contract = data.get("contract") or {}
    value = missing.need(data, "contract_value", "sopimuksen arvo / contract value")
    if not contract.get("signed_on"):
        missing.problems.append("contract.signed_on (sopimus / the contract)")
    # the tenders the award was made on: the final ones, or the initial ones when awarded on them (§ 35)
    final = [t for t in data.get("final_tenders") or [] if t.get("submitted")]
    if not final or data.get("award_basis") == "initial_tenders":
        final = [t for t in data.get("initial_tenders") or [] if t.get("submitted")]
    winner: dict[str, Any] = {}
    tender_reference = ""
    sizes = {"micro": 0, "small": 0, "medium": 0, "large": 0}
    for tender in final:
        org_id = str(tender["organisation"])
        size = _size(org_id, directory, data)
        if size not in sizes:
            missing.problems.append(f"directory {org_id}.size (tarjoajan koko / tenderer's size)")
        else:
            sizes[size] += 1
        if org_id == winner_id:
            tender_reference = str(tender.get("tender_reference") or "")
    if winner_id:
        org = _known(str(winner_id), directory, data)
        winner = _organisation(org, "ORG-0200", missing, "winner")
        winner["size"] = _size(str(winner_id), directory, data)
    electronic = bool(data.get("electronic_tenders"))
    decision = data.get("decision") or {}
    decided_at = str(decision.get("recorded_at") or "")
    if not decided_at:
        missing.problems.append("decision (hankintapäätös / the decision)")
    return {"value": value, "winner": winner, "tender_reference": tender_reference or "-",
            "contract_reference": str(data.get("contract_reference") or "-"),
            "signed_on": str(contract.get("signed_on") or ""), "decided_at": decided_at,
            "statistics": {"tenders": len(final), "t-micro": sizes["micro"], "t-small": sizes["small"],
                           "t-med": sizes["medium"], "t-large": sizes["large"],
                           # a tenderer with a y-tunnus is Finnish: none from other EEA or non-EEA countries
                           "t-oth-eea": 0, "t-no-eea": 0, "t-esubm": len(final) if electronic else 0}}


def _known(org_id: str, directory: Directory, data: Mapping[str, Any]) -> Organisation:
    if org_id in directory.organisations:
        return directory.organisation(org_id)
    for registered in data.get("registered_organisations") or []:
        if registered.get("id") == org_id:
            name = str(registered["name"])
            return Organisation(id=org_id, kind="producer", name=name, name_en=name,
                                business_id=str(registered["business_id"]))
    return directory.organisation(org_id)     # UnknownOrganisation names it


def _size(org_id: str, directory: Directory, data: Mapping[str, Any]) -> str:
    return getattr(_known(org_id, directory, data), "size", "")


def notice_content(kind: str, data: Mapping[str, Any], directory: Directory, *, nuts_regions: Mapping[str, str],
                   notice_id: str, folder_id: str, issued_at: str, reference: str, version: int = 1,
                   change: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The content of the `kind` notice of a procurement whose data is `data` (see the module doc)."""
    if kind not in KINDS:
        raise InvalidInput(f"Tuntematon ilmoitus {kind!r}; {' / '.join(KINDS)}. / Unknown notice {kind!r}; "
                           f"one of {', '.join(KINDS)}.")
    missing = Missing()
    regime = str(data.get("regime") or "standard")
    level = str(data.get("procurement_level") or "")
    if level != "eu":
        missing.problems.append(f"procurement_level = {level or '?'} (eForms-ilmoitus vain EU-kynnyksen "
                                f"ylittävistä / an eForms notice is for EU-level procurements)")
    title = missing.need(data, "title", "otsikko / title")
    needs = missing.need(data, "needs", "tarpeiden kuvaus / description of the needs")
    main = missing.need(data, "cpv_main", "CPV-pääkoodi / main CPV code")
    place = missing.need(data, "place_nuts", "suorituspaikka NUTS 3 / place of performance")
    url = missing.need(data, "tendering_url", "hankinta-asiakirjojen osoite / procurement documents URL")
    ground = missing.need(data, "procedure_ground", "§ 34 peruste / § 34 ground")
    value = missing.need(data, "estimated_value", "ennakoitu arvo / estimated value")
    criteria = _criteria(data)
    if not criteria:
        missing.problems.append("award_criteria (vertailuperusteet / award criteria)")
    if kind == "contract-notice":
        missing.need(data, "selection_criteria", "soveltuvuusvaatimukset / selection criteria")
        missing.need(data, "duration_months", "kesto kuukausina / duration in months")
        if not data.get("participation_closes_at"):
            missing.problems.append("participation_deadline (osallistumishakemusten määräpäivä / deadline)")
    buyers = _buyers(data, directory, missing)
    award = _award(data, directory, missing) if kind == "award-notice" else None
    missing.raise_if_any(kind)
    justification = str(data.get("ground_justification") or "")
    review = _review_deadline(level, str(data.get("rules_date") or issued_at[:10]))
    content: dict[str, Any] = {
        "kind": kind, "subtype": SUBTYPE[(kind, "light" if regime == "light" else "standard")],
        "notice_id": notice_id, "folder_id": folder_id, "version": f"{version:02d}", "issued_at": issued_at,
        "languages": ["FIN"], "reference": reference,
        "title": {"FIN": str(title)}, "description": {"FIN": str(needs)},
        "buyers": buyers, "review_body": _review_body(),
        "procedure": {"code": "neg-w-call", "accelerated": bool(data.get("urgent")),
                      "accelerated_reason": {"FIN": str(data.get("timetable_justification") or "")},
                      "features": {"FIN": f"Neuvottelumenettely, hankintalaki 1397/2016 § 34 ({ground}): "
                                          f"{justification}".strip()}},
        "contract_nature": CONTRACT_NATURE.get(str(data.get("service_type")), "services"),
        "estimated_value": float(value), "cpv_main": cpv(str(main)),
        "cpv_additional": cpv_list(data.get("cpv_additional")), "nuts": nuts_fi(str(place), dict(nuts_regions)),
        "duration_months": data.get("duration_months"), "selection_criteria": _selection(data),
        "award_criteria": criteria, "review_deadline": {"FIN": review["FIN"]},
        "tendering_url": str(url), "electronic": bool(data.get("electronic_tenders")),
        "staged_reduction": bool(data.get("staged_reduction")),
        "award_on_initial_reserved": bool(data.get("award_on_initial_reserved")),
        "participation_deadline": _deadline(data),
    }
    if award is not None:
        content["award"] = award
    _english(data, content, missing, review["ENG"])
    missing.raise_if_any(kind)
    if change:
        content["change"] = dict(change)
    return content


def sections(content: Mapping[str, Any]) -> Sequence[str]:
    return [str(content["reference"])]
