"""The outbox: notifications recorded in the database and sent later by a worker.

Recording is idempotent — (recipient, key) is unique, so telling the same person about the same event
twice records nothing new. Sending marks a row sent, or counts the failed attempt and sets when to try
again (the wait doubles, up to an hour), so a mail server that is down delays messages, never loses them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.models import Notification
from engine.storage import Database

MAX_WAIT = timedelta(hours=1)


@dataclass(frozen=True)
class Draft:
    """A notification to record: who, about what (`key` names the event), and what to say."""

    recipient: str
    email: str
    key: str
    subject: str
    body: str
    link: str
    instance_id: str | None = None


@dataclass(frozen=True)
class Sent:
    id: int
    recipient: str
    email: str
    key: str
    subject: str
    body: str
    link: str
    instance_id: str | None
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None


def _view(row: Notification) -> Sent:
    return Sent(row.id, row.recipient, row.email, row.key, row.subject, row.body, row.link, row.instance_id,
                row.created_at, row.sent_at, row.attempts, row.last_error)


class Outbox:
    def __init__(self, database: Database):
        self.db = database

    def record(self, drafts: Iterable[Draft], at: datetime) -> int:
        """Record the drafts not recorded before; returns how many are new."""
        drafts = list(drafts)
        if not drafts:
            return 0
        with self.db.read() as session:
            known = {(r[0], r[1]) for r in session.execute(select(Notification.recipient, Notification.key).where(
                Notification.recipient.in_({d.recipient for d in drafts})))}
        new = [d for d in {(d.recipient, d.key): d for d in drafts}.values() if (d.recipient, d.key) not in known]
        added = 0
        for draft in new:
            try:
                with self.db.write() as session:
                    session.add(Notification(recipient=draft.recipient, email=draft.email, key=draft.key,
                                             instance_id=draft.instance_id, subject=draft.subject[:500],
                                             body=draft.body, link=draft.link[:500], created_at=at, sent_at=None,
                                             attempts=0, next_attempt_at=at, last_error=None))
                added += 1
            except IntegrityError:
                continue  # another worker recorded it meanwhile: at most once
        return added

    def send_due(self, send: Callable[[Sent], None], now: datetime, limit: int = 100) -> tuple[int, int]:
        """Send every unsent notification whose time has come with `send`; (sent, failed)."""
        with self.db.read() as session:
            due = [_view(r) for r in session.execute(
                select(Notification).where(Notification.sent_at.is_(None), Notification.next_attempt_at <= now)
                .order_by(Notification.id).limit(limit)).scalars()]
        sent = failed = 0
        for item in due:
            try:
                send(item)
            except Exception as error:  # noqa: BLE001 - any failure to send is retried later, and said
                failed += 1
                with self.db.write() as session:
                    row = session.get(Notification, item.id)
                    assert row is not None
                    row.attempts += 1
                    row.last_error = f"{type(error).__name__}: {error}"[:2000]
                    row.next_attempt_at = now + min(MAX_WAIT, timedelta(seconds=30 * 2 ** (row.attempts - 1)))
                continue
            sent += 1
            with self.db.write() as session:
                row = session.get(Notification, item.id)
                assert row is not None
                row.attempts += 1
                row.sent_at = now
                row.last_error = None
        return sent, failed

    def of(self, recipient: str, limit: int = 200) -> list[Sent]:
        """A recipient's notifications, newest first."""
        with self.db.read() as session:
            return [_view(r) for r in session.execute(
                select(Notification).where(Notification.recipient == recipient)
                .order_by(Notification.id.desc()).limit(limit)).scalars()]

    def about(self, instance_id: str) -> list[Sent]:
        """Every notification about one instance, oldest first."""
        with self.db.read() as session:
            return [_view(r) for r in session.execute(
                select(Notification).where(Notification.instance_id == instance_id)
                .order_by(Notification.id)).scalars()]
