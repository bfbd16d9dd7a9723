"""Server-side sign-in sessions: a random token the client keeps, a row the server can end.

A signed cookie alone stays valid until it expires, whoever holds it; here every request asks
for the row, so signing out, or an administrator revoking a user's sessions, ends them at once.
Only the SHA-256 of each token is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from engine.determinism import utc_now
from engine.models import UserSession
from engine.storage import Database


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    def __init__(self, database: Database, lifetime: timedelta = timedelta(hours=8)):
        self.db = database
        self.lifetime = lifetime

    def create(self, username: str, now: datetime | None = None) -> str:
        """A new session for the user; returns the token to hand to the client."""
        now = now or utc_now()
        token = secrets.token_urlsafe(32)
        with self.db.write() as session:
            session.execute(delete(UserSession).where(UserSession.expires_at < now))  # keep the table small
            session.add(UserSession(id=_key(token), username=username, created_at=now,
                                    expires_at=now + self.lifetime, revoked_at=None))
        return token

    def user(self, token: str, now: datetime | None = None) -> str | None:
        """The user of a live session, or None when it is unknown, expired or revoked."""
        now = now or utc_now()
        with self.db.read() as session:
            row = session.get(UserSession, _key(token))
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            return None
        return row.username

    def revoke(self, token: str, now: datetime | None = None) -> None:
        with self.db.write() as session:
            session.execute(update(UserSession).where(UserSession.id == _key(token), UserSession.revoked_at.is_(None))
                            .values(revoked_at=now or utc_now()))

    def revoke_user(self, username: str, now: datetime | None = None) -> int:
        """End every live session of a user (an administrator's action); returns how many."""
        now = now or utc_now()
        with self.db.write() as session:
            result = session.execute(update(UserSession).where(
                UserSession.username == username, UserSession.revoked_at.is_(None), UserSession.expires_at > now)
                .values(revoked_at=now))
            return int(result.rowcount)  # type: ignore[attr-defined]

    def live(self, username: str, now: datetime | None = None) -> int:
        now = now or utc_now()
        with self.db.read() as session:
            rows = session.execute(select(UserSession.id).where(
                UserSession.username == username, UserSession.revoked_at.is_(None),
                UserSession.expires_at > now)).all()
        return len(rows)
