"""A whole procurement in the browser (issue 11, "Done when"): from the start form to the close-out of the
first implementation period with Chromium alone — no command line, no engine calls. Every timer wait is
passed with the demo clock's button, the Market Court appeal and its ruling are recorded through the
page, a tenderer's final tender is on its evaluation task, the winner is named on the procurement page,
and every new task reaches its people by e-mail through a real local SMTP server (the worker's thread,
as `serve --demo` runs it). Every kind of page on the way passes axe-core (no serious or critical
violations) in Finnish and English at 1280 and 390 px, without sideways scrolling at 390 px."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from werkzeug.serving import make_server

from tests.web.browser.conftest import screenshot, serious_violations
from tests.web.conftest import DEMO_PASSWORD, alliance_app
from tests.workflows.driver import Clock
from workflows.background import run_in_thread
from workflows.directory import demo_directory

TENDERERS = ["vaara-osaamis", "yrityspolku", "uraverkko"]
UNIT = "kainuu.procurement"


WIDE = """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391
    && !e.closest('.diagram-scroll, .table-scroll'))
    .slice(0, 8).map(e => e.tagName + '.' + e.getAttribute('class') + ' '
                     + Math.round(e.getBoundingClientRect().right))"""


class Mailbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        subject = str(message_from_bytes(envelope.content, policy=policy.default)["Subject"])
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), subject))
        return "250 OK"

    def subjects(self, address: str) -> list[str]:
        with self.lock:
            return [s for rcpts, s in self.received if address in rcpts]


@dataclass
class Walk:
    url: str
    mailbox: Mailbox
    browser: Any
    axe: str
    contexts: dict[str, Any]
    checked: set[str]
    instance: str = ""

    def page(self, user: str) -> Any:
        """Each person in a browser context of their own, signed in once."""
        if user not in self.contexts:
            context = self.browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi-FI",
                                               base_url=self.url)
            context.set_default_timeout(20_000)
            page = context.new_page()
            page.goto("/login")
            page.get_by_label("Käyttäjätunnus").fill(user)
            page.get_by_label("Salasana").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Kirjaudu sisään").click()
            page.wait_for_load_state()
            self.contexts[user] = page
        return self.contexts[user]

    def accessible(self, page: Any, kind: str) -> None:
        """axe-core on this kind of page, the first time it is met: fi and en, 1280 and 390 px wide."""
        if kind in self.checked:
            return
        self.checked.add(kind)
        for language in ("fi", "en"):
            if language == "en":
                page.get_by_role("button", name="In English").click()
                page.wait_for_load_state()
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                violations = serious_violations(page, self.axe)
                assert not violations, "\n".join([f"{kind} {language} {width}px {page.url}", *violations])
                overflow = page.evaluate("() => document.documentElement.scrollWidth")
                assert overflow <= width + 1, (f"{kind} {language} scrolls sideways at {width} px: {overflow}",
                                               page.evaluate(WIDE.replace("391", str(width + 1))))
        page.get_by_role("button", name="Suomeksi").click()
        page.wait_for_load_state()
        page.set_viewport_size({"width": 1280, "height": 900})

    def mailed(self, user: str, title: str) -> None:
        """Wait for the worker's e-mail about this task to reach the user's mailbox."""
        address = demo_directory().users[user].email
        deadline = time.monotonic() + 20
        while not any(title in s for s in self.mailbox.subjects(address)):
            assert time.monotonic() < deadline, f"no e-mail to {user} about {title}: {self.mailbox.subjects(address)}"
            time.sleep(0.1)

    def task(self, user: str, title: str, values: Mapping[str, Any], kind: str = "",
             facts: tuple[str, ...] = (), shown: tuple[str, ...] = ()) -> None:
        """Open the user's task from their inbox, check what is shown beside it, fill its form, complete it."""
        self.mailed(user, title)
        page = self.page(user)
        page.goto("/")
        page.locator("a.task-link", has_text=title).first.click()
        page.get_by_role("heading", level=1, name=title).wait_for()
        self.accessible(page, kind or "task")
        for fact in facts:
            assert fact in page.locator("section.facts-card").inner_text(), (title, fact)
        for text in shown:
            assert text in page.locator("main").inner_text(), (title, text)
        fill(page, values)
        with page.expect_navigation():  # the POST's answer, not the form still on screen
            page.get_by_role("button", name="Merkitse tehtävä tehdyksi").click()
        page.wait_for_load_state()
        assert page.locator(".error-summary").count() == 0, page.locator(".error-summary").inner_text()

    def procurement(self, user: str = UNIT) -> Any:
        page = self.page(user)
        page.goto(f"/procurements/{self.instance}")
        return page

    def move_clock(self) -> None:
        page = self.procurement()
        page.get_by_role("button", name=re.compile("Siirrä demokello")).click()
        page.get_by_text("Tämän hankinnan demokello on nyt").wait_for()


def fill(page: Any, values: Mapping[str, Any]) -> None:
    """Fill a form the way a person would: radios and checkboxes ticked, selects chosen, the rest typed."""
    for name, value in values.items():
        field = page.locator(f'form.form [name="{name}"]')
        kind = field.first.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if kind == "input:radio":
            page.locator(f'form.form [name="{name}"][value="{str(value).lower()}"]').check()
        elif kind == "input:checkbox":
            if field.count() > 1 or isinstance(value, list):
                for item in value:
                    page.locator(f'form.form [name="{name}"][value="{item}"]').check()
            elif value:
                field.check()
        elif kind == "select:select-one":
            field.select_option(str(value))
        else:
            field.fill(str(value))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def walk(chromium: Any, axe_source: str, tmp_path: Any) -> Iterator[Walk]:
    mailbox, port = Mailbox(), _free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    app = alliance_app(f"sqlite:///{tmp_path / 'walk.db'}", Clock())
    app.extensions["allianssi"].engine.demo_clock = True  # as `serve --demo` builds it
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    stop = run_in_thread(app.extensions["allianssi"].engine, app.extensions["allianssi"].directory, url,
                         f"smtp://127.0.0.1:{port}", interval=0.2)
    walk = Walk(url, mailbox, chromium, axe_source, {}, set())
    try:
        yield walk
    finally:
        stop.set()
        for page in walk.contexts.values():
            page.context.close()
        server.shutdown()
        smtp.stop()
        app.extensions["allianssi"].database.dispose()


def test_a_whole_procurement_in_the_browser(walk: Walk) -> None:
    # the start form: organisations are chosen, not typed
    page = walk.page("kainuu.orderer")
    page.goto("/procurements/new/alliance_procurement")
    walk.accessible(page, "start form")
    fill(page, {"title": "Kainuun yrityspalveluallianssi", "description": "Yritys- ja työllisyyspalvelut",
                "region": "kainuu", "candidate_municipalities": ["kajaani"], "estimated_value": "900000",
                "service_type": "services"})
    page.get_by_role("button", name=re.compile("Aloita")).click()
    page.wait_for_url(re.compile(r"/procurements/[0-9a-f]{32}$"))
    walk.instance = page.url.rsplit("/", 1)[1]
    walk.accessible(page, "procurement page")

    # strategy, the joint procurement unit, the notice
    walk.task("kajaani.council", "Kunnan päätös allianssiin liittymisestä",
              {"joins": True, "decision_reference": "Kajaanin kvalt 9.2.2026 § 12"})
    walk.task("kainuu.orderer", "Allianssimallin soveltuvuus ja oikeudelliset reunaehdot", {
        "alliance_model_suits": True, "suitability_assessment": "Yhteinen tavoite ja avoimet kirjat sopivat.",
        "organising_responsibility_stays": True, "no_public_tasks_to_producers": True,
        "competition_neutrality": True})
    for orderer in ("kainuu", "kajaani"):
        walk.task(f"{orderer}.orderer", "Go / no-go -päätös", {"go": True})
    walk.task("kainuu.orderer", "Hankintayksikön malli",
              {"unit_model": "joint", "lead_orderer": "kainuu", "unit_reasoning": "Yhdessä."})
    walk.task("kainuu.orderer", "Ennakoidun arvon vahvistaminen",
              {"confirmed_estimated_value": "900000", "value_basis": "Kahden tilaajan tarpeiden mukaan."})
    walk.task(UNIT, "Neuvottelumenettelyn peruste (§ 34)", {
        "procedure_ground": "34_1_3", "ground_justification": "Tavoitteet vaativat neuvotteluja."})
    walk.task(UNIT, "Hankintailmoitus HILMAan", {
        "needs": "Yrityspalvelut koko maakuntaan.", "minimum_requirements": "Koko maakunta.",
        "award_criteria": "Laatu: 80\nHinta: 20", "award_on_initial_reserved": False, "staged_reduction": True,
        "electronic_tenders": True, "urgent": False, "timetable_justification": "Vähimmäisajat.",
        "participation_deadline": "2026-02-16", "hilma_notice_id": "2026-012345",
        "cpv_main": "79400000-8", "place_nuts": "FI1D8", "duration_months": "48",
        "selection_criteria": "Kokemus yrityspalveluista.", "tendering_url": "https://tarjous.example.fi/k"})
    walk.move_clock()  # the requests to participate come in by 16.2.

    walk.task(UNIT, "Osallistumishakemusten kirjaus", {"applicants": TENDERERS}, kind="organisations chosen")
    walk.task(UNIT, "Soveltuvuus ja ehdokkaiden valinta", {
        "suitable_candidates": TENDERERS, "invited_candidates": TENDERERS, "selection_report": "Arvioitu."})
    walk.task(UNIT, "Tarjouspyyntö kutsutuille", {"initial_tenders_deadline": "2026-03-17",
                                                  "invitation_reference": "TP-1"})
    for org in TENDERERS:
        walk.task(f"{org}.tenderer", "Alustavan tarjouksen jättäminen",
                  {"tender_reference": f"{org}-T1", "fee_percent": "8"})
    walk.move_clock()  # the initial tenders' deadline

    walk.task(UNIT, "Neuvottelukierroksen valmistelu", {"round_agenda": "Palvelumalli ja mittarit",
                                                        "documents_changed": False, "revision_deadline": "2026-04-02"})
    for org in TENDERERS:
        walk.task(f"{org}.tenderer", "Neuvottelu ja tarkistettu tarjous",
                  {"revised_tender_reference": f"{org}-R1", "fee_percent": "7.5"})
    walk.move_clock()  # the round's deadline
    for index in range(len(TENDERERS)):  # one assessment per tenderer, each naming its tenderer and tender
        walk.task(UNIT, "Kierroksen arviointi tarjoajittain", {"continues": True, "assessment_reasoning": "Hyvä."},
                  kind="assessment" if index == 0 else "task", facts=("Tarjoaja", "-R1"))
    walk.task(UNIT, "Neuvottelukierroksen päättäminen", {"round_summary": "Käyty.", "another_round": False})
    walk.task(UNIT, "Lopullisten tarjousten pyyntö", {"final_tenders_deadline": "2026-05-07",
                                                      "final_request_reference": "LT-1"})
    for org in TENDERERS:
        walk.task(f"{org}.tenderer", "Lopullisen tarjouksen jättäminen", {
            "final_tender_reference": f"{org}-F", "fee_percent": "7", "cost_items_price": "120000"})
    walk.move_clock()  # the final tenders' deadline
    scores = {"vaara-osaamis": "7", "yrityspolku": "6", "uraverkko": "5"}   # quality; price 8 for each
    for _ in TENDERERS:  # the tender evaluated is on the page
        page = walk.page(UNIT)
        page.goto("/")
        page.locator("a.task-link", has_text="Tarjouksen vertailu").first.click()
        facts = page.locator("section.facts-card").inner_text().replace("\xa0", " ")
        org = next(o for o in TENDERERS if f"{o}-F" in facts)
        assert "120 000" in facts
        if org == "vaara-osaamis":
            screenshot(page, "task-facts.png", full_page=True)
        walk.task(UNIT, "Tarjouksen vertailu", {"score_1": scores[org], "score_2": "8"},
                  kind="evaluation", facts=(f"{org}-F",))
    walk.task(UNIT, "Vertailun hyväksyminen", {"evaluation_report": "Vertailu tehty."},
              facts=("Paremmuusjärjestys",), kind="ranking")
    winner = demo_directory().organisations["vaara-osaamis"].name
    assert winner in walk.procurement().locator("section.facts-card").inner_text()  # the winner, named

    walk.task(UNIT, "Hankintapäätös", {"decision_kind": "award", "decision_reasoning": "Kokonaistaloudellisesti "
                                       "edullisin.", "decision_date": "2026-05-08"})
    for org in ("kainuu", "kajaani"):
        walk.task(f"{org}.procurement", "Hankintapäätöksen hyväksyminen", {"approves": True})
    walk.task(UNIT, "Päätöksen tiedoksianto", {"served_by_post": False, "decision_document": "HP-1"})

    # the standstill: an appeal to the Market Court and its ruling, through the page's event buttons
    page = walk.procurement()
    page.get_by_role("link", name="Valitus markkinaoikeuteen").click()
    walk.accessible(page, "event form")
    fill(page, {"appellant": "uraverkko", "appeal_reference": "MAO:123/2026"})
    page.get_by_role("button", name=re.compile("Kirjaa:")).click()
    page.get_by_text("Kirjattu: Valitus markkinaoikeuteen.").wait_for()
    page.get_by_role("link", name="Tuomioistuimen ratkaisu").click()
    fill(page, {"outcome": "dismissed", "ruling_reference": "MAO 1/26"})
    page.get_by_role("button", name=re.compile("Kirjaa:")).click()
    page.get_by_text("Kirjattu: Tuomioistuimen ratkaisu.").wait_for()
    walk.move_clock()  # dismissed within the standstill: the contract waits for its end

    walk.task(UNIT, "Kehitysvaiheen allianssisopimus", {"contract_reference": "KAS-1", "contract_value": "950000"})
    walk.task(UNIT, "Jälki-ilmoitus HILMAan", {"award_notice_id": "2026-054321"})
    walk.task(UNIT, "Selostus menettelystä (§ 124)", {"procedure_report": "Selostus."})

    # development, the exit gate and the first implementation period: every decision is joint
    parties = ["kainuu", "kajaani", "vaara-osaamis"]
    orderers = ["kainuu", "kajaani"]
    kpis = "työllistyneet; 200; 60\nuudet yritykset; 50; 40"

    def everyone_approves(kind: str = "", shown: tuple[str, ...] = ()) -> None:
        for party in parties:
            walk.task(f"{party}.steering", "Osapuolen kanta", {"position": "approve", "reasons": "Hyväksytään."},
                      kind=kind if party == "kainuu" else "", shown=shown if party == "kainuu" else ())

    def orderers_confirm_the_legal_limits() -> None:
        for orderer in orderers:
            walk.task(f"{orderer}.orderer", "Lain rajojen vahvistus", {
                "organising_responsibility_stays": True, "no_public_tasks_to_producers": True,
                "competition_neutrality": True, "legal_reasons": "Rajat pitävät."})

    walk.task("kainuu.steering", "Ehdotus yhteisestä organisaatiosta", {
        "proposed_joint_organisation": "Allianssitoimisto", "proposed_steering_group_members": "Yksi kustakin"})
    everyone_approves(kind="position")
    walk.task("kainuu.steering", "Ehdotus palveluratkaisusta ja tavoitekustannuksesta", {
        "proposed_service_solution": "Yhden luukun palvelut", "proposed_target_cost": "1000000",
        "proposed_bonus_pool": "40000", "proposed_objectives": "Työllisyys", "proposed_kpis": kpis,
        "proposed_cost_shares": "kainuu: 60, kajaani: 40"})
    orderers_confirm_the_legal_limits()
    everyone_approves()
    for orderer in orderers:
        walk.task(f"{orderer}.orderer", "Tilaajan määräraha", {
            "appropriations": "2026; 2000000\n2027; 2000000", "appropriation_reference": "Talousarvio 2026"})
    for party in parties:
        walk.task(f"{party}.steering", "Sitoutuminen toteutusvaiheeseen (exit-portti)",
                  {"commits": True, "commitment_reasoning": "Johtoryhmä päätti."})
    walk.task("kainuu.steering", "Ehdotus toteutusvaiheen sopimuksesta (TAS)", {
        "proposed_tas_terms": "TAS-ehdot", "proposed_tas_target_cost": "1000000", "proposed_tas_bonus_pool": "40000",
        "proposed_tas_kpis": kpis, "proposed_tas_cost_shares": "kainuu: 60, kajaani: 40"})
    orderers_confirm_the_legal_limits()
    everyone_approves()
    walk.task("kainuu.steering", "Ehdotus sopimuskauden tavoitteista", {
        "proposed_period_target_cost": "1000000", "proposed_period_start": "2026-09-01",
        "proposed_period_end": "2027-08-31", "proposed_last_period": True})
    everyone_approves()
    walk.move_clock()  # the contract period ends
    walk.task("vaara-osaamis.producer", "Kauden kustannukset avoimin kirjoin", {
        "cost_items": "henkilöstö; 700000; KP-1\nmuut kulut; 250000; KP-2", "results_report": "Saavutettiin."})
    walk.task("vaara-osaamis.producer", "Tulosmittarien mitatut arvot", {
        "kpi_values": "työllistyneet; 150\nuudet yritykset; 50", "measurement_evidence": "Tilastot 2027"})
    # the settlement, computed from the items and the indicators, is on the page before anyone approves it
    everyone_approves(kind="settlement", shown=("Tilitys laskettuna kustannuseristä", "950 000,00 €", "KP-2"))
    walk.task("kainuu.steering", "Ehdotus allianssin päättämisestä (close-out)", {"closeout_report": "Päättyi."})
    everyone_approves()

    page = walk.procurement("kainuu.orderer")
    assert "Valmis" in page.locator(".page-head").inner_text()
    assert winner in page.locator("section.facts-card").inner_text()
    screenshot(page, "procurement-completed.png", full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "procurement-390.png", full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/notifications/")
    walk.accessible(page, "notifications")

    # the auditor lands on the audit index and reads the whole procurement in words
    auditor = walk.page("auditor")
    assert auditor.url.endswith("/audit/")
    walk.accessible(auditor, "audit index")
    auditor.get_by_role("link", name="Kainuun yrityspalveluallianssi").click()
    walk.accessible(auditor, "audit history")
    assert "task_completed" not in auditor.locator("table").inner_text()  # event names in words
    auditor.locator('a[href*="/step/"]').first.click()  # an early step: replaying all 300 takes long
    walk.accessible(auditor, "audit step")
    tasks_mailed = [s for _r, s in walk.mailbox.received if s.startswith("Uusi tehtävä / New task:")]
    assert len(tasks_mailed) >= 50, len(tasks_mailed)
    assert any(s.startswith("Hankinnan tulos") for s in walk.mailbox.subjects("uraverkko.tenderer@example.fi"))
