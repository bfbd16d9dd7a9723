"""API tokens: how systems act. A token acts as one member (organisation, role) until it expires
or is revoked; its actor name in the audit log is `token:<name>`.

The secret is shown once, when the token is made, and stored only as its SHA-256: a token is
256 random bits, so a fast hash is as safe as a slow one and lets every request be checked
cheaply. The token's id is part of the secret (`alli_<id>_<random>`) so a check is one row
look-up and a constant-time comparison.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from engine.errors import Conflict, EngineError
from engine.models import Base, UTCDateTime
from engine.storage import Database
from engine.types import Membership

ACTOR_PREFIX = "token:"
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
SECRET = re.compile(r"^alli_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


# The token a request acts with, known for the request's length: a command then needs no second database
# connection to learn the token's membership while its transaction holds one (a pool could run dry).
_acting: ContextVar[TokenView | None] = ContextVar("acting_token", default=None)


def act_as(token: TokenView | None) -> Token[TokenView | None]:
    return _acting.set(token)


def stop_acting(handle: Token[TokenView | None]) -> None:
    _acting.reset(handle)


class TokenInvalid(EngineError):
    """A token that does not exist, was revoked or has expired (all look the same to the caller)."""


class TokenNotFound(EngineError):
    pass


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    organisation: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(200))


class ApiCall(Base):
    """Every call made with a token, by the token's name: an append-only access log (the changes
    themselves are also in the instances' hash-chained audit log, as `token:<name>`)."""

    __tablename__ = "api_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_name: Mapped[str] = mapped_column(String(64), index=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    status: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class CallView:
    token_name: str
    method: str
    path: str
    status: int
    at: datetime


@dataclass(frozen=True)
class TokenView:
    name: str
    organisation: str
    role: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    @property
    def actor(self) -> str:
        return ACTOR_PREFIX + self.name

    @property
    def membership(self) -> Membership:
        return Membership(self.organisation, self.role)

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


def _view(row: ApiToken) -> TokenView:
    return TokenView(row.name, row.organisation, row.role, row.created_by, row.created_at, row.expires_at,
                     row.revoked_at)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_name(actor: str) -> str | None:
    """The token's name when the actor is a token, else None."""
    return actor[len(ACTOR_PREFIX):] if actor.startswith(ACTOR_PREFIX) else None


class TokenStore:
    def __init__(self, database: Database):
        self.db = database

    def create(self, name: str, organisation: str, role: str, lifetime: timedelta, created_by: str,
               now: datetime) -> tuple[TokenView, str]:
        """A new token and its secret (shown once; only its hash is kept)."""
        if not NAME.match(name):
            raise TokenInvalid("a token name is 1–63 lower-case letters, digits, '.', '_' or '-'")
        if not timedelta(0) < lifetime <= timedelta(days=366):
            raise TokenInvalid("a token lives more than 0 and at most 366 days")
        token_id = secrets.token_hex(8)
        secret = f"alli_{token_id}_{secrets.token_urlsafe(32)}"
        row = ApiToken(id=token_id, name=name, organisation=organisation, role=role, secret_sha256=_digest(secret),
                       created_by=created_by, created_at=now, expires_at=now + lifetime)
        try:
            with self.db.write() as session:
                session.add(row)
        except IntegrityError:
            raise Conflict(f"a token named {name!r} exists already") from None
        return _view(row), secret

    def revoke(self, name: str, revoked_by: str, now: datetime) -> TokenView:
        with self.db.write() as session:
            row = session.execute(select(ApiToken).where(ApiToken.name == name)).scalar_one_or_none()
            if row is None:
                raise TokenNotFound(f"no token {name!r}")
            if row.revoked_at is None:
                row.revoked_at, row.revoked_by = now, revoked_by
            return _view(row)

    def all(self) -> list[TokenView]:
        with self.db.read() as session:
            rows = session.execute(select(ApiToken).order_by(ApiToken.created_at, ApiToken.name)).scalars().all()
        return [_view(r) for r in rows]

    def record_call(self, name: str, method: str, path: str, status: int, at: datetime) -> None:
        with self.db.write() as session:
            session.add(ApiCall(token_name=name, method=method, path=path[:500], status=status, at=at))

    def calls(self, name: str, limit: int = 100) -> list[CallView]:
        """The token's latest calls, newest first."""
        with self.db.read() as session:
            rows = session.execute(select(ApiCall).where(ApiCall.token_name == name)
                                   .order_by(ApiCall.id.desc()).limit(limit)).scalars().all()
        return [CallView(r.token_name, r.method, r.path, r.status, r.at) for r in rows]

    def last_used(self) -> dict[str, datetime]:
        """Token name → the time of its latest call."""
        with self.db.read() as session:
            found = session.execute(select(ApiCall.token_name, func.max(ApiCall.at)).group_by(ApiCall.token_name))
            return {name: at for name, at in found}

    def authenticate(self, secret: str, now: datetime) -> TokenView:
        """The active token with this secret, or TokenInvalid (unknown, revoked and expired alike)."""
        found = SECRET.match(secret)
        if found is None:
            raise TokenInvalid("not a token")
        with self.db.read() as session:
            row = session.get(ApiToken, found.group(1))
        if row is None or not hmac.compare_digest(row.secret_sha256, _digest(secret)):
            raise TokenInvalid("unknown token")
        view = _view(row)
        if not view.active(now):
            raise TokenInvalid("the token was revoked or has expired")
        return view

    def memberships(self, actor: str, clock: Callable[[], datetime]) -> list[Membership] | None:
        """A token actor's one membership while it is active ([] after); None when not a token actor."""
        name = token_name(actor)
        if name is None:
            return None
        acting = _acting.get()
        if acting is not None and acting.name == name:
            return [acting.membership] if acting.active(clock()) else []
        with self.db.read() as session:
            row = session.execute(select(ApiToken).where(ApiToken.name == name)).scalar_one_or_none()
        if row is None or not _view(row).active(clock()):
            return []
        return [Membership(row.organisation, row.role)]
