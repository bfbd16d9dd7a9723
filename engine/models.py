"""Tables of the engine. Alembic migrations in engine/migrations create them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always hands back an aware datetime (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)  # the inbox's sort value of a task without a due date


class Base(DeclarativeBase):
    pass


class ProcessDefinition(Base):
    __tablename__ = "process_definitions"
    __table_args__ = (
        UniqueConstraint("process_id", "version"),
        UniqueConstraint("process_id", "sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    files: Mapped[str] = mapped_column(Text)  # canonical JSON {file name: content}
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deployed_by: Mapped[str] = mapped_column(String(200))


class Instance(Base):
    __tablename__ = "instances"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    business_key: Mapped[str | None] = mapped_column(String(200), index=True, unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(Text)  # SpiffWorkflow's serialized workflow, canonical JSON
    state_digest: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)  # the workflow's data, canonical JSON, for views
    element_states: Mapped[str] = mapped_column(Text)  # element id -> completed|active|waiting
    awaited_messages: Mapped[str] = mapped_column(Text, server_default="[]")  # message names the instance waits for
    started_by: Mapped[str] = mapped_column(String(200))
    # secret per instance, mixed into the id generator's seed: task ids cannot be computed by users,
    # and replay (which reads it) stays exact. NULL for instances started before it existed.
    seed: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OpenTask(Base):
    """A READY human task, with the role and organisations that may do it: the inbox's rows."""

    __tablename__ = "open_tasks"
    # the claimed half of an inbox, read in order (engine/inbox_scope.py)
    __table_args__ = (Index("ix_open_tasks_claimed_inbox", "claimed_by", "due_sort", "created_at", "id",
                            postgresql_where=text("claimed_by IS NOT NULL"),
                            sqlite_where=text("claimed_by IS NOT NULL")),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id"), index=True)
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))
    lane: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200), index=True)
    phase: Mapped[str | None] = mapped_column(String(100))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(200))  # indexed by ix_open_tasks_claimed_inbox
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    properties: Mapped[str] = mapped_column(Text, server_default="{}")  # the task's camunda:properties
    due_sort: Mapped[datetime] = mapped_column(UTCDateTime())  # due_at, or FAR_FUTURE: due dates first


class OpenTaskOrganisation(Base):
    """An open task's assignment to one organisation, with the task's columns the inbox filters and sorts
    by (kept equal to the task's: written with it, claimed_by changed with it), so an actor's inbox page is
    read in order from one index per (organisation, role) (engine/listing.py)."""

    __tablename__ = "open_task_organisations"
    __table_args__ = (Index("ix_open_task_organisations_org_role", "organisation", "role"),
                      Index("ix_open_task_organisations_inbox", "organisation", "role", "due_sort", "created_at",
                            "task_id", postgresql_where=text("claimed_by IS NULL"),
                            sqlite_where=text("claimed_by IS NULL")),
                      Index("ix_open_task_organisations_choices", "organisation", "role", "phase", "instance_id",
                            postgresql_where=text("claimed_by IS NULL"), sqlite_where=text("claimed_by IS NULL")))

    task_id: Mapped[str] = mapped_column(ForeignKey("open_tasks.id", ondelete="CASCADE"), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(200), primary_key=True)
    role: Mapped[str | None] = mapped_column(String(200))
    instance_id: Mapped[str] = mapped_column(String(32))
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    due_sort: Mapped[datetime] = mapped_column(UTCDateTime())  # due_at, or FAR_FUTURE: due dates first
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    phase: Mapped[str | None] = mapped_column(String(100))


class InstanceOrganisation(Base):
    """Every organisation that has taken part in an instance: started it, was assigned one of its
    tasks, or sent it a message. Only ever added to, so a past participant keeps seeing its part."""

    __tablename__ = "instance_organisations"

    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id"), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)


class InstanceParticipantRole(Base):
    """The role in which an organisation took part (the lane of a task it was assigned, or a role of the
    user who started the instance or sent it a message). Only ever added to. Who may see what of an
    instance is decided from these records, never from values in its data."""

    __tablename__ = "instance_participant_roles"

    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id"), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(200), primary_key=True)
    role: Mapped[str] = mapped_column(String(200), primary_key=True)


class DueTimer(Base):
    """A timer the waiting workflow will fire; the worker polls these rows."""

    __tablename__ = "due_timers"

    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id"), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class AuditRecord(Base):
    """Append-only, hash-chained. No code path updates or deletes a row."""

    __tablename__ = "audit_events"

    stream: Mapped[str] = mapped_column(String(64), primary_key=True)  # instance id, or "definitions"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class UserSession(Base):
    """A signed-in session kept on the server, so signing out and an administrator can end it.

    `id` is the SHA-256 of the token the browser holds: the table alone does not let anyone in."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Draft(Base):
    """A designer's unfinished change to a bundle: stored and audited, never run until deployed."""

    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    process_id: Mapped[str | None] = mapped_column(String(200), index=True)  # the process it was opened from
    base_version: Mapped[int | None] = mapped_column(Integer)
    files: Mapped[str] = mapped_column(Text)  # canonical JSON {file name: content}
    status: Mapped[str] = mapped_column(String(20))  # open | deployed
    revision: Mapped[int] = mapped_column(Integer)  # one per save: a stale editor cannot overwrite
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Notification(Base):
    """The outbox: one message to one recipient about one event, recorded once and sent by a worker.
    (recipient, key) is unique, so an event is never told twice to the same person."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("recipient", "key"),
                      Index("ix_notifications_unsent", "sent_at", "next_attempt_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    key: Mapped[str] = mapped_column(String(300))
    instance_id: Mapped[str | None] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class InstanceClock(Base):
    """A demonstration's clock moved forward for one instance: its commands run `offset_seconds` later
    than the engine's clock. Only an engine built for demonstrations writes these rows."""

    __tablename__ = "instance_clocks"

    instance_id: Mapped[str] = mapped_column(String(32), ForeignKey("instances.id"), primary_key=True)
    offset_seconds: Mapped[float] = mapped_column(Float)
