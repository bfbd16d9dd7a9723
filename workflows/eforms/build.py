"""eForms XML (UBL 2.3 with the EU's extensions) from a notice's content.

`build(content, sdk_version)` takes the plain JSON content a notice is made of (see `NoticeContent`
in `workflows/eforms/content.py`) and gives the XML bytes. Elements are written in the order the
schemas require; each business term is written where `fields/fields.json` puts it (the BT ids are
named in the comments; `tests/workflows/test_eforms.py` checks each against the field's XPath).
The same content always gives the same bytes, so an archived notice can be checked by regenerating it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from lxml import etree

from workflows.calendar import HELSINKI

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
}
ROOT = {"contract-notice": ("ContractNotice", "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"),
        "award-notice": ("ContractAwardNotice",
                         "urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2")}
# notice subtype → (form type list, notice type code)
NOTICE_TYPE = {"16": ("competition", "cn-standard"), "20": ("competition", "cn-social"),
               "29": ("result", "can-standard"), "33": ("result", "can-social")}
LIGHT = ("20", "33")      # the light regime (social and other specific services)
LOT = "LOT-0001"
REVIEW_ORG = "ORG-0100"


def _q(name: str) -> str:
    prefix, _, local = name.partition(":")
    return f"{{{NS[prefix]}}}{local}"


def el(parent: Any, name: str, text: object | None = None, **attrs: str) -> Any:
    element = etree.SubElement(parent, _q(name), {k.replace("_", ""): v for k, v in attrs.items()})
    if text is not None:
        element.text = str(text)
    return element


def extension(parent: Any) -> Any:
    """ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension under parent."""
    return el(el(el(el(parent, "ext:UBLExtensions"), "ext:UBLExtension"), "ext:ExtensionContent"),
              "efext:EformsExtension")


def texts(parent: Any, name: str, values: Mapping[str, str]) -> None:
    """A multilingual text: one element per language given (FIN first)."""
    for language in sorted(values, key=lambda lang: (lang != "FIN", lang)):
        if values[language]:
            el(parent, name, values[language], languageID=language)


def _finnish(moment: str) -> datetime:
    """A moment as Finland's time: the procedure's dates (a contract signed on 23.6.) are Finnish days,
    and a notice sent at 00:30 Helsinki time must not be dated the day before (as in UTC)."""
    parsed = datetime.fromisoformat(moment)
    return parsed.astimezone(HELSINKI) if parsed.tzinfo else parsed


def _date(moment: str) -> str:
    """2026-01-15T07:00:00+00:00 → the date in Finland with its offset: 2026-01-15+02:00"""
    parsed = _finnish(moment)
    offset = parsed.strftime("%z")
    return f"{parsed.date().isoformat()}{offset[:3]}:{offset[3:]}" if offset else f"{parsed.date().isoformat()}Z"


def _day(day: str) -> str:
    """A Finnish day (2026-06-23) with Finland's offset that day (+03:00 in summer), so it compares
    rightly with the notice's own dates."""
    if "+" in day or day.endswith("Z"):
        return day
    return _date(datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=HELSINKI).isoformat())


def _time(moment: str) -> str:
    parsed = _finnish(moment)
    offset = parsed.strftime("%z")
    return f"{parsed.strftime('%H:%M:%S')}{offset[:3]}:{offset[3:]}" if offset else parsed.strftime("%H:%M:%SZ")


def _amount(value: float) -> str:
    return f"{float(value):.2f}"


def _organisation(orgs: Any, org: Mapping[str, Any]) -> None:
    organisation = el(orgs, "efac:Organization")
    if "lead" in org:
        el(organisation, "efbc:GroupLeadIndicator", str(bool(org["lead"])).lower())    # OPP-050
    company = el(organisation, "efac:Company")
    if org.get("size"):
        el(company, "efbc:CompanySizeCode", org["size"], listName="economic-operator-size")  # BT-165
    identification = el(company, "cac:PartyIdentification")
    el(identification, "cbc:ID", org["org_id"], schemeName="organization")          # OPT-200
    name = el(company, "cac:PartyName")
    el(name, "cbc:Name", org["name"], languageID="FIN")                             # BT-500
    address = el(company, "cac:PostalAddress")
    el(address, "cbc:CityName", org["city"])                                         # BT-513
    if org.get("postal_code"):
        el(address, "cbc:PostalZone", org["postal_code"])                            # BT-512
    if org.get("nuts"):
        el(address, "cbc:CountrySubentityCode", org["nuts"], listName="nuts")       # BT-507
    el(el(address, "cac:Country"), "cbc:IdentificationCode", "FIN", listName="country")  # BT-514
    if org.get("business_id"):
        el(el(company, "cac:PartyLegalEntity"), "cbc:CompanyID", org["business_id"])  # BT-501
    contact = el(company, "cac:Contact")
    if org.get("phone"):
        el(contact, "cbc:Telephone", org["phone"])                                   # BT-503
    el(contact, "cbc:ElectronicMail", org["email"])                                  # BT-506


def _root_extension(root: Any, content: Mapping[str, Any]) -> None:
    ext = extension(root)
    change = content.get("change")
    if change:
        changes = el(ext, "efac:Changes")
        el(changes, "efbc:ChangedNoticeIdentifier", change["changed_notice"])         # BT-758
        for section in change["sections"]:
            item = el(changes, "efac:Change")
            texts(item, "efbc:ChangeDescription", change["description"])             # BT-141
            el(el(item, "efac:ChangedSection"), "efbc:ChangedSectionIdentifier", section)  # BT-13716
        reason = el(changes, "efac:ChangeReason")
        el(reason, "cbc:ReasonCode", change["reason_code"], listName="change-corrig-justification")  # BT-140
        texts(reason, "efbc:ReasonDescription", change["reason"])                   # BT-762
    if content["kind"] == "award-notice":
        _notice_result(ext, content)
    el(el(ext, "efac:NoticeSubType"), "cbc:SubTypeCode", content["subtype"], listName="notice-subtype")  # OPP-070
    orgs = el(ext, "efac:Organizations")
    for buyer in content["buyers"]:
        _organisation(orgs, buyer)
    _organisation(orgs, content["review_body"])
    if content["kind"] == "award-notice":
        _organisation(orgs, content["award"]["winner"])


def _notice_result(ext: Any, content: Mapping[str, Any]) -> None:
    award = content["award"]
    result = el(ext, "efac:NoticeResult")
    el(result, "cbc:TotalAmount", _amount(award["value"]), currencyID="EUR")        # BT-161
    lot_result = el(result, "efac:LotResult")
    el(lot_result, "cbc:ID", "RES-0001", schemeName="result")                        # OPT-322
    el(lot_result, "cbc:TenderResultCode", "selec-w", listName="winner-selection-status")  # BT-142
    el(el(lot_result, "efac:LotTender"), "cbc:ID", "TEN-0001", schemeName="tender")  # OPT-320
    for code, count in award["statistics"].items():
        statistics = el(lot_result, "efac:ReceivedSubmissionsStatistics")
        el(statistics, "efbc:StatisticsCode", code, listName="received-submission-type")  # BT-760
        el(statistics, "efbc:StatisticsNumeric", count)                              # BT-759
    el(el(lot_result, "efac:SettledContract"), "cbc:ID", "CON-0001", schemeName="contract")  # OPT-315
    el(el(lot_result, "efac:TenderLot"), "cbc:ID", LOT, schemeName="Lot")            # BT-13713
    tender = el(result, "efac:LotTender")
    el(tender, "cbc:ID", "TEN-0001", schemeName="tender")                            # OPT-321
    el(tender, "cbc:RankCode", 1)                                                    # BT-171
    el(tender, "efbc:TenderRankedIndicator", "true")                                 # BT-1711
    el(el(tender, "cac:LegalMonetaryTotal"), "cbc:PayableAmount", _amount(award["value"]), currencyID="EUR")  # BT-720
    el(el(tender, "efac:SubcontractingTerm"), "efbc:TermCode", "no", listName="applicability")  # BT-773
    el(el(tender, "efac:TenderingParty"), "cbc:ID", "TPA-0001", schemeName="tendering-party")  # OPT-310
    el(el(tender, "efac:TenderLot"), "cbc:ID", LOT, schemeName="Lot")                # BT-13714
    el(el(tender, "efac:TenderReference"), "cbc:ID", award["tender_reference"])      # BT-3201
    contract = el(result, "efac:SettledContract")
    el(contract, "cbc:ID", "CON-0001", schemeName="contract")                        # OPT-316
    el(contract, "cbc:IssueDate", _day(award["signed_on"]))                         # BT-145
    el(el(contract, "efac:ContractReference"), "cbc:ID", award["contract_reference"])  # BT-150
    el(el(contract, "efac:LotTender"), "cbc:ID", "TEN-0001", schemeName="tender")   # OPT-321
    party = el(result, "efac:TenderingParty")
    el(party, "cbc:ID", "TPA-0001", schemeName="tendering-party")                    # OPT-210
    el(el(party, "efac:Tenderer"), "cbc:ID", award["winner"]["org_id"], schemeName="organization")  # OPT-300


def _header(root: Any, content: Mapping[str, Any], customization: str) -> None:
    el(root, "cbc:UBLVersionID", "2.3")
    el(root, "cbc:CustomizationID", customization)                                   # OPT-002
    el(root, "cbc:ID", content["notice_id"], schemeName="notice-id")                 # BT-701
    el(root, "cbc:ContractFolderID", content["folder_id"])                           # BT-04
    el(root, "cbc:IssueDate", _date(content["issued_at"]))                           # BT-05(a)
    el(root, "cbc:IssueTime", _time(content["issued_at"]))                           # BT-05(b)
    el(root, "cbc:VersionID", content["version"])                                    # BT-757
    el(root, "cbc:RegulatoryDomain", "32014L0024")                                   # BT-01
    list_name, code = NOTICE_TYPE[content["subtype"]]
    el(root, "cbc:NoticeTypeCode", code, listName=list_name)                         # BT-02
    el(root, "cbc:NoticeLanguageCode", "FIN")                                        # BT-702(a)
    for language in content["languages"]:
        if language != "FIN":
            el(root, "cac:AdditionalNoticeLanguage").append(_id(language))           # BT-702(b)
    for buyer in content["buyers"]:
        party = el(root, "cac:ContractingParty")
        el(el(party, "cac:ContractingPartyType"), "cbc:PartyTypeCode", buyer["legal_type"],
           listName="buyer-legal-type")                                              # BT-11
        el(el(party, "cac:ContractingActivity"), "cbc:ActivityTypeCode", "gen-pub",
           listName="authority-activity")                                            # BT-10
        el(el(el(party, "cac:Party"), "cac:PartyIdentification"), "cbc:ID", buyer["org_id"],
           schemeName="organization")                                                # OPT-300


def _id(value: str) -> Any:
    element = etree.Element(_q("cbc:ID"))
    element.text = value
    return element


def _procedure(root: Any, content: Mapping[str, Any]) -> None:
    if content["kind"] == "contract-notice":
        terms = el(root, "cac:TenderingTerms")
        request = el(terms, "cac:TendererQualificationRequest")
        el(el(request, "cac:SpecificTendererRequirement"), "cbc:TendererRequirementTypeCode",
           "epo-procurement-document", listName="exclusion-grounds-source")          # BT-806
    process = el(root, "cac:TenderingProcess")
    light = content["subtype"] in LIGHT
    if content["kind"] == "contract-notice":
        texts(process, "cbc:Description", content["procedure"]["features"])         # BT-88
    el(process, "cbc:ProcedureCode", content["procedure"]["code"],
       listName="procurement-procedure-type")                                        # BT-105
    if content["kind"] == "contract-notice" and not light:
        justification = el(process, "cac:ProcessJustification")
        el(justification, "cbc:ProcessReasonCode", str(content["procedure"]["accelerated"]).lower(),
           listName="accelerated-procedure")                                         # BT-106
        if content["procedure"]["accelerated"]:
            texts(justification, "cbc:ProcessReason", content["procedure"]["accelerated_reason"])  # BT-1351
    project = el(root, "cac:ProcurementProject")
    el(project, "cbc:ID", content["reference"], schemeName="InternalID")             # BT-22
    _scope(project, content, lot=False)


def _scope(project: Any, content: Mapping[str, Any], *, lot: bool) -> None:
    texts(project, "cbc:Name", content["title"])                                     # BT-21
    texts(project, "cbc:Description", content["description"])                        # BT-24
    el(project, "cbc:ProcurementTypeCode", content["contract_nature"], listName="contract-nature")  # BT-23
    if content.get("estimated_value") is not None and content["kind"] == "contract-notice":
        el(el(project, "cac:RequestedTenderTotal"), "cbc:EstimatedOverallContractAmount",
           _amount(content["estimated_value"]), currencyID="EUR")                    # BT-27
    el(el(project, "cac:MainCommodityClassification"), "cbc:ItemClassificationCode", content["cpv_main"],
       listName="cpv")                                                               # BT-262
    for code in content["cpv_additional"]:
        el(el(project, "cac:AdditionalCommodityClassification"), "cbc:ItemClassificationCode", code,
           listName="cpv")                                                           # BT-263
    address = el(el(project, "cac:RealizedLocation"), "cac:Address")
    el(address, "cbc:CountrySubentityCode", content["nuts"], listName="nuts")        # BT-5071
    el(el(address, "cac:Country"), "cbc:IdentificationCode", "FIN", listName="country")  # BT-5141
    if lot and content.get("duration_months"):
        el(el(project, "cac:PlannedPeriod"), "cbc:DurationMeasure", content["duration_months"],
           unitCode="MONTH")                                                         # BT-36


def _lot(root: Any, content: Mapping[str, Any]) -> None:
    lot = el(root, "cac:ProcurementProjectLot")
    el(lot, "cbc:ID", LOT, schemeName="Lot")                                         # BT-137
    terms = el(lot, "cac:TenderingTerms")
    notice = content["kind"] == "contract-notice"
    if notice and content["selection_criteria"]:
        ext = extension(terms)
        for criterion in content["selection_criteria"]:
            selection = el(ext, "efac:SelectionCriteria")
            el(selection, "cbc:TendererRequirementTypeCode", "slc-stand-other",
               listName="selection-criterion")                                       # BT-747
            texts(selection, "cbc:Description", criterion)                          # BT-750
    if notice:
        el(terms, "cbc:VariantConstraintCode", "not-allowed", listName="permission")  # BT-63
    el(terms, "cbc:FundingProgramCode", "no-eu-funds", listName="eu-funded")         # BT-60
    if notice:
        documents = el(terms, "cac:CallForTendersDocumentReference")
        el(documents, "cbc:ID", "DOC-0001")                                         # OPT-140
        el(documents, "cbc:DocumentType", "non-restricted-document")                # BT-14
        el(el(el(documents, "cac:Attachment"), "cac:ExternalReference"), "cbc:URI",
           content["tendering_url"])                                                 # BT-15
        request = el(terms, "cac:TendererQualificationRequest")
        el(el(request, "cac:SpecificTendererRequirement"), "cbc:TendererRequirementTypeCode", "none",
           listName="reserved-procurement")                                          # BT-71
        request = el(terms, "cac:TendererQualificationRequest")
        el(el(request, "cac:SpecificTendererRequirement"), "cbc:TendererRequirementTypeCode", "epo-notice",
           listName="selection-criteria-source")                                     # BT-821
        for code, value in (("reserved-execution", "no"), ("einvoicing", "required"),
                            ("ecatalog-submission", "not-allowed")):
            el(el(terms, "cac:ContractExecutionRequirement"), "cbc:ExecutionRequirementCode", value,
               listName=code)                                                        # BT-736, BT-743, BT-764
    _award_criteria(terms, content)
    if notice:
        recipient = el(terms, "cac:TenderRecipientParty")
        el(recipient, "cbc:EndpointID", content["tendering_url"])                    # BT-18
        el(el(recipient, "cac:PartyIdentification"), "cbc:ID", content["buyers"][0]["org_id"],
           schemeName="organization")                                                # OPT-301 tender recipient
    appeal = el(terms, "cac:AppealTerms")
    texts(el(appeal, "cac:PresentationPeriod"), "cbc:Description", content["review_deadline"])  # BT-99
    el(el(el(appeal, "cac:AppealReceiverParty"), "cac:PartyIdentification"), "cbc:ID",
       content["review_body"]["org_id"], schemeName="organization")                  # OPT-301 review org
    if notice:
        for language in content["languages"]:
            el(el(terms, "cac:Language"), "cbc:ID", language)                        # BT-97
        post = el(terms, "cac:PostAwardProcess")
        el(post, "cbc:ElectronicOrderUsageIndicator", "false")                       # BT-92
        el(post, "cbc:ElectronicPaymentUsageIndicator", "true")                      # BT-93
    process = el(lot, "cac:TenderingProcess")
    if notice:
        el(process, "cbc:SubmissionMethodCode", "required" if content["electronic"] else "allowed",
           listName="esubmission")                                                   # BT-17
        el(process, "cbc:CandidateReductionConstraintIndicator",
           str(bool(content["staged_reduction"])).lower())                           # BT-52
    if content["subtype"] not in LIGHT:
        el(process, "cbc:GovernmentAgreementConstraintIndicator", "true")            # BT-115
    if notice:
        period = el(process, "cac:ParticipationRequestReceptionPeriod")
        el(period, "cbc:EndDate", _date(content["participation_deadline"]))           # BT-1311(d)
        el(period, "cbc:EndTime", _time(content["participation_deadline"]))           # BT-1311(t)
        shortlist = el(process, "cac:EconomicOperatorShortList")
        el(shortlist, "cbc:LimitationDescription", "false")                          # BT-661
        el(shortlist, "cbc:MinimumQuantity", 3)                                      # BT-50
    el(el(process, "cac:AuctionTerms"), "cbc:AuctionConstraintIndicator", "false")   # BT-767
    el(el(process, "cac:ContractingSystem"), "cbc:ContractingSystemTypeCode", "none",
       listName="framework-agreement")                                               # BT-765
    el(el(process, "cac:ContractingSystem"), "cbc:ContractingSystemTypeCode", "none",
       listName="dps-usage")                                                         # BT-766
    project = el(lot, "cac:ProcurementProject")
    el(project, "cbc:ID", content["reference"], schemeName="InternalID")             # BT-22
    _scope(project, content, lot=True)


def _award_criteria(terms: Any, content: Mapping[str, Any]) -> None:
    awarding = el(terms, "cac:AwardingTerms")
    if content["kind"] == "contract-notice":
        el(awarding, "cbc:NoFurtherNegotiationIndicator",
           str(bool(content["award_on_initial_reserved"])).lower())                  # BT-120
    criterion = el(awarding, "cac:AwardingCriterion")
    for item in content["award_criteria"]:
        sub = el(criterion, "cac:SubordinateAwardingCriterion")
        parameter = el(extension(sub), "efac:AwardCriterionParameter")
        el(parameter, "efbc:ParameterCode", "per-exa", listName="number-weight")     # BT-5421
        el(parameter, "efbc:ParameterNumeric", f"{float(item['weight']):g}")          # BT-541
        el(sub, "cbc:AwardingCriterionTypeCode", item["type"], listName="award-criterion-type")  # BT-539
        texts(sub, "cbc:Name", item["name"])                                         # BT-734
        texts(sub, "cbc:Description", item["name"])                                  # BT-540


def build(content: Mapping[str, Any], customization_id: str) -> bytes:
    """The notice's XML; the same content gives the same bytes."""
    local, namespace = ROOT[content["kind"]]
    nsmap: dict[str | None, str] = {None: namespace}
    nsmap.update(NS)
    root = etree.Element(f"{{{namespace}}}{local}", nsmap=nsmap)
    _root_extension(root, content)
    _header(root, content, customization_id)
    _procedure(root, content)
    _lot(root, content)
    if content["kind"] == "award-notice":
        el(el(root, "cac:TenderResult"), "cbc:AwardDate", _date(content["award"]["decided_at"]))  # BT-1451
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def covered_terms() -> Sequence[str]:
    """The business terms this module writes (for docs and the mapping test)."""
    import re
    from pathlib import Path
    return sorted(set(re.findall(r"# (BT-\d+(?:\([a-z]\))?)", Path(__file__).read_text(encoding="utf-8"))))
