"""Equal treatment of tenderers in the negotiated procedure (Act 1397/2016 §35; DOMAIN.md).

    equal_treatment(instance_view, history, tolerance=timedelta(0)) -> EqualTreatmentReport

Every remaining tenderer must get the same information at the same time: invitations, changes
to the documents, questions and answers, results. This module reads what each tenderer was
sent, and when, from the audit history (the command events' data) and the instance data, and
flags an information item that reached some remaining tenderers and not others, or reached
them at different times.

What counts as a sending (`Dispatch`), in a command event's data or in the instance data:

* `communication` / `communications`: one or a list of
  `{"kind": ..., "subject": ..., "recipients": [ids or {"organisation": id}], "sent_at"?: ISO}`;
* or top-level `recipients` / `sent_to` with `subject` (or `information_item`) and `kind`.

Without `sent_at` a sending happened at the time of its audit event. An item is identified by
(kind, subject). Kinds: invitation, document_change, question, answer, result, information.

Which notice each tenderer saw (`notices_seen`): every notice recorded as sent is archived in a
`file_attached` event (its notice identifier, version and kind: the contract notice, then each
change notice); every sending to a tenderer and every tender it submitted is a command event. The
hash chain fixes their order, so for each sending and submission the notice in force is the last
notice archived before it in the chain — recorded, not inferred from clocks.

Who is *remaining* when an item goes out: the invited tenderers (`selection.invited`,
`tenderers`, `invited`) and anyone who received something, minus those dropped before. A drop
(`dropped`, `dropped_tenderers`: `{"organisation", "at"?}`) with a time counts from that time;
without one, from after the last item the dropped tenderer received.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from engine import AuditEvent, InstanceView

KINDS = ("invitation", "document_change", "question", "answer", "result", "information")
COMMAND_OPS = frozenset({"start", "complete", "message"})


@dataclass(frozen=True)
class Dispatch:
    """One information item sent to one tenderer."""

    kind: str
    subject: str
    organisation: str
    at: datetime
    seq: int | None  # audit sequence of the event that sent it (None: from the instance data only)
    actor: str | None = None

    @property
    def item(self) -> tuple[str, str]:
        return (self.kind, self.subject)


@dataclass(frozen=True)
class ItemFinding:
    """One information item across the tenderers remaining when it was first sent."""

    kind: str
    subject: str
    first_sent: datetime
    received: Mapping[str, datetime]  # organisation -> when it got the item first
    missing: tuple[str, ...]  # remaining tenderers that never got it
    spread: timedelta  # last receipt minus first receipt

    def flagged(self, tolerance: timedelta = timedelta(0)) -> bool:
        return bool(self.missing) or self.spread > tolerance

    @property
    def reasons(self) -> list[str]:
        out = []
        if self.missing:
            out.append("not sent to " + ", ".join(self.missing))
        if self.spread > timedelta(0):
            out.append(f"sent at different times (spread {self.spread})")
        return out


@dataclass(frozen=True)
class NoticeVersion:
    """A notice recorded as sent (archived): eForms notice identifier and version (BT-701, BT-757)."""

    notice_id: str
    version: str
    kind: str
    seq: int
    at: datetime

    def __str__(self) -> str:
        return f"{self.kind} {self.notice_id}-{self.version}"


@dataclass(frozen=True)
class NoticeSeen:
    """What a tenderer was sent or submitted, and the notice in force then (None: before any notice)."""

    organisation: str
    what: str          # "invitation: TP-1", "tender: submit_final_tender"
    seq: int | None    # its audit event (None: a sending recorded in the instance data only)
    at: datetime
    notice: NoticeVersion | None


@dataclass(frozen=True)
class EqualTreatmentReport:
    tenderers: tuple[str, ...]
    timeline: Mapping[str, tuple[Dispatch, ...]]  # per tenderer, in time order
    items: tuple[ItemFinding, ...]
    tolerance: timedelta = timedelta(0)
    dropped: Mapping[str, datetime | None] = field(default_factory=dict)
    notices: tuple[NoticeVersion, ...] = ()
    seen: Mapping[str, tuple[NoticeSeen, ...]] = field(default_factory=dict)  # per tenderer, in chain order

    @property
    def flagged(self) -> tuple[ItemFinding, ...]:
        return tuple(i for i in self.items if i.flagged(self.tolerance))

    @property
    def ok(self) -> bool:
        return not self.flagged


def organisation_ids(value: Any) -> list[str]:
    out: list[str] = []
    if isinstance(value, str):
        parts: Iterable[Any] = [p.strip() for p in value.replace(";", ",").replace("\n", ",").split(",")]
    elif isinstance(value, Mapping):
        parts = [value.get("organisation")]
    elif isinstance(value, list | tuple):
        parts = value
    else:
        parts = []
    for part in parts:
        for org in ([part] if isinstance(part, str) else organisation_ids(part)):
            if org and org not in out:
                out.append(org)
    return out


def _moment(value: Any, default: datetime) -> datetime:
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return default
        return moment if moment.tzinfo else moment.replace(tzinfo=default.tzinfo)
    return value if isinstance(value, datetime) else default


def _communications(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for key in ("communication", "communications"):
        value = data.get(key)
        if isinstance(value, Mapping):
            found.append(value)
        elif isinstance(value, list):
            found.extend(v for v in value if isinstance(v, Mapping))
    recipients = data.get("recipients", data.get("sent_to"))
    if recipients:
        found.append({"kind": data.get("kind"), "subject": data.get("subject", data.get("information_item")),
                      "recipients": recipients, "sent_at": data.get("sent_at")})
    return found


def _dispatches(communications: Iterable[Mapping[str, Any]], at: datetime, seq: int | None,
                actor: str | None) -> list[Dispatch]:
    out: list[Dispatch] = []
    for c in communications:
        kind = str(c.get("kind") or "information")
        subject = str(c.get("subject") or kind)
        when = _moment(c.get("sent_at"), at)
        out.extend(Dispatch(kind, subject, org, when, seq, actor) for org in organisation_ids(c.get("recipients")))
    return out


def dispatches(instance_view: InstanceView, history: Sequence[AuditEvent]) -> list[Dispatch]:
    """Every sending found in the command events and in the instance data, in time order, once each."""
    found: list[Dispatch] = []
    for event in history:
        payload = event.payload
        if payload.get("op") not in COMMAND_OPS:
            continue
        data = payload.get("payload") if payload.get("op") == "message" else payload.get("data")
        if isinstance(data, Mapping):
            found.extend(_dispatches(_communications(data), event.at, event.seq, event.actor))
    fallback = instance_view.updated_at
    seen = {(d.kind, d.subject, d.organisation, d.at) for d in found}
    for d in _dispatches(_communications(instance_view.data), fallback, None, None):
        if (d.kind, d.subject, d.organisation, d.at) not in seen:
            found.append(d)
    return sorted(found, key=lambda d: (d.at, d.seq or 0, d.organisation))


def _invited(data: Mapping[str, Any]) -> list[str]:
    selection = data.get("selection")
    invited = organisation_ids(selection.get("invited")) if isinstance(selection, Mapping) else []
    for key in ("tenderers", "invited"):
        invited += [o for o in organisation_ids(data.get(key)) if o not in invited]
    return invited


def _drops(data: Mapping[str, Any], sent: Sequence[Dispatch],
           instance_epoch: datetime) -> dict[str, datetime | None]:
    """Dropped tenderer -> from when it no longer counts as remaining."""
    drops: dict[str, datetime | None] = {}
    for key in ("dropped", "dropped_tenderers"):
        value = data.get(key)
        for entry in value if isinstance(value, list) else []:
            org = organisation_ids(entry)
            if not org:
                continue
            at = entry.get("at") if isinstance(entry, Mapping) else None
            last = max((d.at for d in sent if d.organisation == org[0]), default=None)
            when = _moment(at, last or instance_epoch) if at else last
            drops[org[0]] = when if at else (when + timedelta(microseconds=1) if when else None)
    return drops


def _remaining(tenderers: Sequence[str], drops: Mapping[str, datetime | None], at: datetime) -> list[str]:
    out = []
    for org in tenderers:
        if org in drops:
            dropped_at = drops[org]
            if dropped_at is None or dropped_at <= at:
                continue
        out.append(org)
    return out


# the tenderer's own submissions in the negotiated procedure (alliance_negotiation.bpmn)
SUBMISSIONS = ("submit_initial_tender", "submit_revised_tender", "submit_final_tender")


def notice_versions(history: Sequence[AuditEvent]) -> list[NoticeVersion]:
    """The notices recorded as sent, in chain order."""
    found = []
    for event in history:
        if event.type != "file_attached":
            continue
        for ref in event.payload.get("files") or []:
            if isinstance(ref, Mapping) and ref.get("notice") and ref.get("notice_id"):
                found.append(NoticeVersion(str(ref["notice_id"]), str(ref.get("version") or "01"),
                                           str(ref["notice"]), event.seq, event.at))
    return found


def notices_seen(history: Sequence[AuditEvent], sent: Sequence[Dispatch],
                 organisations_of: Callable[[str], Iterable[str]] | None = None) -> dict[str, list[NoticeSeen]]:
    """Per tenderer: each sending to it and each tender it submitted, with the notice in force then.
    A submission's tenderer is its actor's organisation (`organisations_of(user)`), when given."""
    notices = notice_versions(history)

    def in_force(seq: int | None, at: datetime) -> NoticeVersion | None:
        # by the chain's order; a sending found only in the instance data (a script's record) by its time
        return next((n for n in reversed(notices) if (n.seq < seq if seq is not None else n.at <= at)), None)

    seen: dict[str, list[NoticeSeen]] = {}
    for d in sent:
        seen.setdefault(d.organisation, []).append(NoticeSeen(d.organisation, f"{d.kind}: {d.subject}",
                                                              d.seq, d.at, in_force(d.seq, d.at)))
    if organisations_of is not None:
        for event in history:
            element = event.payload.get("element_id")
            if event.type == "task_completed" and element in SUBMISSIONS:
                for org in organisations_of(event.actor):
                    seen.setdefault(org, []).append(NoticeSeen(org, f"tender: {element}", event.seq, event.at,
                                                               in_force(event.seq, event.at)))
    return {org: sorted(items, key=lambda i: i.at) for org, items in seen.items()}


def equal_treatment(instance_view: InstanceView, history: Sequence[AuditEvent],
                    tolerance: timedelta = timedelta(0),
                    organisations_of: Callable[[str], Iterable[str]] | None = None) -> EqualTreatmentReport:
    """Per tenderer what it was sent and when; each item checked against the remaining tenderers; and the
    notice version in force at each sending and submission."""
    sent = dispatches(instance_view, history)
    tenderers = _invited(instance_view.data)
    tenderers += [o for o in dict.fromkeys(d.organisation for d in sent) if o not in tenderers]
    drops = _drops(instance_view.data, sent, instance_view.started_at)
    by_item: dict[tuple[str, str], list[Dispatch]] = {}
    for d in sent:
        by_item.setdefault(d.item, []).append(d)
    findings = []
    for (kind, subject), group in by_item.items():
        first = min(d.at for d in group)
        received: dict[str, datetime] = {}
        for d in group:
            received.setdefault(d.organisation, d.at)
        expected = _remaining(tenderers, drops, first)
        among = [received[o] for o in expected if o in received]
        spread = (max(among) - min(among)) if among else timedelta(0)
        findings.append(ItemFinding(kind, subject, first, received,
                                    tuple(o for o in expected if o not in received), spread))
    findings.sort(key=lambda f: f.first_sent)
    timeline = {org: tuple(d for d in sent if d.organisation == org) for org in tenderers}
    seen = notices_seen(history, sent, organisations_of)
    return EqualTreatmentReport(tuple(tenderers), timeline, tuple(findings), tolerance, drops,
                                tuple(notice_versions(history)),
                                {org: tuple(seen.get(org, ())) for org in tenderers})
