"""Demo procurements for the Kainuu demo directory, started through the engine as real users.

    load_demo(engine) -> list of what it did

Three procurements, dated relative to the engine's clock so every deadline is consistent. The second
one began weeks ago: its commands run with the engine's clock set to the moment each happened
(`_as_of`), so every "sent" moment comes from the clock as in real use, and replay is exact:

* `KAINUU-DEMO-1`: the strategy phase, four municipalities have decided (one declined), the
  other councils have their joining decision in their inbox;
* `KAINUU-DEMO-2`: the negotiated procedure, invitations sent, tenders due in about three
  weeks: each invited tenderer has its own tender task, one has already submitted;
* `KAJAANI-TYO-DEMO-3`: led by a municipal employment area (the Kajaani area employment services):
  it started the procurement, the municipalities joined and authorised it, and its procurement
  people record the ground for the negotiated procedure.

Loading is idempotent: a procurement whose business key exists is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

from engine import Conflict, Engine
from workflows.calendar import HELSINKI
from workflows.deadlines import minimum_last_day
from workflows.helpers import finnish_date

REGION = "kainuu"
MUNICIPALITIES = ["kajaani", "sotkamo", "kuhmo", "suomussalmi", "paltamo", "puolanka", "hyrynsalmi", "ristijarvi"]
TENDERERS = ["vaara-osaamis", "yrityspolku", "uraverkko"]


def _complete(engine: Engine, instance_id: str, user: str, element: str, data: Mapping[str, Any]) -> None:
    tasks = [t for t in engine.inbox(user, instance_id) if t.element_id == element]
    if not tasks:
        raise LookupError(f"demo: {user} has no {element} task")
    engine.complete_task(tasks[0].id, user, dict(data))


@contextmanager
def _as_of(engine: Engine, day: date, hour: int = 9) -> Iterator[None]:
    """Run the commands inside as if on `day` (Finnish time), one second apart."""
    moment = [datetime.combine(day, time(hour), HELSINKI)]

    def clock() -> datetime:
        moment[0] += timedelta(seconds=1)
        return moment[0]

    real: Callable[[], datetime] = engine.clock
    engine.clock = clock
    try:
        yield
    finally:
        engine.clock = real


def _start(engine: Engine, key: str, title: str, value: float, candidates: list[str], lead: str = REGION) -> str | None:
    try:
        view = engine.start("alliance_procurement", f"{lead}.orderer", {
            "title": title, "description": "Kainuun yritys- ja työllisyyspalvelut allianssimallilla (demo).",
            "region": lead, "candidate_municipalities": ", ".join(candidates), "estimated_value": value,
            "service_type": "services"}, business_key=key)
    except Conflict:
        return None
    return view.id


def strategy_phase(engine: Engine) -> str:
    key = "KAINUU-DEMO-1"
    instance = _start(engine, key, "Kainuun yrityspalveluallianssi (strategiavaihe)", 1_200_000, MUNICIPALITIES)
    if instance is None:
        return f"{key} exists"
    for municipality, joins in (("kajaani", True), ("sotkamo", True), ("kuhmo", True), ("paltamo", False)):
        _complete(engine, instance, f"{municipality}.council", "decide_joining",
                  {"joins": joins, "decision_reference": f"{municipality.capitalize()} kvalt § 12"})
    return f"{key}: strategy phase, municipalities deciding on joining"


def tendering_phase(engine: Engine) -> str:
    key = "KAINUU-DEMO-2"
    today = date.fromisoformat(finnish_date(engine.clock().isoformat()))
    began, sent = today - timedelta(days=60), today - timedelta(days=52)
    participation_ends = minimum_last_day("participation", sent)
    selected, invited = participation_ends + timedelta(days=2), today - timedelta(days=5)
    with _as_of(engine, began):
        instance = _start(engine, key, "Kainuun työllisyyspalveluallianssi (tarjousvaihe)", 900_000,
                          ["kajaani", "sotkamo"])
        if instance is None:
            return f"{key} exists"
        orderers = [REGION, "kajaani", "sotkamo"]
        for municipality in ("kajaani", "sotkamo"):
            _complete(engine, instance, f"{municipality}.council", "decide_joining",
                      {"joins": True, "decision_reference": f"{municipality.capitalize()} kvalt § 9"})
        _complete(engine, instance, f"{REGION}.orderer", "assess_alliance_model", {
            "alliance_model_suits": True, "suitability_assessment": "Yhteinen tulostavoite ja avoimet kirjat sopivat.",
            "organising_responsibility_stays": True, "no_public_tasks_to_producers": True,
            "competition_neutrality": True})
        for orderer in orderers:
            _complete(engine, instance, f"{orderer}.orderer", "vote_go", {"go": True})
        _complete(engine, instance, f"{REGION}.orderer", "choose_unit_model", {
            "unit_model": "joint", "lead_orderer": REGION, "unit_reasoning": "Kaikki tilaajat päättävät yhdessä."})
        _complete(engine, instance, f"{REGION}.orderer", "confirm_estimated_value", {
            "confirmed_estimated_value": 900_000, "value_basis": "Kolmen tilaajan palvelutarpeen mukaan."})
        unit = f"{REGION}.procurement"
        _complete(engine, instance, unit, "record_procedure_ground", {
            "procedure_ground": "34_1_3",
            "ground_justification": "Allianssin tavoitteet ja riskit vaativat neuvotteluja."})
    with _as_of(engine, sent):
        _complete(engine, instance, unit, "publish_contract_notice", {
            "needs": "Yritys- ja työllisyyspalvelut koko maakuntaan.",
            "minimum_requirements": "Palvelu koko maakunnassa; suomenkielinen asiointi.",
            "award_criteria": "Kyvykkyys ja kirjalliset vastaukset: 50\nHaastattelut ja allianssityöpajat: 30\n"
                              "Palkkio-% ja kustannuserät: 20",
            "award_on_initial_reserved": False,
            "staged_reduction": True, "electronic_tenders": True, "urgent": False,
            "timetable_justification": "Lakisääteiset vähimmäisajat.",
            "participation_deadline": participation_ends.isoformat(), "hilma_notice_id": "DEMO-0001",
            "cpv_main": "79400000-8", "place_nuts": "FI1D8", "duration_months": 48,
            "selection_criteria": "Vähintään kolmen vuoden kokemus yrityspalveluista.",
            "tendering_url": "https://tarjouspalvelu.example.fi/kainuu/demo"})
    with _as_of(engine, selected):
        engine.fire_due_timers(engine.clock())
        _complete(engine, instance, unit, "register_requests", {"applicants": TENDERERS})
        _complete(engine, instance, unit, "qualify_candidates", {
            "suitable_candidates": TENDERERS, "invited_candidates": TENDERERS,
            "selection_report": "Kaikki hakijat täyttävät soveltuvuusvaatimukset."})
    with _as_of(engine, invited):
        _complete(engine, instance, unit, "send_invitations", {
            "initial_tenders_deadline": (minimum_last_day("initial_tenders", invited, electronic=True)
                                         + timedelta(days=3)).isoformat(),
            "invitation_reference": "DEMO-TP-1"})
    _complete(engine, instance, f"{TENDERERS[0]}.tenderer", "submit_initial_tender",
              {"tender_reference": "VAARA-ALUSTAVA-1", "fee_percent": 8.5})
    return f"{key}: negotiated procedure, initial tenders open"


EMPLOYMENT_AREA = "kajaanin-tyollisyysalue"


def employment_area_leads(engine: Engine) -> str:
    """Since 2025 municipalities and their employment areas organise employment services: here the
    employment area starts the alliance, leads it and is authorised as its procurement unit."""
    key = "KAJAANI-TYO-DEMO-3"
    members = ["kajaani", "paltamo"]
    instance = _start(engine, key, "Kajaanin seudun työllisyysallianssi", 800_000, members, lead=EMPLOYMENT_AREA)
    if instance is None:
        return f"{key} exists"
    for municipality in members:
        _complete(engine, instance, f"{municipality}.council", "decide_joining",
                  {"joins": True, "decision_reference": f"{municipality.capitalize()} kvalt § 21"})
    _complete(engine, instance, f"{EMPLOYMENT_AREA}.orderer", "assess_alliance_model", {
        "alliance_model_suits": True, "suitability_assessment": "Työllisyysalueen palvelut allianssina.",
        "organising_responsibility_stays": True, "no_public_tasks_to_producers": True,
        "competition_neutrality": True})
    for orderer in [EMPLOYMENT_AREA, *members]:
        _complete(engine, instance, f"{orderer}.orderer", "vote_go", {"go": True})
    _complete(engine, instance, f"{EMPLOYMENT_AREA}.orderer", "choose_unit_model", {
        "unit_model": "delegated", "lead_orderer": EMPLOYMENT_AREA,
        "unit_reasoning": "Työllisyysalue hoitaa hankinnan kuntien puolesta."})
    for municipality in members:
        _complete(engine, instance, f"{municipality}.orderer", "grant_mandate",
                  {"grants_mandate": True, "mandate_reference": f"{municipality.capitalize()} khall § 40"})
    _complete(engine, instance, f"{EMPLOYMENT_AREA}.orderer", "confirm_estimated_value", {
        "confirmed_estimated_value": 800_000, "value_basis": "Työllisyysalueen kuntien palvelutarpeen mukaan."})
    return f"{key}: led by the employment area, its procurement unit records the procedure ground"


def load_demo(engine: Engine) -> list[str]:
    """Start the demo procurements (the diagrams in bpmn/ must be deployed)."""
    return [strategy_phase(engine), tendering_phase(engine), employment_area_leads(engine)]
