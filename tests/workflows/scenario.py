"""Steps of an alliance procurement in Kainuu, shared by the end-to-end tests.

Each step completes real tasks as the users who hold them and checks who saw them. The dates
make a plausible 2026 timeline: the notice goes out in January, the decision in June (its
standstill ends on Midsummer Eve), the implementation runs 2026–2028.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tests.workflows.driver import Procurement

REGION = "kainuu"
MUNICIPALITIES = ["kajaani", "sotkamo", "kuhmo", "suomussalmi", "paltamo", "puolanka", "hyrynsalmi", "ristijarvi"]
PRODUCERS = ["vaara-osaamis", "yrityspolku", "uraverkko", "oulujarven-kehitys"]
STARTER = "kainuu.orderer"


def users(organisations: Iterable[str], role: str) -> set[str]:
    suffix = {"procurement_unit": "procurement", "steering_group": "steering", "municipality": "council"}
    return {f"{o}.{suffix.get(role, role)}" for o in organisations}


def start(p: Procurement, candidates: list[str] | None = None, value: float = 900_000,
          service_type: str = "services") -> None:
    p.clock.set("2026-01-12")
    p.start(STARTER, {
        "title": "Kainuun yrityspalveluallianssi", "description": "Yritys- ja työllisyyspalvelut allianssina",
        "region": REGION, "candidate_municipalities": ", ".join(MUNICIPALITIES if candidates is None else candidates),
        "estimated_value": value, "service_type": service_type})


def decide_joining(p: Procurement, joins: Mapping[str, bool]) -> None:
    assert p.who_sees("decide_joining") == users(joins, "municipality")
    for municipality, decision in joins.items():
        task = p.task(f"{municipality}.council", "decide_joining")
        assert task.organisations == (municipality,)
        p.complete(f"{municipality}.council", "decide_joining",
                   {"joins": decision, "decision_reference": f"{municipality} kvalt 2026 § 12"})


def assess_and_vote(p: Procurement, go: Mapping[str, bool], suits: bool = True) -> None:
    orderers = list(go)
    assert p.who_sees("assess_alliance_model") == users(orderers, "orderer")
    p.complete("kainuu.orderer", "assess_alliance_model", {
        "alliance_model_suits": suits, "suitability_assessment": "Yhteinen tavoite ja avoimet kirjat sopivat.",
        "organising_responsibility_stays": True, "no_public_tasks_to_producers": True,
        "competition_neutrality": True})
    assert p.who_sees("vote_go") == users(orderers, "orderer")
    for orderer, vote in go.items():
        p.complete(f"{orderer}.orderer", "vote_go", {"go": vote})


def confirm_value(p: Procurement, value: float | None = None) -> None:
    """The estimate re-confirmed for the joining orderers (by default: unchanged)."""
    confirmed = p.data["estimated_value"] if value is None else value
    p.complete("kainuu.orderer", "confirm_estimated_value", {
        "confirmed_estimated_value": confirmed, "value_basis": "Liittyneiden tilaajien asukasluvun mukaan."})


def joint_unit(p: Procurement, orderers: list[str], value: float | None = None) -> None:
    assert p.who_sees("choose_unit_model") == users(orderers, "orderer")
    p.complete("kainuu.orderer", "choose_unit_model", {
        "unit_model": "joint", "lead_orderer": REGION, "unit_reasoning": "Kaikki tilaajat päättävät yhdessä."})
    assert p.data["procurement_unit"] == orderers
    confirm_value(p, value)


def delegated_unit(p: Procurement, orderers: list[str], lead: str) -> None:
    p.complete("kainuu.orderer", "choose_unit_model", {
        "unit_model": "delegated", "lead_orderer": lead, "unit_reasoning": "Yksi tilaaja hoitaa hankinnan."})
    others = [o for o in orderers if o != lead]
    assert p.who_sees("grant_mandate") == users(others, "orderer")
    for orderer in others:
        p.complete(f"{orderer}.orderer", "grant_mandate",
                   {"grants_mandate": True, "mandate_reference": f"{orderer} khall 2026 § 40"})
    assert p.data["procurement_unit"] == [lead]
    confirm_value(p)


NOTICE = {
    "procedure_ground": "34_1_3", "ground_justification": "Allianssin tavoitteet ja riskit vaativat neuvotteluja.",
    "needs": "Yritys- ja työllisyyspalvelut koko maakuntaan.",
    "minimum_requirements": "Palvelu koko maakunnassa; suomenkielinen asiointi.",
    "award_criteria": "Kyvykkyys ja kirjalliset vastaukset: 50\nHaastattelut ja allianssityöpajat: 30\n"
                      "Palkkio-% ja kustannuserät: 20",
    "award_on_initial_reserved": False,
    "staged_reduction": True, "electronic_tenders": True, "urgent": False,
    "timetable_justification": "Lakisääteiset vähimmäisajat.",
    "participation_deadline": "2026-02-16", "hilma_notice_id": "2026-012345",
    # what the eForms contract notice needs besides the above (issue 17)
    "cpv_main": "79400000-8", "cpv_additional": "79411000-8, 85312320-8", "place_nuts": "FI1D8",
    "duration_months": 48, "selection_criteria": "Vähintään kolmen vuoden kokemus yrityspalveluista.\n"
                                                  "Liikevaihto vähintään 500 000 euroa vuodessa.",
    "tendering_url": "https://tarjouspalvelu.example.fi/kainuu/2026-7"}


def publish_notice(p: Procurement, unit_user: str, **changes: object) -> None:
    p.clock.set("2026-01-13")
    p.complete(unit_user, "record_procedure_ground",
               {k: NOTICE[k] for k in ("procedure_ground", "ground_justification")})
    p.clock.set("2026-01-15")
    p.complete(unit_user, "publish_contract_notice",
               {**{k: v for k, v in NOTICE.items() if k not in ("procedure_ground", "ground_justification")},
                **changes})


def select_candidates(p: Procurement, unit_user: str, applicants: list[str], suitable: list[str],
                      invited: list[str]) -> None:
    assert p.fire_timers("2026-02-17", 8) == 1
    p.complete(unit_user, "register_requests", {"applicants": ", ".join(applicants)})
    p.complete(unit_user, "qualify_candidates", {
        "suitable_candidates": ", ".join(suitable), "invited_candidates": ", ".join(invited),
        "selection_report": "Soveltuvuus arvioitu ilmoituksen vaatimusten mukaan."})
    if set(applicants) - set(invited):
        serve_exclusions(p, unit_user)


def serve_exclusions(p: Procurement, unit_user: str, by_post: bool = False) -> None:
    p.complete(unit_user, "serve_exclusion_decisions", {
        "exclusion_reasoning": "Ei täytä soveltuvuusvaatimuksia tai ei tullut valituksi.",
        "exclusion_document": "PP-1", "exclusion_served_by_post": by_post})


def invite(p: Procurement, unit_user: str, deadline: str = "2026-03-17") -> None:
    p.clock.set("2026-02-20")
    p.complete(unit_user, "send_invitations", {"initial_tenders_deadline": deadline, "invitation_reference": "TP-1"})


def initial_tenders(p: Procurement, tenderers: list[str], fee: float = 8.0) -> None:
    p.clock.set("2026-03-10")
    assert p.who_sees("submit_initial_tender") == users(tenderers, "tenderer")
    for org in tenderers:
        task = p.task(f"{org}.tenderer", "submit_initial_tender")
        assert task.organisations == (org,)
        p.complete(f"{org}.tenderer", "submit_initial_tender", {"tender_reference": f"{org}-T1", "fee_percent": fee})
    assert p.fire_timers("2026-03-18", 8) == 1


def negotiation_round(p: Procurement, unit_user: str, tenderers: list[str], deadline: str, submit_on: str,
                      fire_on: str, drop: Mapping[str, str] | None = None, another: bool = False) -> None:
    drop = drop or {}
    p.complete(unit_user, "plan_round", {"round_agenda": "Palvelumalli ja tulosmittarit", "documents_changed": False,
                                         "revision_deadline": deadline})
    p.clock.set(submit_on)
    assert p.who_sees("submit_revised_tender") == users(tenderers, "tenderer")
    for org in tenderers:
        p.complete(f"{org}.tenderer", "submit_revised_tender",
                   {"revised_tender_reference": f"{org}-R{p.data.get('negotiation_round')}", "fee_percent": 7.5})
    assert p.fire_timers(fire_on, 8) == 1
    assessments = p.tasks(unit_user, "assess_round")
    assert len(assessments) == len(tenderers)
    for task in assessments:
        # the unit sees one assessment task per tenderer; the data names whose tender it is
        org = p.engine.task(task.id).data["assessment"]["organisation"]
        p.engine.complete_task(task.id, unit_user, {
            "continues": org not in drop,
            "assessment_reasoning": drop.get(org, "Täyttää vertailuperusteet hyvin.")})
    if drop:
        assert p.open_elements() == ["serve_drop_decisions"]
        p.complete(unit_user, "serve_drop_decisions", {"drop_document": f"KP-{p.data['negotiation_round']}",
                                                       "drop_served_by_post": False})
    p.complete(unit_user, "conclude_round", {"round_summary": "Kierros käyty.", "another_round": another})


def final_tenders(p: Procurement, unit_user: str, tenderers: list[str], points: Mapping[str, float]) -> None:
    p.clock.set("2026-04-23")
    p.complete(unit_user, "request_final_tenders", {"final_tenders_deadline": "2026-05-07",
                                                    "final_request_reference": "LT-1"})
    p.clock.set("2026-05-05")
    assert p.who_sees("submit_final_tender") == users(tenderers, "tenderer")
    for org in tenderers:
        p.complete(f"{org}.tenderer", "submit_final_tender",
                   {"final_tender_reference": f"{org}-F", "fee_percent": 7.0, "cost_items_price": 120000})
    assert p.fire_timers("2026-05-08", 8) == 1
    evaluate(p, unit_user, {org: (points[org] / 10, 8, 5) for org in points})


def evaluate(p: Procurement, unit_user: str, scores: Mapping[str, tuple[float, ...]]) -> None:
    """Scores 0–10 per published criterion, in the criteria's order, for each tender evaluated."""
    for task in p.tasks(unit_user, "evaluate_final_tender"):
        org = p.engine.task(task.id).data["evaluation"]["organisation"]
        p.engine.complete_task(task.id, unit_user, {f"score_{i}": s for i, s in enumerate(scores[org], start=1)})
    p.complete(unit_user, "approve_evaluation", {"evaluation_report": "Vertailu tehty."})


def decide(p: Procurement, unit_user: str, unit: list[str], on: str = "2026-05-20") -> None:
    p.clock.set(on)
    p.complete(unit_user, "draft_decision", {"decision_kind": "award",
                                             "decision_reasoning": "Kokonaistaloudellisesti edullisin.",
                                             "decision_date": on})
    if len(unit) > 1:
        assert p.who_sees("approve_decision") == users(unit, "procurement_unit")
        for org in unit:
            p.complete(f"{org}.procurement", "approve_decision", {"approves": True})


def serve(p: Procurement, unit_user: str, served_on: str = "2026-06-05") -> None:
    p.clock.set(served_on)
    p.complete(unit_user, "serve_decision", {"served_by_post": False, "decision_document": "HP-1"})


def sign(p: Procurement, unit_user: str, signed_on: str = "2026-06-23") -> None:
    p.clock.set(signed_on)
    p.complete(unit_user, "sign_contract", {"contract_reference": "KAS-1", "contract_value": 950_000})
    p.complete(unit_user, "publish_award_notice", {"award_notice_id": "2026-054321"})
    p.complete(unit_user, "write_procedure_report", {"procedure_report": "Selostus menettelystä."})


KPIS = "työllistyneet; 200; 60\nuudet yritykset; 50; 40"
APPROPRIATIONS = "2026; 3000000\n2027; 3000000\n2028; 3000000\n2029; 3000000"


def positions(p: Procurement, parties: Iterable[str], rejecting: Mapping[str, str] | None = None) -> None:
    """Each party records its own position on the open joint decision, as its own steering user."""
    rejecting = rejecting or {}
    parties = list(parties)
    assert p.who_sees("record_position") == users(parties, "steering_group")
    for party in parties:
        task = p.task(f"{party}.steering", "record_position")
        assert task.organisations == (party,)
        p.complete(f"{party}.steering", "record_position", {
            "position": "reject" if party in rejecting else "approve",
            "reasons": rejecting.get(party, "Ehdotus on sovitun mukainen.")})


def confirm_limits(p: Procurement, orderers: Iterable[str], broken: Mapping[str, str] | None = None) -> None:
    """Each joined orderer confirms the legal limits for itself."""
    broken = broken or {}
    orderers = list(orderers)
    assert p.who_sees("confirm_legal_limits") == users(orderers, "orderer")
    for orderer in orderers:
        p.complete(f"{orderer}.orderer", "confirm_legal_limits", {
            "organising_responsibility_stays": True, "no_public_tasks_to_producers": orderer not in broken,
            "competition_neutrality": True, "legal_reasons": broken.get(orderer, "Rajat pitävät.")})


SOLUTION = {"proposed_service_solution": "Yhden luukun yrityspalvelut", "proposed_target_cost": 1_000_000,
            "proposed_bonus_pool": 40_000, "proposed_objectives": "Työllisyys ja yritysten kasvu",
            "proposed_kpis": KPIS}


def develop(p: Procurement, parties: list[str], shares: str, commits: Mapping[str, bool] | None = None,
            own_production: str = "", proposer: str = "kainuu.steering") -> None:
    """The development phase: joint organisation and service solution by joint decisions, each
    orderer's appropriation, and the exit gate where every party decides for itself."""
    orderers = parties[:-1]
    p.clock.set("2026-07-01")
    assert p.who_sees("propose_organisation") == users(parties, "steering_group")
    p.complete(proposer, "propose_organisation", {"proposed_joint_organisation": "Allianssitoimisto Kajaanissa",
                                                  "proposed_steering_group_members": "Yksi edustaja kustakin"})
    positions(p, parties)
    own = {"proposed_own_production": own_production} if own_production else {}
    p.complete(proposer, "propose_solution", {**SOLUTION, "proposed_cost_shares": shares, **own})
    confirm_limits(p, orderers)
    positions(p, parties)
    appropriations(p, orderers)
    exit_gate(p, parties, commits)


def appropriations(p: Procurement, orderers: list[str], amounts: Mapping[str, str] | None = None) -> None:
    assert p.who_sees("record_appropriation") == users(orderers, "orderer")
    for orderer in orderers:
        p.complete(f"{orderer}.orderer", "record_appropriation", {
            "appropriations": (amounts or {}).get(orderer, APPROPRIATIONS),
            "appropriation_reference": f"{orderer} valtuusto 2026 § 80"})


def exit_gate(p: Procurement, parties: list[str], commits: Mapping[str, bool] | None = None) -> None:
    assert p.who_sees("commit_or_exit") == users(parties, "steering_group")
    for party in parties:
        task = p.task(f"{party}.steering", "commit_or_exit")
        assert task.organisations == (party,)
        committed = True if commits is None else commits.get(party, True)
        p.complete(f"{party}.steering", "commit_or_exit",
                   {"commits": committed, "commitment_reasoning": "Päätös johtoryhmässä."})


def agree_implementation(p: Procurement, parties: list[str], shares: str, proposer: str = "kainuu.steering") -> None:
    """The implementation-phase agreement (TAS): proposed, legal limits confirmed, decided by all."""
    p.complete(proposer, "propose_tas", {
        "proposed_tas_terms": "TAS-ehdot 2026", "proposed_tas_target_cost": 1_000_000,
        "proposed_tas_bonus_pool": 40_000, "proposed_tas_kpis": KPIS, "proposed_tas_cost_shares": shares})
    confirm_limits(p, parties[:-1])
    positions(p, parties)


def agree_period(p: Procurement, parties: list[str], start: str, end: str, last: bool,
                 target: float = 1_000_000, proposer: str = "kainuu.steering") -> None:
    p.complete(proposer, "propose_period", {"proposed_period_target_cost": target, "proposed_period_start": start,
                                            "proposed_period_end": end, "proposed_last_period": last})
    positions(p, parties)


MEASURED = "työllistyneet; 150\nuudet yritykset; 50"


def report(p: Procurement, contractor: str, actual_cost: float, measured: str = MEASURED,
           own: Mapping[str, float] | None = None) -> None:
    """The providers report their cost items (the producer's, and each own production's), the
    producer records the measured values."""
    p.complete(f"{contractor}.producer", "report_costs", {
        "cost_items": f"henkilöstö; {actual_cost * 0.75:.2f}; KP-1\nmuut kulut; {actual_cost * 0.25:.2f}; KP-2",
        "results_report": "Tavoitteet saavutettiin pääosin."})
    for orderer, amount in (own or {}).items():
        p.complete(f"{orderer}.producer", "report_costs", {"cost_items": f"oma henkilöstö; {amount}; OMA-1",
                                                           "results_report": "Oma tuotanto."})
    p.complete(f"{contractor}.producer", "measure_results", {"kpi_values": measured,
                                                             "measurement_evidence": "Tilastot 2027"})


def contract_period(p: Procurement, contractor: str, start: str, end: str, fire_on: str, actual_cost: float,
                    next_period: bool, parties: list[str] | None = None) -> None:
    parties = parties or list(p.data["alliance_parties"])
    agree_period(p, parties, start, end, last=not next_period)
    assert p.tasks(f"{contractor}.producer", "report_costs") == []
    assert p.fire_timers(fire_on, 8) == 1
    assert p.who_sees("report_costs") == {f"{contractor}.producer"}
    report(p, contractor, actual_cost)
    positions(p, parties)


def close_out(p: Procurement, parties: list[str], proposer: str = "kainuu.steering") -> None:
    p.complete(proposer, "propose_close_out", {"closeout_report": "Allianssi päättyi sovitusti."})
    positions(p, parties)


# --- shortcuts to later phases ---------------------------------------------------------------------

JOINED = ["kainuu", "kajaani", "sotkamo"]
TENDERERS = ["vaara-osaamis", "yrityspolku", "uraverkko"]


def through_strategy(p: Procurement, joined: list[str] = JOINED) -> None:
    candidates = [m for m in joined if m != REGION]
    start(p, candidates=candidates)
    decide_joining(p, {m: True for m in candidates})
    assess_and_vote(p, {o: True for o in joined})


def through_evaluation(p: Procurement, joined: list[str] = JOINED, unit_user: str = "kainuu.procurement",
                       tenderers: list[str] = TENDERERS) -> None:
    """Strategy, a joint unit, the notice, selection, initial tenders, one round and final tenders."""
    through_strategy(p, joined)
    joint_unit(p, joined)
    publish_notice(p, unit_user)
    select_candidates(p, unit_user, tenderers, tenderers, tenderers)
    invite(p, unit_user)
    initial_tenders(p, tenderers)
    negotiation_round(p, unit_user, tenderers, "2026-04-02", "2026-03-30", "2026-04-03")
    final_tenders(p, unit_user, tenderers, {t: 70 - 5 * i for i, t in enumerate(tenderers)})


def through_award(p: Procurement, joined: list[str] = JOINED) -> None:
    through_evaluation(p, joined)
    decide(p, "kainuu.procurement", joined)
    serve(p, "kainuu.procurement")
    assert p.fire_timers("2026-06-23", 8) == 1
    sign(p, "kainuu.procurement")
