"""Reminders and notifications (issue 11: "No notifications of any kind"; "Losing tenderers never see the
outcome"; "tenderers never see the round's agenda"): the outbox records one notification per recipient and
event, the worker's round sends it over SMTP to a real local server (aiosmtpd), retries while the server is
down, and the app lists each user's notifications."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from engine.outbox import Outbox
from tests.web.conftest import DEMO_PASSWORD, AllianceSite, Browser, alliance_app
from tests.workflows import scenario as s
from tests.workflows.driver import Clock as DriverClock
from tests.workflows.driver import Procurement
from workflows.background import tick
from workflows.directory import demo_directory

UNIT = "kainuu.procurement"


class Inbox:
    """aiosmtpd's handler: every message that arrives, as (recipients, parsed message)."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"

    def to(self, address: str) -> list[str]:
        return [str(m["Subject"]) for rcpts, m in self.received if address in rcpts]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MailServer:
    """A real SMTP server on a local port that can be taken down and brought back."""

    def __init__(self) -> None:
        self.inbox, self.port = Inbox(), _free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


def test_tasks_and_tenderer_information_are_mailed_once(tmp_path: Path, smtp: MailServer) -> None:
    inbox, url, server = smtp.inbox, smtp.url, smtp
    clock = DriverClock()
    app = alliance_app(f"sqlite:///{tmp_path / 'mail.db'}", clock)
    site = AllianceSite(app, app.extensions["allianssi"].engine, clock)
    p = Procurement(app.extensions["allianssi"].database, clock, demo_directory())
    directory = demo_directory()
    s.start(p, candidates=["kajaani"])

    done = tick(site.engine, directory, "http://allianssi.test", url)
    assert done.recorded == done.sent == 1 and inbox.to("kajaani.council@example.fi") == [
        "Uusi tehtävä / New task: Kunnan päätös allianssiin liittymisestä"]
    [(_rcpts, message)] = inbox.received
    task = p.task("kajaani.council", "decide_joining").id
    assert f"http://allianssi.test/tasks/{task}" in message.get_content()
    assert tick(site.engine, directory, "http://allianssi.test", url).recorded == 0  # once per recipient and event

    server.stop()  # the mail server is down: nothing is lost, the attempt is counted and retried
    s.decide_joining(p, {"kajaani": True})
    down = tick(site.engine, directory, "http://allianssi.test", url)
    assert down.recorded == 2 and down.sent == 0 and down.failed == 2  # both orderers' assessment task
    server.start()
    outbox = Outbox(site.engine.db)
    assert tick(site.engine, directory, "http://allianssi.test", url).sent == 0  # waits before retrying
    clock.set("2026-01-12", 12)
    assert tick(site.engine, directory, "http://allianssi.test", url).sent == 2
    assert all(n.sent_at for n in outbox.about(p.instance_id))
    assert len(inbox.to("kainuu.orderer@example.fi")) == 1 and len(inbox.to("kajaani.orderer@example.fi")) == 1

    # the tenderers hear of the invitation and of each round's agenda (communications in the data)
    s.assess_and_vote(p, {"kainuu": True, "kajaani": True})
    s.joint_unit(p, ["kainuu", "kajaani"])
    s.publish_notice(p, UNIT)
    s.select_candidates(p, UNIT, s.TENDERERS, s.TENDERERS, s.TENDERERS)
    s.invite(p, UNIT)
    tick(site.engine, directory, "http://allianssi.test", url)
    for org in s.TENDERERS:
        subjects = inbox.to(f"{org}.tenderer@example.fi")
        assert "Kutsu / Invitation: TP-1" in subjects, subjects
        assert any(x.startswith("Uusi tehtävä / New task: Alustavan tarjouksen") for x in subjects)

    tenderer = Browser(app.test_client())
    assert tenderer.sign_in("yrityspolku.tenderer", DEMO_PASSWORD).status_code == 302
    page = tenderer.text("/notifications/")
    assert "Kutsu: TP-1" in page and "Uusi tehtävä: Alustavan tarjouksen jättäminen" in page
    assert "Kunnan päätös" not in page  # only one's own

    # the equal-treatment view counts what actually reached each tenderer, not only what was recorded
    auditor = Browser(app.test_client())
    assert auditor.sign_in("auditor", DEMO_PASSWORD).status_code == 302
    page = auditor.text(f"/audit/{p.instance_id}/equal-treatment")
    invitation = page[page.index("invitation: TP-1"):].split("</tr>")[0]
    assert invitation.count("1 sähköposti toimitettu") == 3, invitation


def test_reminders_before_the_deadline_and_escalation_when_overdue(tmp_path: Path) -> None:
    from workflows.notifications import collect

    clock = DriverClock()
    app = alliance_app(f"sqlite:///{tmp_path / 'remind.db'}", clock)
    p = Procurement(app.extensions["allianssi"].database, clock, demo_directory())
    s.through_strategy(p, ["kainuu", "kajaani"])
    s.joint_unit(p, ["kainuu", "kajaani"])
    s.publish_notice(p, UNIT)
    s.select_candidates(p, UNIT, s.TENDERERS, s.TENDERERS, s.TENDERERS)
    s.invite(p, UNIT)  # initial tenders due 17.3.2026
    engine, directory = app.extensions["allianssi"].engine, demo_directory()

    def keys(day: str, hour: int = 9) -> set[tuple[str, str]]:
        return {(d.recipient, d.key.rsplit(":", 1)[1]) for d in collect(engine, directory, clock.set(day, hour), "")
                if d.key.startswith("task:")}

    assert ("yrityspolku.tenderer", "due") not in keys("2026-03-13")  # four days before: not yet
    assert ("yrityspolku.tenderer", "due") in keys("2026-03-14")      # three days before
    late = keys("2026-03-18", 1)  # past the deadline, before the timer has moved the procurement on
    assert ("yrityspolku.tenderer", "overdue") in late
    assert ("kainuu.procurement", "escalated") in late  # the lead orderer's procurement people
    assert ("kajaani.procurement", "escalated") not in late
