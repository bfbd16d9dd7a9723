"""Equal treatment: an information item that reached only some remaining tenderers is flagged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from engine import AuditEvent, InstanceView
from workflows.equal_treatment import equal_treatment

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
THREE = ["vaara-osaamis", "yrityspolku", "uraverkko"]


def view(data: dict[str, Any]) -> InstanceView:
    return InstanceView(id="i", process_id="alliance_procurement", definition_version=1, business_key=None,
                        status="running", version=5, data=data, started_by="kainuu.orderer", started_at=T0,
                        updated_at=T0 + timedelta(days=30))


def sent(seq: int, minutes: int, kind: str, subject: str, recipients: list[Any]) -> AuditEvent:
    payload = {"op": "complete", "task_id": f"t{seq}", "data": {"communication": {
        "kind": kind, "subject": subject, "recipients": recipients}}, "state_digest": "d"}
    return AuditEvent("i", seq, "task_completed", T0 + timedelta(minutes=minutes), "kainuu.unit", f"t{seq}",
                      payload, "0" * 64, "1" * 64)


def test_item_sent_to_two_of_three_tenderers_is_flagged() -> None:
    history = [sent(1, 0, "invitation", "Invitation to tender", THREE),
               sent(2, 60, "document_change", "Change 1: target cost model", THREE[:2])]
    report = equal_treatment(view({"selection": {"invited": THREE}}), history)
    assert not report.ok
    [flag] = report.flagged
    assert (flag.kind, flag.subject, flag.missing) == ("document_change", "Change 1: target cost model",
                                                       ("uraverkko",))
    assert [d.subject for d in report.timeline["uraverkko"]] == ["Invitation to tender"]
    assert len(report.timeline["vaara-osaamis"]) == 2


def test_same_item_at_different_times_is_flagged_and_tolerance_allows_it() -> None:
    history = [sent(1, 0, "answer", "Q&A 3", THREE[:2]), sent(2, 90, "answer", "Q&A 3", [{"organisation": THREE[2]}])]
    report = equal_treatment(view({"tenderers": THREE}), history)
    [flag] = report.flagged
    assert flag.missing == () and flag.spread == timedelta(minutes=90)
    assert equal_treatment(view({"tenderers": THREE}), history, tolerance=timedelta(hours=2)).ok


def test_equal_sending_and_dropped_tenderers_are_not_flagged() -> None:
    history = [sent(1, 0, "invitation", "Invitation", THREE), sent(2, 10, "result", "Round 1 result", THREE),
               sent(3, 20, "document_change", "Change 2", THREE[:2])]
    data = {"selection": {"invited": THREE}, "dropped": [{"organisation": "uraverkko", "round": 1, "reason": "x"}]}
    report = equal_treatment(view(data), history)
    assert report.ok, [f.reasons for f in report.flagged]
    assert report.tenderers == tuple(THREE)
