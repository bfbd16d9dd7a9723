"""The first version of the alliance procurement diagrams, written with `layout.py`.

    python bpmn/tools/alliance_diagrams.py            # writes bpmn/alliance_*.bpmn

This scaffold produced the committed diagrams; from then on the .bpmn files are the source of
truth that designers edit in Camunda Modeler or bpmn.io. Re-running it overwrites them, so only
do that on purpose (and carry designers' edits over first). The decision table
bpmn/alliance_rules.dmn is edited by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from layout import Field, Flow, Node, Process, build  # noqa: E402

BPMN_DIR = Path(__file__).resolve().parent.parent
NS = "https://allianssi.example.fi/bpmn/alliance"

ORDERER = ("orderer", "Tilaajat: maakunta ja allianssiin liittyneet kunnat. / The orderers: the region and the "
           "municipalities that joined.")
MUNICIPALITY = ("municipality", "Ehdokaskunta päättää omasta liittymisestään. / A candidate municipality decides "
                "on its own joining.")
UNIT = ("procurement_unit", "Hankintayksikkö: yhteinen (kaikki tilaajat) tai valtuutettu tilaaja. / The procurement "
        "unit: joint (every orderer) or the authorised orderer.")
TENDERER = ("tenderer", "Kukin tarjoaja vain omassa tarjouksessaan. / Each tenderer, on its own tender only.")
STEERING = ("steering_group", "Allianssin johtoryhmä: tilaajat ja palveluntuottaja, päätökset yksimielisiä. / The "
            "alliance steering group: orderers and the producer, deciding unanimously.")
PRODUCER = ("producer", "Sopimuksen saanut palveluntuottaja. / The contracted service producer.")


def F(id: str, type: str, label: str, label_en: str, **kw: object) -> Field:  # noqa: N802 - reads like a form
    return Field(id, type, label, label_en, **kw)  # type: ignore[arg-type]


def req(id: str, type: str, label: str, label_en: str, **kw: object) -> Field:
    return Field(id, type, label, label_en, required=True, **kw)  # type: ignore[arg-type]


def text(id: str, label: str, label_en: str, required: bool = True, **kw: object) -> Field:
    return Field(id, "string", label, label_en, required=required, multiline=True, **kw)  # type: ignore[arg-type]


def user(id: str, name: str, name_en: str, lane: str, col: float, row: int = 0, *, doc: str, doc_en: str,
         phase: str, form: list[Field], due: str | None = None, mi: tuple[str, str] | None = None) -> Node:
    return Node(id, "user", name, lane, col, row, name_en=name_en, doc=doc, doc_en=doc_en, phase=phase,
                form=form, due=due, mi=mi)


def script(id: str, name: str, lane: str, col: float, row: int = 0, *, code: str) -> Node:
    return Node(id, "script", name, lane, col, row, script=code.strip("\n"))


def start(id: str, name: str, lane: str, col: float = 0, row: int = 0) -> Node:
    return Node(id, "start", name, lane, col, row)


def end(id: str, name: str, lane: str, col: float, row: int = 0) -> Node:
    return Node(id, "end", name, lane, col, row)


def gw(id: str, name: str, lane: str, col: float, row: int = 0, default: str | None = None) -> Node:
    return Node(id, "xgw", name, lane, col, row, default=default)


def chain(*ids: str, prefix: str) -> list[Flow]:
    return [Flow(f"{prefix}_{a}_{b}", a, b) for a, b in zip(ids, ids[1:], strict=False)]


# ============================================================================ main process

def main_process() -> Process:
    o, u, s = "orderer", "procurement_unit", "steering_group"
    nodes = [
        Node("start", "start", "Hankinta käynnistetään", o, 0, form=[
            req("title", "string", "Hankinnan nimi", "Title of the procurement"),
            text("description", "Kuvaus", "Description", required=False),
            req("region", "string", "Maakunta (tunnus)", "Region (id)", default="kainuu"),
            req("candidate_municipalities", "string", "Ehdokaskunnat (tunnukset pilkuin eroteltuina)",
                "Candidate municipalities (ids, separated by commas)",
                help="Esim. kajaani, sotkamo, kuhmo", help_en="E.g. kajaani, sotkamo, kuhmo"),
            req("estimated_value", "double", "Ennakoitu arvo (€, alv 0)", "Estimated value (EUR, VAT excluded)",
                min=0),
            req("service_type", "enum", "Palvelutyyppi", "Service type", values=(
                ("services", "Palvelut / services"),
                ("social_health", "Sosiaali- ja terveyspalvelut / social and health services"),
                ("other_specific", "Muut erityiset palvelut / other specific services")))]),
        script("check_start", "Tarkista lähtötiedot", o, 1, code="""
candidate_municipalities = check_start(title, region, candidate_municipalities, estimated_value, service_type)
require_organisations([region], "region")
require_organisations(candidate_municipalities, "municipality")
rules_date = finnish_date(now())
terms = alliance_terms(rules_date)
outcome = None
contract_period = 0
period_results = []
alliance_ended_by_exit = False
exit_record = None
"""),
        Node("strategy", "call", "Strategiavaihe", o, 2, called="alliance_strategy", name_en="Strategy phase"),
        gw("go", "Jatketaanko?", o, 3, default="f_go_no"),
        script("record_no_go", "Kirjaa no-go", o, 4, 1, code='outcome = "no_go"'),
        end("end_no_go", "Ei allianssia (no-go)", o, 5, 1),
        Node("procurement_unit_decision", "call", "Hankintayksikön päätös", o, 4,
             called="alliance_procurement_unit", name_en="Procurement unit decision"),
        script("thresholds", "Hae kynnysarvot", u, 5, code="""
thresholds = procurement_thresholds(service_type, False, rules_date)
"""),
        Node("applicable_rules", "rule", "Sovellettavat säännöt", u, 6, decision="alliance_rules",
             name_en="Applicable rules"),
        Node("negotiation", "call", "Neuvottelumenettely", u, 7, called="alliance_negotiation",
             name_en="Negotiated procedure"),
        gw("tenders_received", "Tarjouksia?", u, 8, default="f_tenders_yes"),
        script("record_no_tenders", "Kirjaa: ei tarjouksia", u, 9, 1, code='outcome = "no_tenders"'),
        end("end_no_tenders", "Hankinta keskeytyi", u, 10, 1),
        Node("decision", "call", "Hankintapäätös ja sopimus", u, 9, called="alliance_decision",
             name_en="Procurement decision and contract"),
        Node("development", "call", "Kehitysvaihe ja exit-portti", s, 10, called="alliance_development",
             name_en="Development phase and exit gate"),
        gw("all_commit", "Kaikki sitoutuvat?", s, 11, default="f_gate_exit"),
        user("wind_up_at_gate", "Allianssin päättäminen exit-portilla", "Ending the alliance at the exit gate",
             s, 12, 2, phase="exit_gate",
             doc="Osapuoli käytti exit-oikeuttaan kehitysvaiheen päättyessä. Allianssi päätetään hallitusti: "
                 "kehitysvaiheen kustannukset selvitetään avoimin kirjoin ja tulokset luovutetaan tilaajille.",
             doc_en="A party used its exit right at the end of the development phase. The alliance ends cleanly: "
                    "development costs are settled on open books and the results handed to the orderers.",
             form=[text("wind_up_report", "Päättämisraportti", "Wind-up report")]),
        script("record_gate_exit", "Kirjaa exit", s, 13, 2, code='outcome = "ended_at_exit_gate"'),
        end("end_gate_exit", "Allianssi päättyi exit-portilla", s, 14, 2),
        Node("implementation", "call", "Toteutusvaiheen sopimuskausi", s, 12, called="alliance_implementation",
             name_en="Implementation phase: one contract period"),
        gw("more_periods", "Uusi kausi?", s, 13, default="f_periods_done"),
        Node("orderer_exit", "boundary", "Tilaaja käyttää exit-oikeutta", attached_to="implementation",
             message="orderer_exit", result_var="orderer_exit", sender_role="orderer", offset=0.75),
        script("record_orderer_exit", "Kirjaa tilaajan exit", s, 13, 1, code="""
exit_record = record_orderer_exit(orderer_exit, orderers, region, orderer_shares)
orderers = exit_record["remaining_orderers"]
orderer_shares = exit_record["shares"]
alliance_parties = parties_of(orderers, contractor)
"""),
        user("settle_orderer_exit", "Eroavan tilaajan osuuden selvitys", "Settling the leaving orderer's share",
             s, 14, 1, phase="implementation",
             doc="Tilaaja on käyttänyt exit-oikeuttaan. Selvittäkää sen osuus kesken olevan sopimuskauden "
                 "kustannuksista avoimin kirjoin ja päättäkää yksimielisesti, jatkuuko allianssi muiden "
                 "tilaajien kesken (maakunnan on pysyttävä mukana).",
             doc_en="An orderer has used its exit right. Settle its share of the current period's costs on open "
                    "books and decide unanimously whether the alliance goes on with the other orderers (the "
                    "region must stay).",
             form=[text("exit_settlement", "Selvitys eroavan tilaajan osuudesta", "Settlement of the leaver's share"),
                   req("alliance_continues", "boolean", "Jatkuuko allianssi muiden tilaajien kesken?",
                       "Does the alliance go on with the other orderers?")]),
        script("decide_continuation", "Jatkuuko allianssi?", s, 15, 1, code="""
alliance_ended_by_exit = not (alliance_continues and exit_record["alliance_can_continue"])
"""),
        gw("continues", "Jatketaan?", s, 16, 1, default="f_exit_end"),
        user("close_out", "Allianssin päättäminen (close-out)", "Close-out", s, 17, phase="closeout",
             doc="Laatikaa loppuraportti: sopimuskausien tulokset, avoimien kirjojen loppuselvitys, "
                 "kannustinten ja riskinjaon toteutuminen ja tilaajakohtaiset kustannukset.",
             doc_en="Write the close-out report: the periods' results, the final open-book accounts, the gain/pain "
                    "share and the costs per orderer.",
             form=[text("closeout_report", "Loppuraportti", "Close-out report")]),
        script("record_close_out", "Laske loppusummat", s, 18, code="""
closeout = close_out(period_results)
outcome = "ended_by_orderer_exit" if alliance_ended_by_exit else "closed"
"""),
        end("end_closed", "Allianssi päättyi", s, 19),
    ]
    flows = [
        *chain("start", "check_start", "strategy", "go", prefix="f"),
        Flow("f_go_yes", "go", "procurement_unit_decision", "go", condition='strategy_outcome == "go"'),
        Flow("f_go_no", "go", "record_no_go", "no-go"),
        Flow("f_no_go_end", "record_no_go", "end_no_go"),
        *chain("procurement_unit_decision", "thresholds", "applicable_rules", "negotiation", "tenders_received",
               prefix="f"),
        Flow("f_tenders_yes", "tenders_received", "decision", "kyllä / yes"),
        Flow("f_tenders_no", "tenders_received", "record_no_tenders", "ei / no",
             condition='negotiation_outcome == "no_tenders"'),
        Flow("f_no_tenders_end", "record_no_tenders", "end_no_tenders"),
        *chain("decision", "development", "all_commit", prefix="f"),
        Flow("f_gate_commit", "all_commit", "implementation", "kaikki / all",
             condition='exit_gate_result["all_commit"]'),
        Flow("f_gate_exit", "all_commit", "wind_up_at_gate", "exit"),
        *chain("wind_up_at_gate", "record_gate_exit", "end_gate_exit", prefix="f"),
        Flow("f_implementation_done", "implementation", "more_periods"),
        Flow("f_next_period", "more_periods", "implementation", "uusi kausi / next period", condition="next_period",
             route="above"),
        Flow("f_periods_done", "more_periods", "close_out", "päättyy / ends"),
        Flow("f_exit", "orderer_exit", "record_orderer_exit"),
        *chain("record_orderer_exit", "settle_orderer_exit", "decide_continuation", "continues", prefix="f"),
        Flow("f_exit_continue", "continues", "implementation", "jatketaan / go on",
             condition="not alliance_ended_by_exit", route="below", channel=8),
        Flow("f_exit_end", "continues", "close_out", "päätetään / end"),
        *chain("close_out", "record_close_out", "end_closed", prefix="f"),
    ]
    return Process("alliance_procurement", "Allianssihankinta", [ORDERER, UNIT, STEERING], nodes, flows,
                   doc="Allianssihankinta neuvottelumenettelyllä strategiavaiheesta sopimuksen päättymiseen. / "
                       "An alliance procurement by the negotiated procedure, from the strategy phase to close-out.")


# ============================================================================ strategy

def strategy_process() -> Process:
    o, m = "orderer", "municipality"
    nodes = [
        start("s_start", "Strategiavaihe alkaa", o),
        script("prepare_joining", "Ehdokaskunnat", o, 1, code="""
municipality_decisions = org_items(candidate_municipalities)
"""),
        user("decide_joining", "Kunnan päätös allianssiin liittymisestä", "The municipality's decision on joining",
             m, 2, phase="strategy", mi=("municipality_decisions", "municipality_decision"),
             doc="Kunta päättää, liittyykö se allianssiin tilaajana. Liittymättä jättäminen on sallittua; "
                 "maakunta on aina mukana. Kirjaa toimielimen päätöksen tunniste.",
             doc_en="The municipality decides whether it joins the alliance as an orderer. Declining is allowed; "
                    "the region always takes part. Record the reference of the body's decision.",
             form=[req("joins", "boolean", "Kunta liittyy allianssiin", "The municipality joins the alliance"),
                   req("decision_reference", "string", "Päätöksen tunniste (esim. Kvalt 12.3.2026 § 15)",
                       "Decision reference (e.g. council 12 Mar 2026 § 15)"),
                   text("decision_notes", "Huomiot", "Notes", required=False)]),
        script("record_orderers", "Liittyneet tilaajat", o, 3, code="""
orderers = joining_orderers(region, municipality_decisions)
declined_municipalities = declined(municipality_decisions)
"""),
        user("assess_alliance_model", "Allianssimallin soveltuvuus ja oikeudelliset reunaehdot",
             "Suitability of the alliance model and the legal limits", o, 4, phase="strategy",
             doc="Tilaajat arvioivat yhdessä, sopiiko allianssimalli niille, ja kirjaavat oikeudelliset "
                 "reunaehdot: järjestämisvastuu säilyy maakunnalla, julkisia hallintotehtäviä ei anneta "
                 "yksityisille tuottajille ja kilpailuneutraliteetti toteutuu.",
             doc_en="The orderers assess together whether the alliance model suits them and record the legal "
                    "limits: organising responsibility stays with the region, no public administrative tasks go "
                    "to private producers, and competition neutrality holds.",
             form=[req("alliance_model_suits", "boolean", "Allianssimalli soveltuu tilaajille",
                       "The alliance model suits the orderers"),
                   text("suitability_assessment", "Soveltuvuusarvio", "Suitability assessment"),
                   req("organising_responsibility_stays", "boolean", "Järjestämisvastuu säilyy maakunnalla",
                       "Organising responsibility stays with the region"),
                   req("no_public_tasks_to_producers", "boolean",
                       "Julkisia hallintotehtäviä ei anneta yksityisille tuottajille",
                       "No public administrative tasks go to private producers"),
                   req("competition_neutrality", "boolean", "Kilpailuneutraliteetti toteutuu",
                       "Competition neutrality holds"),
                   text("legal_checks_notes", "Oikeudellisen arvion huomiot", "Notes on the legal checks",
                        required=False)]),
        script("prepare_votes", "Äänestäjät", o, 5, code="go_votes = org_items(orderers)"),
        user("vote_go", "Go / no-go -päätös", "Go / no-go decision", o, 6, phase="strategy",
             mi=("go_votes", "orderer_vote"),
             doc="Kukin tilaaja päättää, jatketaanko allianssihankintaan. Päätöksen on oltava yksimielinen.",
             doc_en="Each orderer decides whether to go on with the alliance procurement. The decision must be "
                    "unanimous.",
             form=[req("go", "boolean", "Jatketaan allianssihankintaan (go)", "Go on with the alliance (go)"),
                   text("vote_reasoning", "Perustelut", "Reasoning", required=False)]),
        script("decide_strategy", "Yksimielinen go / no-go", o, 7, code="""
strategy = strategy_decision(alliance_model_suits, organising_responsibility_stays,
                             no_public_tasks_to_producers, competition_neutrality, go_votes)
strategy_outcome = "go" if strategy["go"] else "no_go"
"""),
        end("s_end", "Strategiavaihe päättyi", o, 8),
    ]
    flows = chain("s_start", "prepare_joining", "decide_joining", "record_orderers", "assess_alliance_model",
                  "prepare_votes", "vote_go", "decide_strategy", "s_end", prefix="s")
    return Process("alliance_strategy", "Strategiavaihe", [ORDERER, MUNICIPALITY], nodes, flows,
                   doc="Kunnat päättävät liittymisestään, tilaajat arvioivat mallin ja tekevät yksimielisen go / "
                       "no-go -päätöksen. / Municipalities decide on joining; the orderers assess the model and "
                       "decide go / no-go unanimously.")


# ============================================================================ procurement unit

def procurement_unit_process() -> Process:
    o = "orderer"
    nodes = [
        start("u_start", "Hankintayksiköstä päätetään", o),
        user("choose_unit_model", "Hankintayksikön malli", "Procurement unit model", o, 1, phase="procurement_unit",
             doc="Tilaajat päättävät, toimivatko ne yhteisenä hankintayksikkönä (kaikki tilaajat osallistuvat "
                 "hankintapäätöksiin) vai valtuuttavatko yhden tilaajan toimimaan hankintayksikkönä muiden "
                 "puolesta. Anna johtavan tai valtuutettavan tilaajan organisaatiotunnus.",
             doc_en="The orderers decide whether they act as a joint procurement unit (every orderer takes part in "
                    "the procurement decisions) or authorise one of them to act for the others. Give the "
                    "organisation id of the lead or authorised orderer.",
             form=[req("unit_model", "enum", "Hankintayksikkö", "Procurement unit",
                       values=(("joint", "Yhteinen hankintayksikkö / joint unit"),
                               ("delegated", "Valtuutettu tilaaja / one authorised orderer"))),
                   req("lead_orderer", "string", "Johtava tai valtuutettava tilaaja (tunnus)",
                       "Lead or authorised orderer (id)"),
                   text("unit_reasoning", "Perustelut", "Reasoning")]),
        gw("unit_model_gateway", "Malli?", o, 2, default="u_delegated"),
        script("joint_unit", "Yhteinen hankintayksikkö", o, 3, code="""
mandate_requests(orderers, lead_orderer)
procurement_unit = list(orderers)
"""),
        script("prepare_mandates", "Valtuutettavat", o, 3, 1, code="""
mandate_grants = mandate_requests(orderers, lead_orderer)
"""),
        user("grant_mandate", "Valtuutuksen antaminen", "Granting the mandate", o, 4, 1, phase="procurement_unit",
             mi=("mandate_grants", "orderer_vote"),
             doc="Tilaaja päättää, valtuuttaako se ehdotetun tilaajan toimimaan hankintayksikkönä puolestaan.",
             doc_en="The orderer decides whether it authorises the proposed orderer to act as the procurement "
                    "unit on its behalf.",
             form=[req("grants_mandate", "boolean", "Annamme valtuutuksen", "We grant the mandate"),
                   req("mandate_reference", "string", "Valtuutuspäätöksen tunniste", "Reference of the decision")]),
        script("check_mandates", "Kaikki valtuuttavat?", o, 5, 1, code="""
mandate_granted = len(mandate_grants) == 0 or unanimous(mandate_grants, "grants_mandate")
"""),
        gw("mandates_granted", "Valtuutettu?", o, 6, 1, default="u_refused"),
        script("delegated_unit", "Valtuutettu hankintayksikkö", o, 7, 1, code="procurement_unit = [lead_orderer]"),
        gw("unit_chosen", "", o, 8),
        end("u_end", "Hankintayksikkö valittu", o, 9),
    ]
    flows = [
        *chain("u_start", "choose_unit_model", "unit_model_gateway", prefix="u"),
        Flow("u_joint", "unit_model_gateway", "joint_unit", "yhteinen / joint", condition='unit_model == "joint"'),
        Flow("u_delegated", "unit_model_gateway", "prepare_mandates", "valtuutus / delegated"),
        *chain("prepare_mandates", "grant_mandate", "check_mandates", "mandates_granted", prefix="u"),
        Flow("u_granted", "mandates_granted", "delegated_unit", "kyllä / yes", condition="mandate_granted"),
        Flow("u_refused", "mandates_granted", "choose_unit_model", "ei / no", route="below"),
        Flow("u_joint_done", "joint_unit", "unit_chosen"),
        Flow("u_delegated_done", "delegated_unit", "unit_chosen"),
        Flow("u_done", "unit_chosen", "u_end"),
    ]
    return Process("alliance_procurement_unit", "Hankintayksikön päätös", [ORDERER], nodes, flows,
                   doc="Yhteinen hankintayksikkö tai valtuutettu tilaaja. / A joint procurement unit or one "
                       "authorised orderer.")


# ============================================================================ negotiation

def tender_subprocess(id: str, name: str, col: float, collection: str, *, task_id: str, task_name: str,
                      task_name_en: str, closes_at: str, phase: str, doc: str, doc_en: str, form: list[Field],
                      record: str) -> Node:
    """One tenderer's tender (multi-instance over the tenderers), closed by the deadline."""
    p = f"{id}_"
    children = [
        start(f"{p}start", "", "tenderer"),
        user(task_id, task_name, task_name_en, "tenderer", 1, phase=phase, doc=doc, doc_en=doc_en, form=form,
             due=closes_at),
        Node(f"{p}deadline", "boundary", "Määräaika umpeutui", attached_to=task_id, timer=closes_at),
        script(f"{p}record", "Kirjaa tarjous", "tenderer", 2, code=record),
        script(f"{p}missing", "Kirjaa: ei tarjousta", "tenderer", 2, 1, code="""
tender = {"organisation": tender["organisation"], "submitted": False}
"""),
        end(f"{p}end", "", "tenderer", 3),
    ]
    inner = [
        Flow(f"{p}f1", f"{p}start", task_id),
        Flow(f"{p}f2", task_id, f"{p}record"),
        Flow(f"{p}f3", f"{p}record", f"{p}end"),
        Flow(f"{p}f4", f"{p}deadline", f"{p}missing"),
        Flow(f"{p}f5", f"{p}missing", f"{p}end"),
    ]
    return Node(id, "sub", name, "tenderer", col, mi=(collection, "tender"), span=4, children=children,
                inner_flows=inner)


def negotiation_process() -> Process:
    u = "procurement_unit"
    nodes = [
        start("n_start", "Neuvottelumenettely alkaa", u),
        user("record_procedure_ground", "Neuvottelumenettelyn peruste (§ 34)", "Ground for the negotiated procedure "
             "(§ 34)", u, 1, phase="notice",
             doc="Kirjaa ennen julkaisua hankintalain 34 §:n peruste neuvottelumenettelyn käytölle ja sen perustelut.",
             doc_en="Before anything is published, record the ground in § 34 of the Procurement Act for using the "
                    "negotiated procedure, and its justification.",
             form=[req("procedure_ground", "enum", "Peruste", "Ground", values=(
                 ("34_1_1", "Tarpeet eivät täyty ilman valmiiden ratkaisujen mukauttamista / needs "
                                       "cannot be met without adapting available solutions"),
                 ("34_1_2", "Hankintaan sisältyy suunnittelua tai innovatiivisia ratkaisuja / "
                                          "includes design or innovative solutions"),
                 ("34_1_3", "Luonne, monimutkaisuus tai riskit edellyttävät neuvotteluja / "
                                              "nature, complexity or risks require negotiation"),
                 ("34_1_4", "Teknisiä eritelmiä ei voi laatia riittävän tarkasti / technical "
                                                "specifications cannot be set precisely enough"),
                 ("34_1_5", "Aiemmassa menettelyssä vain tarjouskilpailun vastaisia tai "
                                       "hyväksymättömiä tarjouksia / only irregular or unacceptable tenders"))),
                   text("ground_justification", "Perustelut", "Justification")]),
        user("publish_contract_notice", "Hankintailmoitus HILMAan", "Contract notice to HILMA", u, 2, phase="notice",
             doc="Kuvaa tarpeet, vähimmäisvaatimukset ja vertailuperusteet. Vähimmäisvaatimukset ja "
                 "vertailuperusteet lukitaan julkaisussa: niistä ei neuvotella. Osallistumishakemusten määräaika on "
                 "vähintään 30 päivää ilmoituksen lähettämisestä (kiireellisenä 15).",
             doc_en="Describe the needs, the minimum requirements and the award criteria. The minimum requirements "
                    "and award criteria are locked when published: they are not negotiated. Requests to "
                    "participate: at least 30 days from sending the notice (15 if urgent).",
             form=[text("needs", "Tarpeiden kuvaus", "Description of the needs"),
                   text("minimum_requirements", "Vähimmäisvaatimukset", "Minimum requirements"),
                   text("award_criteria", "Vertailuperusteet ja painoarvot", "Award criteria and weights"),
                   req("staged_reduction", "boolean", "Neuvottelut voidaan käydä vaiheittain tarjoajia karsien",
                       "Negotiations may run in stages that reduce the tenderers"),
                   req("electronic_tenders", "boolean", "Tarjoukset voi jättää sähköisesti",
                       "Tenders may be submitted electronically"),
                   req("urgent", "boolean", "Kiireellinen (lyhennetyt määräajat)", "Urgent (shortened periods)"),
                   text("timetable_justification", "Määräaikojen perustelut (ja kiireen peruste)",
                        "Reasoning for the periods (and for urgency)"),
                   req("notice_sent_on", "date", "Ilmoitus lähetetty", "Notice sent on"),
                   req("participation_deadline", "date", "Osallistumishakemusten määräpäivä",
                       "Deadline for requests to participate"),
                   req("hilma_notice_id", "string", "HILMA-ilmoituksen tunniste", "HILMA notice id")]),
        script("lock_contract_notice", "Lukitse ehdot, tarkista määräaika", u, 3, code="""
locked_terms = lock_terms(minimum_requirements, award_criteria, staged_reduction)
participation_period = check_period("participation", notice_sent_on, participation_deadline,
                                    minimum_periods_apply, electronic_tenders, urgent, timetable_justification)
participation_closes_at = participation_period["closes_at"]
negotiation_outcome = "open"
"""),
        Node("participation_period", "catch", "Osallistumisaika päättyy", u, 4, timer="participation_closes_at"),
        user("register_requests", "Osallistumishakemusten kirjaus", "Registering requests to participate", u, 5,
             phase="selection",
             doc="Kirjaa määräajassa saapuneet osallistumishakemukset: hakijoiden organisaatiotunnukset pilkuin "
                 "erotettuina.",
             doc_en="Record the requests to participate received in time: the applicants' organisation ids, "
                    "separated by commas.",
             form=[req("applicants", "string", "Hakijat (tunnukset)", "Applicants (ids)")]),
        user("qualify_candidates", "Soveltuvuus ja ehdokkaiden valinta", "Qualification and selection", u, 6,
             phase="selection",
             doc="Arvioi hakijoiden soveltuvuus ja valitse kutsuttavat. Vähintään kolme on kutsuttava, jos "
                 "soveltuvia on niin monta; kaikki kutsutaan samanaikaisesti ja kirjallisesti. Kirjaa "
                 "poissulkemisten perustelut (§ 124 selostus).",
             doc_en="Assess the applicants and select whom to invite. At least three must be invited if that many "
                    "are suitable; all are invited at the same time and in writing. Record the reasons for "
                    "exclusions (§ 124 report).",
             form=[req("suitable_candidates", "string", "Soveltuvat ehdokkaat (tunnukset)",
                       "Suitable candidates (ids)"),
                   req("invited_candidates", "string", "Kutsuttavat ehdokkaat (tunnukset)",
                       "Candidates to invite (ids)"),
                   text("selection_report", "Valinnan ja poissulkemisten perustelut",
                        "Reasons for the selection and exclusions")]),
        script("check_candidate_selection", "Tarkista valinta", u, 7, code="""
selection = check_selection(applicants, suitable_candidates, invited_candidates, terms["minimum_invited_candidates"])
require_organisations(selection["applicants"], "producer")
tenderers = selection["invited"]
dropped_tenderers = []
communications = []
negotiation_round = 0
"""),
        gw("fewer_than_three", "Alle kolme?", u, 8, default="n_enough"),
        user("justify_fewer_candidates", "Perustelu: alle kolme ehdokasta", "Justifying fewer than three candidates",
             u, 9, 1, phase="selection",
             doc="Soveltuvia ehdokkaita on alle kolme. Menettelyä voi jatkaa, mutta perustele, miksi todellinen "
                 "kilpailu silti toteutuu.",
             doc_en="Fewer than three candidates are suitable. The procedure may go on, but justify why genuine "
                    "competition is still ensured.",
             form=[text("fewer_candidates_justification", "Perustelu", "Justification")]),
        gw("selection_done", "", u, 10),
        user("send_invitations", "Tarjouspyyntö kutsutuille", "Invitation to tender", u, 11, phase="selection",
             doc="Lähetä tarjouspyyntö kaikille valituille samanaikaisesti. Alustavien tarjousten määräaika on "
                 "vähintään 30 päivää (sähköisesti 25, kiireellisenä 10).",
             doc_en="Send the invitation to all selected candidates at the same time. Initial tenders: at least "
                    "30 days (25 if electronic, 10 if urgent).",
             form=[req("invitation_sent_on", "date", "Tarjouspyyntö lähetetty", "Invitation sent on"),
                   req("initial_tenders_deadline", "date", "Alustavien tarjousten määräpäivä",
                       "Deadline for initial tenders"),
                   req("invitation_reference", "string", "Tarjouspyynnön tunniste", "Invitation reference")]),
        script("check_initial_period", "Tarkista määräaika", u, 12, code="""
initial_tender_period = check_period("initial_tenders", invitation_sent_on, initial_tenders_deadline,
                                     minimum_periods_apply, electronic_tenders, urgent, timetable_justification)
initial_tenders_closes_at = initial_tender_period["closes_at"]
initial_tenders = org_items(tenderers)
communications = communications + [communication("invitation", invitation_reference, tenderers, now())]
"""),
        tender_subprocess(
            "initial_tenders_round", "Alustavat tarjoukset", 13, "initial_tenders",
            task_id="submit_initial_tender", task_name="Alustavan tarjouksen jättäminen",
            task_name_en="Submitting the initial tender", closes_at="initial_tenders_closes_at", phase="tenders",
            doc="Jätä alustava tarjouksesi ennen määräaikaa. Tarjouksesi tiedot näkyvät vain hankintayksikölle.",
            doc_en="Submit your initial tender before the deadline. Only the procurement unit sees it.",
            form=[req("tender_reference", "string", "Tarjousasiakirjan tunniste", "Tender document reference"),
                  req("fee_percent", "double", "Palkkio-osuus (%)", "Fee (%)", min=0, max=100),
                  text("tender_summary", "Tiivistelmä", "Summary", required=False)],
            record="""
tender = {"organisation": tender["organisation"], "submitted": True,
          "tender_reference": tender_reference, "fee_percent": fee_percent}
"""),
        Node("initial_tenders_closed", "catch", "Tarjousaika päättyy", u, 17, timer="initial_tenders_closes_at"),
        script("record_initial_tenders", "Tarjouksen jättäneet", u, 18, code="""
tenderers = submitted_tenderers(initial_tenders)
"""),
        gw("any_initial_tenders", "Tarjouksia?", u, 19, default="n_initial_yes"),
        script("no_initial_tenders", "Ei tarjouksia", u, 20, 2, code='negotiation_outcome = "no_tenders"'),
        end("n_end_no_initial", "Ei tarjouksia", u, 21, 2),
        script("open_round", "Uusi neuvottelukierros", u, 20, code="""
negotiation_round = negotiation_round + 1
round_tenders = org_items(tenderers)
round_assessments = org_items(tenderers)
"""),
        user("plan_round", "Neuvottelukierroksen valmistelu", "Preparing the negotiation round", u, 21,
             phase="negotiation",
             doc="Kaikki jäljellä olevat tarjoajat saavat saman tiedon samaan aikaan. Asiakirjojen muutokset "
                 "lähetetään kaikille kirjallisesti, ja tarkistetuille tarjouksille annetaan riittävä aika. "
                 "Vähimmäisvaatimuksista ja vertailuperusteista ei neuvotella.",
             doc_en="Every remaining tenderer gets the same information at the same time. Changes to the "
                    "documents go to all of them in writing, with time to revise. The minimum requirements and "
                    "award criteria are not negotiated.",
             form=[text("round_agenda", "Kierroksen asialista (sama kaikille)", "Round agenda (same for all)"),
                   req("documents_changed", "boolean", "Asiakirjoja muutetaan", "The documents change"),
                   text("document_changes", "Muutokset asiakirjoihin", "Changes to the documents", required=False),
                   req("revision_deadline", "date", "Tarkistettujen tarjousten määräpäivä",
                       "Deadline for revised tenders")]),
        script("check_round_deadline", "Tarkista määräaika", u, 22, code="""
round_deadline = check_future_deadline(revision_deadline, finnish_date(now()))
round_closes_at = round_deadline["closes_at"]
round_subject = "Neuvottelukierros " + str(negotiation_round) + " / negotiation round " + str(negotiation_round)
communications = communications + [communication("information", round_subject, tenderers, now())]
if documents_changed:
    communications = communications + [communication("document_change", round_subject, tenderers, now())]
"""),
        tender_subprocess(
            "negotiation_round", "Neuvottelut tarjoajittain", 23, "round_tenders",
            task_id="submit_revised_tender", task_name="Neuvottelu ja tarkistettu tarjous",
            task_name_en="Negotiation and revised tender", closes_at="round_closes_at", phase="negotiation",
            doc="Neuvottelukierros: osallistu neuvotteluun ja jätä tarkistettu tarjous ennen määräaikaa. Et näe "
                "muiden tarjoajien tietoja.",
            doc_en="Negotiation round: take part in the negotiation and submit a revised tender before the "
                   "deadline. You do not see other tenderers' information.",
            form=[req("revised_tender_reference", "string", "Tarkistetun tarjouksen tunniste",
                      "Revised tender reference"),
                  req("fee_percent", "double", "Palkkio-osuus (%)", "Fee (%)", min=0, max=100),
                  text("negotiation_questions", "Kysymykset ja huomiot", "Questions and remarks", required=False)],
            record="""
tender = {"organisation": tender["organisation"], "submitted": True, "round": negotiation_round,
          "tender_reference": revised_tender_reference, "fee_percent": fee_percent}
"""),
        Node("round_closed", "catch", "Kierroksen määräaika päättyy", u, 27, timer="round_closes_at"),
        user("assess_round", "Kierroksen arviointi tarjoajittain", "Assessing the round, tenderer by tenderer", u, 28,
             phase="negotiation", mi=("round_assessments", "assessment"),
             doc="Arvioi tarjoajan tarkistettu tarjous julkaistujen vertailuperusteiden mukaan. Tarjoajan voi karsia "
                 "vain, jos hankintailmoitus salli vaiheittaisen karsinnan.",
             doc_en="Assess the tenderer's revised tender by the published award criteria. A tenderer may be "
                    "dropped only if the contract notice allowed staged reduction.",
             form=[req("continues", "boolean", "Tarjoaja jatkaa seuraavaan vaiheeseen",
                       "The tenderer goes on to the next stage"),
                   text("assessment_reasoning", "Perustelu vertailuperusteiden mukaan",
                        "Reasoning by the award criteria")]),
        script("apply_round_reduction", "Karsinta", u, 29, code="""
reduction = apply_reduction(tenderers, round_assessments, locked_terms["staged_reduction"], negotiation_round,
                            now())
tenderers = reduction["remaining"]
dropped_tenderers = dropped_tenderers + reduction["dropped"]
"""),
        user("conclude_round", "Neuvottelukierroksen päättäminen", "Concluding the negotiation round", u, 30,
             phase="negotiation",
             doc="Päätä, käydäänkö uusi neuvottelukierros vai pyydetäänkö lopulliset tarjoukset.",
             doc_en="Decide whether to hold another negotiation round or to request final tenders.",
             form=[text("round_summary", "Kierroksen yhteenveto", "Summary of the round"),
                   req("another_round", "boolean", "Uusi neuvottelukierros", "Another negotiation round")]),
        gw("more_rounds", "Uusi kierros?", u, 31, default="n_final"),
        user("request_final_tenders", "Lopullisten tarjousten pyyntö", "Request for final tenders", u, 32,
             phase="final_tenders",
             doc="Pyydä lopulliset tarjoukset kaikilta jäljellä olevilta tarjoajilta yhteisellä määräajalla. "
                 "Lopullisista tarjouksista ei neuvotella.",
             doc_en="Request final tenders from every remaining tenderer with one common deadline. Final tenders "
                    "are not negotiated.",
             form=[req("final_request_sent_on", "date", "Pyyntö lähetetty", "Request sent on"),
                   req("final_tenders_deadline", "date", "Lopullisten tarjousten määräpäivä",
                       "Deadline for final tenders"),
                   req("final_request_reference", "string", "Pyynnön tunniste", "Request reference")]),
        script("prepare_final_tenders", "Tarkista ehdot ja määräaika", u, 33, code="""
verify_terms(locked_terms)
final_tender_period = tender_deadline(final_request_sent_on, final_tenders_deadline)
final_tenders_closes_at = final_tender_period["closes_at"]
final_tenders = org_items(tenderers)
communications = communications + [communication("invitation", final_request_reference, tenderers, now())]
"""),
        tender_subprocess(
            "final_tenders_round", "Lopulliset tarjoukset", 34, "final_tenders",
            task_id="submit_final_tender", task_name="Lopullisen tarjouksen jättäminen",
            task_name_en="Submitting the final tender", closes_at="final_tenders_closes_at", phase="final_tenders",
            doc="Jätä lopullinen tarjouksesi ennen yhteistä määräaikaa. Lopullisesta tarjouksesta ei neuvotella.",
            doc_en="Submit your final tender before the common deadline. Final tenders are not negotiated.",
            form=[req("final_tender_reference", "string", "Lopullisen tarjouksen tunniste", "Final tender reference"),
                  req("fee_percent", "double", "Palkkio-osuus (%)", "Fee (%)", min=0, max=100),
                  req("cost_items_price", "double", "Valittujen kustannuserien hinta (€)", "Price of the chosen cost "
                      "items (EUR)", min=0)],
            record="""
tender = {"organisation": tender["organisation"], "submitted": True, "tender_reference": final_tender_reference,
          "fee_percent": fee_percent, "cost_items_price": cost_items_price}
"""),
        Node("final_tenders_closed", "catch", "Tarjousaika päättyy", u, 38, timer="final_tenders_closes_at"),
        script("prepare_evaluation", "Vertailtavat tarjoukset", u, 39, code="""
evaluations = submitted_tenders(final_tenders)
"""),
        gw("any_final_tenders", "Tarjouksia?", u, 40, default="n_final_yes"),
        script("no_final_tenders", "Ei lopullisia tarjouksia", u, 41, 2, code='negotiation_outcome = "no_tenders"'),
        end("n_end_no_final", "Ei tarjouksia", u, 42, 2),
        user("evaluate_final_tender", "Lopullisen tarjouksen vertailu", "Evaluating a final tender", u, 41,
             phase="evaluation", mi=("evaluations", "evaluation"),
             doc="Pisteytä tarjous julkaistujen vertailuperusteiden mukaan: laatu (kyvykkyys, haastattelut, "
                 "allianssityöpajat) ja hintatekijät (palkkio-%, valitut kustannuserät).",
             doc_en="Score the tender by the published award criteria: quality (capability, interviews, alliance "
                    "workshops) and the price components (fee %, chosen cost items).",
             form=[req("quality_points", "double", "Laatupisteet", "Quality points", min=0, max=100),
                   req("price_points", "double", "Hintapisteet", "Price points", min=0, max=100),
                   text("evaluation_notes", "Perustelut", "Reasoning", required=False)]),
        script("rank_final_tenders", "Paremmuusjärjestys", u, 42, code="""
ranking = rank_tenders(evaluations)
winner = ranking[0]["organisation"]
negotiation_outcome = "evaluated"
"""),
        user("approve_evaluation", "Vertailun hyväksyminen", "Approving the evaluation", u, 43, phase="evaluation",
             doc="Tarkista paremmuusjärjestys ja kirjaa vertailuraportti.",
             doc_en="Check the ranking and record the evaluation report.",
             form=[text("evaluation_report", "Vertailuraportti", "Evaluation report")]),
        end("n_end", "Tarjoukset vertailtu", u, 44),
    ]
    flows = [
        *chain("n_start", "record_procedure_ground", "publish_contract_notice", "lock_contract_notice",
               "participation_period", "register_requests", "qualify_candidates", "check_candidate_selection",
               "fewer_than_three", prefix="n"),
        Flow("n_fewer", "fewer_than_three", "justify_fewer_candidates", "alle 3 / fewer than 3",
             condition='selection["fewer_than_minimum"]'),
        Flow("n_enough", "fewer_than_three", "selection_done", "vähintään 3 / at least 3"),
        Flow("n_justified", "justify_fewer_candidates", "selection_done"),
        *chain("selection_done", "send_invitations", "check_initial_period", "initial_tenders_round",
               "initial_tenders_closed", "record_initial_tenders", "any_initial_tenders", prefix="n"),
        Flow("n_initial_none", "any_initial_tenders", "no_initial_tenders", "ei / none",
             condition="len(tenderers) == 0"),
        Flow("n_initial_yes", "any_initial_tenders", "open_round", "kyllä / yes"),
        Flow("n_no_initial_end", "no_initial_tenders", "n_end_no_initial"),
        *chain("open_round", "plan_round", "check_round_deadline", "negotiation_round", "round_closed", "assess_round",
               "apply_round_reduction", "conclude_round", "more_rounds", prefix="n"),
        Flow("n_again", "more_rounds", "open_round", "uusi kierros / another round", condition="another_round",
             route="below", channel=40),
        Flow("n_final", "more_rounds", "request_final_tenders", "lopulliset / final"),
        *chain("request_final_tenders", "prepare_final_tenders", "final_tenders_round", "final_tenders_closed",
               "prepare_evaluation", "any_final_tenders", prefix="n"),
        Flow("n_final_none", "any_final_tenders", "no_final_tenders", "ei / none",
             condition="len(evaluations) == 0"),
        Flow("n_final_yes", "any_final_tenders", "evaluate_final_tender", "kyllä / yes"),
        Flow("n_no_final_end", "no_final_tenders", "n_end_no_final"),
        *chain("evaluate_final_tender", "rank_final_tenders", "approve_evaluation", "n_end", prefix="n"),
    ]
    return Process("alliance_negotiation", "Neuvottelumenettely", [UNIT, TENDERER], nodes, flows,
                   doc="Hankintalain 34–35 § neuvottelumenettely: ilmoitus, valinta, alustavat tarjoukset, "
                       "neuvottelukierrokset, lopulliset tarjoukset ja vertailu. / The negotiated procedure: notice, "
                       "selection, initial tenders, negotiation rounds, final tenders and evaluation.")


# ============================================================================ decision

def decision_process() -> Process:
    u = "procurement_unit"
    nodes = [
        start("d_start", "Päätösvaihe alkaa", u),
        user("draft_decision", "Hankintapäätös", "Procurement decision", u, 1, phase="decision",
             doc="Laadi kirjallinen ja perusteltu hankintapäätös (§ 123), jossa on kunkin tarjoajan sijoitus.",
             doc_en="Write the procurement decision (§ 123), in writing and reasoned, with each tenderer's ranking.",
             form=[text("decision_reasoning", "Päätöksen perustelut", "Reasoning of the decision"),
                   req("decision_date", "date", "Päätöspäivä", "Date of the decision")]),
        gw("joint_decision", "Yhteinen yksikkö?", u, 2, default="d_single"),
        script("prepare_unit_votes", "Päättäjät", u, 3, 1, code="unit_votes = org_items(procurement_unit)"),
        user("approve_decision", "Hankintapäätöksen hyväksyminen", "Approving the procurement decision", u, 4, 1,
             phase="decision", mi=("unit_votes", "unit_vote"),
             doc="Yhteisen hankintayksikön päätös on yksimielinen: kukin tilaaja hyväksyy päätöksen omalta "
                 "osaltaan.",
             doc_en="A joint procurement unit decides unanimously: each orderer approves the decision for itself.",
             form=[req("approves", "boolean", "Hyväksymme päätöksen", "We approve the decision"),
                   text("approval_remarks", "Huomiot", "Remarks", required=False)]),
        script("tally_unit_votes", "Yksimielinen?", u, 5, 1, code="""
decision_unanimous = unanimous(unit_votes, "approves")
"""),
        gw("unanimous_decision", "Yksimielinen?", u, 6, 1, default="d_not_unanimous"),
        gw("decision_made", "", u, 7),
        user("serve_decision", "Päätöksen tiedoksianto", "Serving the decision", u, 8, phase="decision",
             doc="Anna päätös tiedoksi kaikille osallistujille valitusosoituksen ja oikaisuohjeen kanssa. Sähköisesti "
                 "tiedoksianto katsotaan saaduksi, kun viesti on käytettävissä; kirjeitse seitsemäntenä päivänä "
                 "lähettämisestä.",
             doc_en="Serve the decision on every participant with appeal and correction instructions. Sent "
                    "electronically it counts as received when available; by post, on the 7th day after sending.",
             form=[req("decision_served_on", "date", "Tiedoksianto lähetetty", "Served on"),
                   req("served_by_post", "boolean", "Lähetetty kirjeitse", "Sent by post"),
                   req("decision_document", "string", "Päätösasiakirjan tunniste", "Decision document reference"),
                   req("appeal_instructions_attached", "boolean", "Valitusosoitus liitetty",
                       "Appeal instructions attached"),
                   req("correction_instructions_attached", "boolean", "Oikaisuohje liitetty",
                       "Correction instructions attached")]),
        script("compute_standstill", "Odotusaika ja muutoksenhakuajat", u, 9, code="""
decision_service = serve_decision(decision_served_on, served_by_post, appeal_instructions_attached,
                                  correction_instructions_attached, standstill_applies)
standstill_ends_at = decision_service["standstill_ends_at"]
decision_served_to = selection["applicants"]
communications = communications + [communication("result", decision_document, decision_served_to, now())]
"""),
        gw("standstill_gateway", "Odotusaika?", u, 10, default="d_no_standstill"),
        Node("standstill", "sub", "Odotusaika", u, 11, span=2, name_en="Standstill", children=[
            start("standstill_start", "", u),
            Node("standstill_over", "catch", "Odotusaika päättyy", u, 1, timer="standstill_ends_at"),
            end("standstill_end", "", u, 2),
        ], inner_flows=[Flow("d_standstill_wait", "standstill_start", "standstill_over"),
                        Flow("d_standstill_done", "standstill_over", "standstill_end")]),
        Node("appeal_received", "boundary", "Valitus markkinaoikeuteen", attached_to="standstill",
             message="market_court_appeal", result_var="market_court_appeal", sender_role="procurement_unit",
             offset=0.2),
        Node("correction_request_received", "boundary", "Hankintaoikaisuvaatimus", attached_to="standstill",
             message="correction_request", result_var="correction_request", sender_role="procurement_unit",
             offset=0.55),
        user("handle_correction_request", "Hankintaoikaisuvaatimuksen käsittely", "Handling the correction request",
             u, 13, 1, phase="standstill",
             doc="Sopimusta ei tehdä ennen kuin vaatimus on ratkaistu. Hylkää vaatimus tai korjaa päätös "
                 "(korjattu päätös annetaan uudelleen tiedoksi).",
             doc_en="No contract is signed until the request is resolved. Reject the request or correct the "
                    "decision (a corrected decision is served again).",
             form=[req("correction_outcome", "enum", "Ratkaisu", "Outcome", values=(
                 ("rejected", "Vaatimus hylätään / request rejected"),
                 ("decision_corrected", "Päätös korjataan / decision corrected"))),
                   text("correction_reasoning", "Perustelut", "Reasoning")]),
        gw("correction_outcome_gateway", "Korjataanko?", u, 14, 1, default="d_correction_rejected"),
        Node("ruling_received", "catch", "Markkinaoikeuden ratkaisu", u, 12, 2,
             message="market_court_ruling", result_var="market_court_ruling", sender_role="procurement_unit"),
        gw("ruling_gateway", "Ratkaisu?", u, 13, 2, default="d_appeal_dismissed"),
        gw("may_sign", "", u, 15),
        user("sign_contract", "Kehitysvaiheen allianssisopimus", "Development-phase alliance agreement", u, 16,
             phase="contract",
             doc="Allekirjoita kehitysvaiheen allianssisopimus (KAS) voittaneen tarjoajan kanssa odotusajan "
                 "päätyttyä.",
             doc_en="Sign the development-phase alliance agreement with the winning tenderer after the standstill.",
             form=[req("contract_signed_on", "date", "Allekirjoitettu", "Signed on"),
                   req("contract_reference", "string", "Sopimuksen tunniste", "Contract reference")]),
        script("record_contract", "Kirjaa sopimus", u, 17, code="""
contract = sign_contract(contract_signed_on, decision_service, winner)
award_notice_due = contract["award_notice_due"]
contractor = winner
alliance_parties = parties_of(orderers, contractor)
contractor_fee_percent = fee_percent_of(final_tenders, contractor)
"""),
        Node("after_signing", "pgw", "", u, 18),
        user("publish_award_notice", "Jälki-ilmoitus HILMAan", "Contract award notice to HILMA", u, 19,
             phase="contract", due="award_notice_due",
             doc="Lähetä jälki-ilmoitus HILMAan 30 päivän kuluessa sopimuksen tekemisestä.",
             doc_en="Send the contract award notice to HILMA within 30 days of signing.",
             form=[req("award_notice_id", "string", "Jälki-ilmoituksen tunniste", "Award notice id"),
                   req("award_notice_published_on", "date", "Lähetetty", "Sent on")]),
        script("record_award_notice_sent", "Kirjaa jälki-ilmoitus", u, 20, code="""
award_notice = record_award_notice(award_notice_published_on, award_notice_due)
"""),
        user("write_procedure_report", "Selostus menettelystä (§ 124)", "Report on the procedure (§ 124)", u, 19, 1,
             phase="contract",
             doc="Laadi selostus: valitut ja poissuljetut ehdokkaat ja tarjoajat perusteluineen.",
             doc_en="Write the report: candidates and tenderers chosen or excluded, with reasons.",
             form=[text("procedure_report", "Selostus", "Report")]),
        Node("reported", "pgw", "", u, 21),
        end("d_end", "Sopimus tehty", u, 22),
    ]
    flows = [
        *chain("d_start", "draft_decision", "joint_decision", prefix="d"),
        Flow("d_joint", "joint_decision", "prepare_unit_votes", "yhteinen / joint",
             condition='unit_model == "joint" and len(procurement_unit) > 1'),
        Flow("d_single", "joint_decision", "decision_made", "valtuutettu / delegated"),
        *chain("prepare_unit_votes", "approve_decision", "tally_unit_votes", "unanimous_decision", prefix="d"),
        Flow("d_unanimous", "unanimous_decision", "decision_made", "kyllä / yes", condition="decision_unanimous"),
        Flow("d_not_unanimous", "unanimous_decision", "draft_decision", "ei / no", route="below"),
        *chain("decision_made", "serve_decision", "compute_standstill", "standstill_gateway", prefix="d"),
        Flow("d_standstill", "standstill_gateway", "standstill", "kyllä / yes", condition="standstill_applies"),
        Flow("d_no_standstill", "standstill_gateway", "may_sign", "ei / no", route="above", channel=55),
        Flow("d_standstill_over", "standstill", "may_sign"),
        Flow("d_correction", "correction_request_received", "handle_correction_request"),
        Flow("d_correction_done", "handle_correction_request", "correction_outcome_gateway"),
        Flow("d_correction_rejected", "correction_outcome_gateway", "standstill", "hylätty / rejected",
             route="above", channel=12),
        Flow("d_corrected", "correction_outcome_gateway", "draft_decision", "korjattu / corrected",
             condition='correction_outcome == "decision_corrected"', route="below", channel=155),
        Flow("d_appeal", "appeal_received", "ruling_received"),
        Flow("d_ruling", "ruling_received", "ruling_gateway"),
        Flow("d_appeal_dismissed", "ruling_gateway", "may_sign", "hylätty / dismissed"),
        Flow("d_annulled", "ruling_gateway", "draft_decision", "kumottu / annulled",
             condition='market_court_ruling["outcome"] == "annulled"', route="below", channel=10),
        *chain("may_sign", "sign_contract", "record_contract", "after_signing", prefix="d"),
        Flow("d_notice", "after_signing", "publish_award_notice"),
        Flow("d_report", "after_signing", "write_procedure_report"),
        Flow("d_notice_sent", "publish_award_notice", "record_award_notice_sent"),
        Flow("d_notice_done", "record_award_notice_sent", "reported"),
        Flow("d_report_done", "write_procedure_report", "reported"),
        Flow("d_done", "reported", "d_end"),
    ]
    return Process("alliance_decision", "Hankintapäätös ja sopimus", [UNIT], nodes, flows,
                   doc="Hankintapäätös, tiedoksianto, odotusaika, hankintaoikaisu ja markkinaoikeus, sopimus ja "
                       "jälki-ilmoitus. / Decision, service, standstill, correction and appeal, contract and award "
                       "notice.")


# ============================================================================ development phase and exit gate

def development_process() -> Process:
    s = "steering_group"
    nodes = [
        start("k_start", "Kehitysvaihe alkaa", s),
        user("set_up_alliance", "Yhteisen organisaation perustaminen", "Setting up the joint organisation", s, 1,
             phase="development",
             doc="Perustakaa allianssin yhteinen organisaatio ja johtoryhmä. Tilaajien ja tuottajien roolit "
                 "pysyvät erillään; kunkin tilaajan budjetti pysyy omanaan.",
             doc_en="Set up the alliance's joint organisation and steering group. The roles of orderers and "
                    "producers stay separate; each orderer's budget stays its own.",
             form=[text("joint_organisation", "Yhteinen organisaatio", "Joint organisation"),
                   text("steering_group_members", "Johtoryhmän jäsenet", "Steering group members")]),
        user("agree_target_cost", "Palveluratkaisu ja tavoitekustannus", "Service solution and target cost", s, 2,
             phase="development",
             doc="Kehittäkää palveluratkaisu ja sopikaa avoimin kirjoin tavoitekustannus, tavoitteet, "
                 "tulosmittarit, tulospalkkiopotti ja tilaajien kustannusosuudet (esim. 'kainuu: 40, kajaani: 60').",
             doc_en="Develop the service solution and agree on open books the target cost, the objectives, the "
                    "result metrics, the result bonus pool and the orderers' cost shares (e.g. "
                    "'kainuu: 40, kajaani: 60').",
             form=[text("service_solution", "Palveluratkaisu", "Service solution"),
                   req("target_cost", "double", "Tavoitekustannus (€ / kausi)", "Target cost (EUR / period)", min=0),
                   req("bonus_pool", "double", "Tulospalkkiopotti (€ / kausi)", "Result bonus pool (EUR / period)",
                       min=0),
                   text("objectives", "Tavoitteet", "Objectives"),
                   text("result_metrics", "Tulosmittarit ja avaintulosalueet", "Result metrics and key result areas"),
                   req("cost_shares", "string", "Tilaajien kustannusosuudet (%)", "Orderers' cost shares (%)")]),
        script("record_targets", "Kustannusosuudet", s, 3, code="""
orderer_shares = parse_cost_shares(cost_shares, orderers)
exit_gate_decisions = org_items(alliance_parties)
"""),
        user("commit_or_exit", "Sitoutuminen toteutusvaiheeseen (exit-portti)", "Commitment to implementation (exit "
             "gate)", s, 4, phase="exit_gate", mi=("exit_gate_decisions", "party_decision"),
             doc="Kehitysvaiheen päättyessä jokaisella osapuolella on exit-oikeus. Kehitysvaihe päättyy vain, jos "
                 "kaikki osapuolet sitoutuvat toteutusvaiheeseen.",
             doc_en="When the development phase ends every party has an exit right. The phase ends only if every "
                    "party commits to the implementation phase.",
             form=[req("commits", "boolean", "Sitoudumme toteutusvaiheeseen", "We commit to the implementation phase"),
                   text("commitment_reasoning", "Perustelut", "Reasoning")]),
        script("evaluate_exit_gate", "Exit-portin tulos", s, 5, code="""
exit_gate_result = exit_gate(exit_gate_decisions)
"""),
        end("k_end", "Kehitysvaihe päättyi", s, 6),
    ]
    flows = chain("k_start", "set_up_alliance", "agree_target_cost", "record_targets", "commit_or_exit",
                  "evaluate_exit_gate", "k_end", prefix="k")
    return Process("alliance_development", "Kehitysvaihe ja exit-portti", [STEERING], nodes, flows,
                   doc="Kehitysvaiheen allianssisopimus (KAS): yhteinen organisaatio, palveluratkaisu, "
                       "tavoitekustannus ja exit-portti. / The development phase and the exit gate.")


# ============================================================================ implementation phase

def implementation_process() -> Process:
    s, p = "steering_group", "producer"
    nodes = [
        start("t_start", "Toteutusvaihe alkaa", s),
        script("open_period", "Uusi sopimuskausi", s, 1, code="contract_period = contract_period + 1"),
        user("agree_period", "Sopimuskauden tavoitekustannus", "Target cost of the contract period", s, 2,
             phase="implementation",
             doc="Sopikaa sopimuskauden tavoitekustannus ja kausi.",
             doc_en="Agree the contract period's target cost and dates.",
             form=[req("period_target_cost", "double", "Kauden tavoitekustannus (€)", "Target cost of the period (EUR)",
                       min=0),
                   req("period_start", "date", "Kausi alkaa", "Period starts"),
                   req("period_end", "date", "Kausi päättyy", "Period ends")]),
        script("schedule_period", "Kauden päättyminen", s, 3, code="""
period = tender_deadline(period_start, period_end)
period_ends_at = period["closes_at"]
"""),
        Node("period_over", "catch", "Sopimuskausi päättyy", s, 4, timer="period_ends_at"),
        user("report_period", "Kauden tulokset ja kustannukset avoimin kirjoin", "The period's results and open-book "
             "costs", p, 5, phase="implementation",
             doc="Raportoi kauden toteutuneet kustannukset avoimin kirjoin ja tulokset avaintulosalueittain.",
             doc_en="Report the period's actual costs on open books and the results by key result area.",
             form=[req("actual_cost", "double", "Toteutuneet kustannukset (€)", "Actual costs (EUR)", min=0),
                   req("result_score", "double", "Tulostavoitteiden toteuma (%)", "Result achievement (%)",
                       min=0, max=100),
                   text("results_report", "Tulosraportti", "Results report"),
                   req("open_book_reference", "string", "Avoimien kirjojen aineiston tunniste",
                       "Open-book records reference")]),
        script("settle_period", "Kannustinten ja riskinjaon laskenta", s, 6, code="""
period_result = period_settlement(contract_period, period_target_cost, actual_cost, contractor_fee_percent,
                                  result_score, bonus_pool, orderer_shares, terms["producer_share_percent"],
                                  terms["producer_loss_capped_at_fee"])
"""),
        user("approve_period", "Kauden tuloksen hyväksyminen", "Approving the period's result", s, 7,
             phase="implementation",
             doc="Johtoryhmä käsittelee kauden tuloksen, säästön tai ylityksen jaon ja tulospalkkion "
                 "yksimielisesti ja päättää seuraavasta sopimuskaudesta.",
             doc_en="The steering group reviews the period's result, the gain/pain share and the result bonus "
                    "unanimously and decides on the next contract period.",
             form=[req("period_approved", "boolean", "Kauden tulos hyväksytään", "The period's result is approved"),
                   req("steering_group_minutes", "string", "Johtoryhmän pöytäkirja", "Steering group minutes"),
                   req("next_period", "boolean", "Jatketaan seuraavaan sopimuskauteen",
                       "Go on to the next contract period")]),
        gw("period_approved_gateway", "Hyväksytty?", s, 8, default="t_approved"),
        script("record_period", "Kirjaa kausi", s, 9, code="""
period_results = period_results + [period_result]
"""),
        end("t_end", "Sopimuskausi päättyi", s, 10),
    ]
    flows = [
        *chain("t_start", "open_period", "agree_period", "schedule_period", "period_over", "report_period",
               "settle_period", "approve_period", "period_approved_gateway", prefix="t"),
        Flow("t_rejected", "period_approved_gateway", "report_period", "ei / no", condition="not period_approved",
             route="below"),
        Flow("t_approved", "period_approved_gateway", "record_period", "kyllä / yes"),
        Flow("t_record", "record_period", "t_end"),
    ]
    return Process("alliance_implementation", "Toteutusvaiheen sopimuskausi", [STEERING, PRODUCER], nodes, flows,
                   doc="Yksi toteutusvaiheen (TAS) sopimuskausi: tavoitekustannus, tulokset avoimin kirjoin, "
                       "kannustimet ja riskinjako. Pääprosessi kutsuu tätä kausi kerrallaan. / One contract period "
                       "of the implementation phase; the main process calls it period by period.")


FILES = {
    "alliance_procurement.bpmn": main_process,
    "alliance_strategy.bpmn": strategy_process,
    "alliance_procurement_unit.bpmn": procurement_unit_process,
    "alliance_negotiation.bpmn": negotiation_process,
    "alliance_decision.bpmn": decision_process,
    "alliance_development.bpmn": development_process,
    "alliance_implementation.bpmn": implementation_process,
}


def main() -> None:
    for name, make in FILES.items():
        process = make()
        content = build([process], target_namespace=NS, definitions_id=f"{process.id}_definitions")
        (BPMN_DIR / name).write_bytes(content)
        print("wrote", BPMN_DIR / name)


if __name__ == "__main__":
    main()
