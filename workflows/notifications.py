"""Who is told what, and when: the procurement's notifications, recorded in the engine's outbox.

    collect(engine, directory, now, base_url) -> list of engine.outbox.Draft

* a task arrives: everyone holding the task's role in one of its organisations;
* `REMIND_DAYS` days (or fewer) before its deadline, and once it is overdue: the same people; an overdue
  task is escalated to the procurement unit's lead (the `lead_orderer`'s procurement people);
* every information item sent to tenderers (`communications` in the data: invitations, each round's
  agenda and document changes, the result): each recipient organisation's tenderer users.

Texts are in Finnish and English, as the diagrams' own messages are. Keys make each event once per
recipient (the outbox keeps (recipient, key) unique), so collecting again records nothing new.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlparse

from engine import Engine, InstanceView, TaskView
from engine.outbox import Draft, Sent
from workflows.calendar import HELSINKI
from workflows.directory import Directory, User

REMIND_DAYS = 3
KINDS = {"invitation": "Kutsu / Invitation", "information": "Tiedote / Information",
         "document_change": "Asiakirjamuutos / Document change", "question": "Kysymys / Question",
         "answer": "Vastaus / Answer", "result": "Hankinnan tulos / Outcome of the procurement"}


def _title(instance: InstanceView) -> str:
    title = instance.data.get("title")
    return title if isinstance(title, str) and title else (instance.business_key or instance.process_id)


def _day(moment: datetime) -> str:
    return moment.astimezone(HELSINKI).strftime("%-d.%-m.%Y")


def _last_day(due: datetime) -> date:
    here = due.astimezone(HELSINKI)
    return (here.date().fromordinal(here.date().toordinal() - 1)
            if (here.hour, here.minute, here.second) == (0, 0, 0) else here.date())


def _holders(directory: Directory, organisations: Iterable[str], role: str | None) -> list[User]:
    found: dict[str, User] = {}
    for organisation in organisations:
        for user in directory.users_in(organisation, role or ""):
            found[user.username] = user
    return list(found.values())


def _task_drafts(task: TaskView, instance: InstanceView, directory: Directory, now: datetime,
                 base_url: str) -> list[Draft]:
    title, link = _title(instance), f"{base_url}/tasks/{task.id}"
    people = _holders(directory, task.organisations, task.role)
    due = f"\nMääräaika / due: {_day(task.due_at)}" if task.due_at else ""
    drafts = [Draft(u.username, u.email, f"task:{task.id}:new", f"Uusi tehtävä / New task: {task.name}",
                    f"{title}\n{task.name}{due}\n{link}", link, instance.id) for u in people]
    if task.due_at is None:
        return drafts
    left = (_last_day(task.due_at) - now.astimezone(HELSINKI).date()).days
    if 0 <= left <= REMIND_DAYS:
        drafts += [Draft(u.username, u.email, f"task:{task.id}:due", f"Määräaika lähestyy / Due soon: {task.name}",
                         f"{title}\n{task.name}{due}\n{link}", link, instance.id) for u in people]
    if task.due_at <= now:
        drafts += [Draft(u.username, u.email, f"task:{task.id}:overdue", f"Myöhässä / Overdue: {task.name}",
                         f"{title}\n{task.name}{due}\n{link}", link, instance.id) for u in people]
        lead = instance.data.get("lead_orderer")
        for user in _holders(directory, [lead] if isinstance(lead, str) else [], "procurement_unit"):
            drafts.append(Draft(user.username, user.email, f"task:{task.id}:escalated",
                                f"Myöhässä, tiedoksi / Overdue, for your attention: {task.name}",
                                f"{title}\n{task.name}{due}\n"
                                f"Tehtävä on myöhässä / the task is overdue.\n{link}", link, instance.id))
    return drafts


def _recipients(value: Any) -> list[str]:
    items = value if isinstance(value, list) else []
    return [str(i["organisation"]) if isinstance(i, Mapping) else str(i) for i in items]


def _communication_drafts(instance: InstanceView, directory: Directory, base_url: str) -> list[Draft]:
    link, drafts = f"{base_url}/procurements/{instance.id}", []
    communications = instance.data.get("communications")
    for index, item in enumerate(communications if isinstance(communications, list) else []):
        if not isinstance(item, Mapping):
            continue
        kind = KINDS.get(str(item.get("kind")), str(item.get("kind")))
        subject = str(item.get("subject", ""))
        for user in _holders(directory, _recipients(item.get("recipients")), "tenderer"):
            drafts.append(Draft(user.username, user.email, f"{instance.id}:communication:{index}",
                                f"{kind}: {subject}", f"{_title(instance)}\n{kind}: {subject}\n{link}", link,
                                instance.id))
    return drafts


def collect(engine: Engine, directory: Directory, now: datetime, base_url: str) -> list[Draft]:
    """Every notification the running procurements call for now (already recorded ones included)."""
    drafts: list[Draft] = []
    for instance in engine.instances(status="running", limit=10_000):
        for task in instance.open_tasks:
            drafts += _task_drafts(task, instance, directory, now, base_url)
        drafts += _communication_drafts(instance, directory, base_url)
    for instance in engine.instances(status="completed", limit=10_000):
        drafts += _communication_drafts(instance, directory, base_url)
    return drafts


def smtp_sender(url: str, sender: str = "allianssi@localhost") -> Any:
    """send(notification) over SMTP at `url` (smtp://[user:password@]host:port; starttls with ?starttls)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("smtp", "smtps"):
        raise ValueError(f"SMTP_URL must start smtp:// or smtps://, not {url!r}")

    def send(item: Sent) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, item.email, item.subject
        message.set_content(item.body)
        client = smtplib.SMTP_SSL if parsed.scheme == "smtps" else smtplib.SMTP
        with client(parsed.hostname or "localhost", parsed.port or (465 if parsed.scheme == "smtps" else 25),
                    timeout=10) as smtp:
            if "starttls" in parsed.query:
                smtp.starttls()
            if parsed.username:
                smtp.login(unquote(parsed.username), unquote(parsed.password or ""))
            smtp.send_message(message)
    return send
