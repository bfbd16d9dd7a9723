"""Messages from outside, routed by business key and correlation values, each delivered at most once.

A system sends "a message named N for the instance with business key K, from the party whose
data says X": the instance is found by its key only (never "the first instance that waits"),
and inside it exactly one waiting catch event must match every correlation value (a dotted
path into the catching task's data, e.g. `tender.organisation`). No match, several matches or
an idempotency key the sender has used before: the message is refused and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import execution
from engine.errors import Conflict, InstanceNotFound, NotAllowed
from engine.models import Base, Instance, UTCDateTime

if TYPE_CHECKING:
    from engine.runtime import _Step
    from engine.storage import Database
    from engine.types import AssignmentResolver, InstanceView


class MessageRefused(Conflict):
    """The message matches no waiting catch event, several of them, or was delivered already."""


class DeliveredMessage(Base):
    """An idempotency key a sender has used, with where its message went. Only ever added to."""

    __tablename__ = "delivered_messages"

    sender: Mapped[str] = mapped_column(String(200), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime())


def _value_at(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


_MISSING = object()


def matches(data: Mapping[str, Any], correlation: Mapping[str, Any]) -> bool:
    return all(_value_at(data, path) == expected for path, expected in correlation.items())


class MessageRouting:
    """`Engine.route_message`: the engine's `_command` pipeline does the rest."""

    db: Database
    resolver: AssignmentResolver

    def _command(self, instance_id: str, actor: str, act: Any, expected_version: int | None = None,
                 at: datetime | None = None, require_change: bool = False, skip_locked: bool = False) -> Any:
        raise NotImplementedError

    def _add_participants(self, session: Session, instance_id: str, memberships: Any) -> None:
        raise NotImplementedError

    def route_message(self, business_key: str, name: str, payload: Mapping[str, Any], actor: str,
                      correlation: Mapping[str, Any] | None = None,
                      idempotency_key: str | None = None) -> InstanceView:
        from engine.runtime import _plain, _Step

        clean = _plain(payload)
        wanted = _plain(correlation or {})
        with self.db.read() as session:
            instance_id = session.execute(select(Instance.id).where(Instance.business_key == business_key)).scalar()
        if instance_id is None:
            raise InstanceNotFound(f"no instance with the business key {business_key!r}")

        def act(session: Session, row: Instance, workflow: Any) -> _Step:
            if idempotency_key is not None and session.get(DeliveredMessage, (actor, idempotency_key)) is not None:
                raise MessageRefused(f"a message with the idempotency key {idempotency_key!r} was already delivered")
            named = [m for m in execution.awaited_messages(workflow) if m.name == name]
            if not named:
                raise MessageRefused(f"{business_key} is not waiting for the message {name!r}")
            candidates = [m for m in named if matches(m.data, wanted)]
            if not candidates:
                raise MessageRefused(f"no catch event of {business_key} waiting for {name!r} matches "
                                     f"the correlation values {wanted}")
            if len({m.task_id for m in candidates}) > 1:
                raise MessageRefused(f"{len(candidates)} catch events of {business_key} waiting for {name!r} match "
                                     f"the correlation values {wanted}: add values that tell them apart")
            chosen = candidates[0]
            role = chosen.properties.get("sender_role")
            if role and not self.resolver.may_act(actor, self.resolver.assign(role, chosen.data)):
                raise NotAllowed(f"{actor} may not send {name!r} to this instance")
            execution.deliver_message(workflow, name, clean, task_id=chosen.task_id)
            if idempotency_key is not None:
                session.add(DeliveredMessage(sender=actor, idempotency_key=idempotency_key, instance_id=row.id,
                                             name=name, delivered_at=datetime.now(UTC)))
            self._add_participants(session, row.id, self.resolver.memberships(actor))
            return _Step("message_received", None, {
                "op": "message", "name": name, "payload": clean, "catch_task_id": chosen.task_id,
                "element_id": chosen.element_id, "correlation": wanted, "idempotency_key": idempotency_key})
        try:
            return self._command(instance_id, actor, act)
        except IntegrityError:  # the same key, delivered to another instance at the same moment
            raise MessageRefused(f"a message with the idempotency key {idempotency_key!r} "
                                 "was already delivered") from None
