"""A procurement's public facts as an Open Contracting Data Standard 1.1 release package.

    release_package(instance_view, directory, history) -> dict

Only public facts are exported: the parties and their roles, the buyer(s), the tender (a
competitive procedure with negotiation, `procurementMethod: selective`, the §34 ground as
`procurementMethodRationale`), the awards and the contracts. Nothing a tenderer sent in
confidence (tenders, negotiation minutes, prices other than the awarded ones) is exported.

The facts are read from the instance data the alliance procurement diagrams write; each fact
has a few accepted keys (`DATA_KEYS`), the first one present wins, and a missing fact is simply
left out. The project's own JSON schema for what this emits is
`workflows/schemas/ocds-release-package.schema.json`; the tests check the output against it
and against the OCDS 1.1.5 schema with libcoveocds, offline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from engine import AuditEvent, InstanceView
from workflows.confidentiality import Audience, Confidentiality
from workflows.directory import Directory

OCID_PREFIX = "ocds-allianssi-"
PUBLISHER = {"name": "allianssi", "uri": "https://github.com/allianssi/allianssi"}
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
PACKAGE_URI = "urn:allianssi:procurement:{id}:ocds-release-package"
HELSINKI = ZoneInfo("Europe/Helsinki")
PROCUREMENT_METHOD_DETAILS = "Competitive procedure with negotiation"
SCHEMA_FILE = "ocds-release-package.schema.json"

# fact -> data keys, in order of preference (helper A's diagrams write these)
DATA_KEYS: Mapping[str, tuple[str, ...]] = {
    "title": ("title", "procurement_title"),
    "description": ("description", "procurement_description", "needs"),
    "estimated_value": ("estimated_value",),
    "currency": ("currency",),
    "region": ("region",),
    "orderers": ("orderers", "joining_orderers"),
    "procurement_unit": ("procurement_unit",),
    "ground": ("negotiated_procedure_ground", "procedure_ground", "ground_34", "ground"),
    "justification": ("negotiated_procedure_justification", "procedure_justification", "ground_justification"),
    "terms": ("locked_terms", "terms", "contract_notice_terms"),
    "notice": ("contract_notice", "notice"),
    "notice_published_on": ("notice_sent_on", "notice_published_on", "contract_notice_sent_on"),
    "participation_period": ("participation_period", "request_period"),
    "tender_period": ("final_tender_deadline", "final_tender_period", "initial_tender_period", "tender_period"),
    "selection": ("selection",),
    "tenderers": ("tenderers", "invited", "remaining_tenderers"),
    "tenders": ("initial_tenders", "final_tenders", "tenders"),
    "ranking": ("ranking",),
    "contractor": ("contractor",),
    "decision": ("decision_service", "decision"),
    "decision_date": ("decision_date", "decided_on", "decision_served_on", "served_on"),
    "contract": ("contract", "contract_signing", "signed_contract"),
    "alliance_parties": ("alliance_parties",),
    "cancelled": ("cancelled", "procedure_cancelled"),
}

GROUNDS = {
    "34_1_1": "§34(1)(1) needs cannot be met without adapting readily available solutions",
    "34_1_2": "§34(1)(2) the services include design or innovative solutions",
    "34_1_3": "§34(1)(3) the contract cannot be awarded without prior negotiations because of its nature, "
              "complexity, legal and financial make-up or risks",
    "34_1_4": "§34(1)(4) the technical specifications cannot be established with sufficient precision",
    "34_1_5": "§34(1)(5) only irregular or unacceptable tenders were received in an open or restricted procedure",
}


def fact(data: Mapping[str, Any], name: str) -> Any:
    """The first present, non-empty value among the fact's accepted data keys."""
    for key in DATA_KEYS[name]:
        value = data.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def organisation_ids(value: Any) -> list[str]:
    """Ids from an id, "a, b" text, `{"organisation": id}` items or lists of them, in order, once each."""
    out: list[str] = []

    def add(item: Any) -> None:
        if isinstance(item, str):
            for part in item.replace(";", ",").replace("\n", ",").split(","):
                if part.strip() and part.strip() not in out:
                    out.append(part.strip())
        elif isinstance(item, Mapping):
            add(item.get("organisation"))
        elif isinstance(item, list | tuple):
            for element in item:
                add(element)

    add(value)
    return out


def ocds_datetime(value: Any, end_of_day: bool = False) -> str | None:
    """An RFC 3339 date-time from a datetime, an ISO timestamp or a date (Finnish midnight / 23:59:59)."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=HELSINKI)
        return moment.isoformat(timespec="seconds")
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59, 59) if end_of_day else time(0), HELSINKI).isoformat()
    if isinstance(value, str) and value:
        try:
            if len(value) == 10:
                return ocds_datetime(date.fromisoformat(value), end_of_day)
            return ocds_datetime(datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def _period(value: Any) -> dict[str, str] | None:
    """A period from `check_period`/`tender_deadline` output ({sent_on, last_day, closes_at}) or a date."""
    if isinstance(value, Mapping):
        start = ocds_datetime(value.get("sent_on") or value.get("start"))
        end = ocds_datetime(value.get("closes_at")) or ocds_datetime(value.get("last_day") or value.get("end"),
                                                                     end_of_day=True)
    else:
        start, end = None, ocds_datetime(value, end_of_day=True)
    period = {k: v for k, v in (("startDate", start), ("endDate", end)) if v}
    return period or None


class _Parties:
    """The parties list, one entry per organisation, collecting roles."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.by_id: dict[str, dict[str, Any]] = {}

    def add(self, organisation: str, role: str) -> dict[str, str]:
        party = self.by_id.get(organisation)
        if party is None:
            known = self.directory.organisations.get(organisation)
            party = {"id": organisation, "name": known.name if known else organisation, "roles": []}
            if known:
                party["details"] = {"kind": known.kind, "name_en": known.name_en}
            self.by_id[organisation] = party
        if role not in party["roles"]:
            party["roles"].append(role)
        return {"id": organisation, "name": party["name"]}

    def add_all(self, organisations: Iterable[str], role: str) -> list[dict[str, str]]:
        return [self.add(o, role) for o in organisations]


def _tenderers(data: Mapping[str, Any]) -> list[str]:
    """Organisations that submitted a tender (or, without tender records, the invited candidates)."""
    tenders = fact(data, "tenders")
    if isinstance(tenders, list) and tenders:
        submitted = organisation_ids([t for t in tenders if isinstance(t, Mapping) and t.get("submitted")])
        if submitted:
            return submitted
    selection = fact(data, "selection")
    if isinstance(selection, Mapping) and selection.get("invited"):
        return organisation_ids(selection["invited"])
    return organisation_ids(fact(data, "tenderers"))


def _rationale(data: Mapping[str, Any]) -> str | None:
    ground = fact(data, "ground")
    justification = fact(data, "justification")
    if ground is None and justification is None:
        return None
    text = GROUNDS.get(str(ground), str(ground)) if ground is not None else ""
    if justification:
        text = f"{text}: {justification}" if text else str(justification)
    return f"Procurement Act 1397/2016 {text}" if not text.startswith("Procurement Act") else text


def _value(amount: Any, currency: str) -> dict[str, Any] | None:
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return None
    return {"amount": amount, "currency": currency}


def _status(instance: InstanceView, data: Mapping[str, Any], awarded: bool) -> str:
    if instance.status == "cancelled" or fact(data, "cancelled"):
        return "cancelled"
    if awarded:
        return "complete"
    return "active" if fact(data, "notice") or fact(data, "notice_published_on") else "planning"


def _tender(instance: InstanceView, data: Mapping[str, Any], parties: _Parties, ocid: str,
            procuring_entity: dict[str, str] | None, awarded: bool) -> dict[str, Any]:
    currency = str(fact(data, "currency") or "EUR")
    tender: dict[str, Any] = {
        "id": f"{ocid}-tender",
        "title": str(fact(data, "title") or instance.business_key or instance.id),
        "status": _status(instance, data, awarded),
        "procurementMethod": "selective",
        "procurementMethodDetails": PROCUREMENT_METHOD_DETAILS,
        "mainProcurementCategory": "services",
    }
    optional: dict[str, Any] = {
        "description": fact(data, "description"),
        "procurementMethodRationale": _rationale(data),
        "procuringEntity": procuring_entity,
        "value": _value(fact(data, "estimated_value"), currency),
    }
    terms = fact(data, "terms")
    if isinstance(terms, Mapping):
        optional["awardCriteriaDetails"] = terms.get("award_criteria")
        optional["eligibilityCriteria"] = terms.get("minimum_requirements")
    optional["tenderPeriod"] = _period(fact(data, "tender_period"))
    optional["enquiryPeriod"] = None
    tenderers = _tenderers(data)
    if tenderers:
        optional["tenderers"] = parties.add_all(tenderers, "tenderer")
        optional["numberOfTenderers"] = len(tenderers)
    tender.update({k: v for k, v in optional.items() if v not in (None, "", [], {})})
    return tender


def _awards_and_contracts(data: Mapping[str, Any], parties: _Parties, ocid: str,
                          currency: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    contract = fact(data, "contract")
    contractor = fact(data, "contractor")
    if contractor is None and isinstance(contract, Mapping):
        contractor = contract.get("contractor")
    suppliers = organisation_ids(contractor)
    if not suppliers:
        return [], []
    award_id = f"{ocid}-award-1"
    decision = fact(data, "decision")
    decided = fact(data, "decision_date")
    if decided is None and isinstance(decision, Mapping):
        decided = decision.get("served_on") or decision.get("received_on") or decision.get("decided_on")
    award: dict[str, Any] = {"id": award_id, "status": "active" if contract else "pending",
                             "suppliers": parties.add_all(suppliers, "supplier")}
    award_date = ocds_datetime(decided)
    if award_date:
        award["date"] = award_date
    ranking = fact(data, "ranking")
    if isinstance(ranking, list) and ranking:
        award["description"] = "Ranking: " + ", ".join(
            f"{r.get('rank')}. {r.get('organisation')} ({r.get('total')})" for r in ranking if isinstance(r, Mapping))
    if not isinstance(contract, Mapping):
        return [award], []
    entry: dict[str, Any] = {"id": f"{ocid}-contract-1", "awardID": award_id, "status": "active"}
    signed = ocds_datetime(contract.get("signed_on"))
    if signed:
        entry["dateSigned"] = signed
        entry["period"] = {"startDate": signed}
    value = _value(contract.get("value") or contract.get("target_cost"), currency)
    if value:
        entry["value"] = value
    return [award], [entry]


def _release_date(instance: InstanceView, history: Sequence[AuditEvent]) -> str:
    moments = [e.at for e in history] or [instance.updated_at]
    return ocds_datetime(max(moments)) or ocds_datetime(instance.started_at) or ""


def release(instance_view: InstanceView, directory: Directory, history: Sequence[AuditEvent]) -> dict[str, Any]:
    """One release: the procurement as it stands after its last audit event — its public facts only
    (open data: tender details, points and anything not marked public never leave through here)."""
    data = Confidentiality(instance_view, {}, lambda _user: ()).data(Audience.public())
    ocid = OCID_PREFIX + instance_view.id
    currency = str(fact(data, "currency") or "EUR")
    parties = _Parties(directory)
    region = fact(data, "region")
    orderers = organisation_ids(fact(data, "orderers")) or organisation_ids(region)
    parties.add_all(orderers, "buyer")
    units = organisation_ids(fact(data, "procurement_unit"))
    procuring = parties.add_all(units, "procuringEntity")
    awards, contracts = _awards_and_contracts(data, parties, ocid, currency)
    tender = _tender(instance_view, data, parties, ocid, procuring[0] if len(procuring) == 1 else None, bool(awards))
    last_seq = max((e.seq for e in history), default=instance_view.version)
    tags = ["tender"] + (["award"] if awards else []) + (["contract"] if contracts else [])
    if tender["status"] == "planning":
        tags = ["planning"]
    main_buyer = (organisation_ids(region) + orderers)[:1]
    buyer = parties.add(main_buyer[0], "buyer") if main_buyer else None
    out: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{last_seq}",
        "date": _release_date(instance_view, history),
        "tag": tags,
        "initiationType": "tender",
        "language": "fi",
        "parties": list(parties.by_id.values()),
    }
    if buyer:
        out["buyer"] = buyer
    out["tender"] = tender
    if awards:
        out["awards"] = awards
    if contracts:
        out["contracts"] = contracts
    return out


def release_package(instance_view: InstanceView, directory: Directory,
                    history: Sequence[AuditEvent]) -> dict[str, Any]:
    """An OCDS 1.1 release package holding the procurement's one current release."""
    one = release(instance_view, directory, history)
    return {
        "uri": PACKAGE_URI.format(id=instance_view.id),
        "version": "1.1",
        "publishedDate": one["date"],
        "publisher": dict(PUBLISHER),
        "license": LICENSE,
        "releases": [one],
    }
