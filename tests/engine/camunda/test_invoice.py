"""Camunda 7's own invoice example, unchanged from ../shared/camunda-invoice/, on the real engine.

Its three paths as Camunda 7 runs them, with the approver groups decided by its DMN (COLLECT over
a DRD), assignment by camunda:candidateGroups / camunda:assignee instead of lanes, JUEL conditions,
a call activity with camunda:in / camunda:out, and the Java service task mapped to a Python handler.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest

from engine import Assignment, Database, DefinitionError, Engine, Membership, read_bundle
from engine.types import Candidates
from tests.conftest import ROOT
from tests.engine.conftest import Clock

INVOICE = ROOT.parent / "shared" / "camunda-invoice"
ARCHIVE = "org.camunda.bpm.example.invoice.service.ArchiveInvoiceService"

# Camunda's demo users and groups: a group is an organisation whose members hold the role "member"
GROUPS = {"mary": ["accounting"], "peter": ["management"], "john": ["sales"], "demo": ["management", "accounting"]}


class GroupResolver:
    """Candidate groups are organisations; an assignee or candidate user is an organisation of one."""

    def assign(self, lane: str | None, data: Mapping[str, Any]) -> Assignment:
        return Assignment("member", (lane,) if lane else ())

    def assign_candidates(self, candidates: Candidates, lane: str | None, data: Mapping[str, Any]) -> Assignment:
        users = [f"user:{u}" for u in (candidates.assignee, *candidates.users) if u]
        return Assignment("member", (*candidates.groups, *users))

    def may_act(self, actor: str, assignment: Assignment) -> bool:
        return any(m.organisation in assignment.organisations for m in self.memberships(actor))

    def memberships(self, actor: str) -> list[Membership]:
        return [Membership(g, "member") for g in GROUPS.get(actor, [])] + [Membership(f"user:{actor}", "member")]

    def may_start(self, actor: str, process_id: str) -> bool:
        return actor == "demo"


class Archive:
    """The Python stand-in for ArchiveInvoiceService: records what it archived."""

    def __init__(self) -> None:
        self.archived: list[str] = []

    def __call__(self, data: dict[str, Any]) -> None:
        self.archived.append(data["invoiceNumber"])


@pytest.fixture
def archive() -> Archive:
    return Archive()


@pytest.fixture
def invoice_engine(database: Database, clock: Clock, archive: Archive) -> Engine:
    engine = Engine(database, GroupResolver(), clock=clock, service_handlers={ARCHIVE: archive})
    deployed = engine.deploy(read_bundle([INVOICE]), "designer")
    assert {d.process_id for d in deployed} == {"invoice", "ReviewInvoice"}
    return engine


def start(engine: Engine, amount: float, category: str, number: str) -> str:
    return engine.start("invoice", "demo", {"creditor": "Great Pizza for Everyone Inc.", "amount": amount,
                                            "invoiceCategory": category, "invoiceNumber": number}).id


def the_task(engine: Engine, user: str, instance_id: str, element: str) -> Any:
    tasks = [t for t in engine.inbox(user, instance_id) if t.element_id == element]
    assert len(tasks) == 1, (user, element, engine.inbox(user, instance_id))
    return tasks[0]


def ended_at(engine: Engine, instance_id: str) -> set[str]:
    view = engine.instance(instance_id)
    assert view.status == "completed"
    return {e for e, state in view.element_states.items() if state == "completed"} & {
        "invoiceProcessed", "invoiceNotProcessed"}


def test_travel_30_is_approved_by_accounting_or_sales_and_processed(invoice_engine: Engine, archive: Archive,
                                                                   clock: Clock) -> None:
    instance_id = start(invoice_engine, 30, "Travel Expenses", "GPFE-1")
    data = invoice_engine.instance(instance_id).data
    assert data["approverGroups"] == ["accounting", "sales"]  # the DMN: day-to-day expense → COLLECT
    assert invoice_engine.inbox("peter", instance_id) == []  # management is not asked
    task = the_task(invoice_engine, "john", instance_id, "approveInvoice")
    assert task.due_at is not None and task.due_at - clock.now == timedelta(weeks=1)  # ${dateTime().plusWeeks(1)}
    assert task.lane == "Approver"
    the_task(invoice_engine, "mary", instance_id, "approveInvoice")
    invoice_engine.complete_task(task.id, "john", {"approved": True})

    transfer = the_task(invoice_engine, "mary", instance_id, "prepareBankTransfer")  # candidateGroups="accounting"
    assert invoice_engine.inbox("john", instance_id) == []
    invoice_engine.complete_task(transfer.id, "mary", {})
    assert archive.archived == ["GPFE-1"]
    assert ended_at(invoice_engine, instance_id) == {"invoiceProcessed"}
    assert invoice_engine.replay(instance_id).consistent


def review(engine: Engine, instance_id: str, clarified: bool) -> None:
    assign = the_task(engine, "demo", instance_id, "assignReviewer")  # camunda:assignee="demo"
    assert assign.claimed_by == "demo"
    assert engine.inbox("peter", instance_id) == []
    engine.complete_task(assign.id, "demo", {"reviewer": "peter"})
    reviewing = the_task(engine, "peter", instance_id, "reviewInvoice")  # camunda:assignee="${reviewer}"
    assert reviewing.claimed_by == "peter"
    inside = engine.task(reviewing.id).data
    assert inside["invoiceNumber"] and "approverGroups" not in inside  # only camunda:in crosses
    engine.complete_task(reviewing.id, "peter", {"clarified": clarified, "note": "stays in the review"})


def test_misc_900_rejected_clarified_approved_processed(invoice_engine: Engine, archive: Archive) -> None:
    instance_id = start(invoice_engine, 900, "Misc", "GPFE-2")
    assert invoice_engine.instance(instance_id).data["approverGroups"] == ["management"]  # budget
    assert invoice_engine.inbox("john", instance_id) == []
    approve = the_task(invoice_engine, "peter", instance_id, "approveInvoice")
    invoice_engine.complete_task(approve.id, "peter", {"approved": False})  # ${!approved}

    review(invoice_engine, instance_id, clarified=True)
    data = invoice_engine.instance(instance_id).data
    assert data["clarified"] is True and "note" not in data and "reviewer" not in data  # only camunda:out returns

    again = the_task(invoice_engine, "peter", instance_id, "approveInvoice")  # ${clarified}
    invoice_engine.complete_task(again.id, "peter", {"approved": True})
    transfer = the_task(invoice_engine, "mary", instance_id, "prepareBankTransfer")
    invoice_engine.complete_task(transfer.id, "mary", {})
    assert archive.archived == ["GPFE-2"]
    assert ended_at(invoice_engine, instance_id) == {"invoiceProcessed"}
    assert invoice_engine.replay(instance_id).consistent


def test_rejected_and_not_clarified_is_not_processed(invoice_engine: Engine, archive: Archive) -> None:
    instance_id = start(invoice_engine, 1500, "Misc", "GPFE-3")
    approve = the_task(invoice_engine, "peter", instance_id, "approveInvoice")  # exceptional → management
    invoice_engine.complete_task(approve.id, "peter", {"approved": False})
    review(invoice_engine, instance_id, clarified=False)  # ${!clarified}
    assert ended_at(invoice_engine, instance_id) == {"invoiceNotProcessed"}
    assert archive.archived == []


def test_the_java_service_task_is_refused_without_a_handler(database: Database, clock: Clock) -> None:
    engine = Engine(database, GroupResolver(), clock=clock)
    with pytest.raises(DefinitionError) as caught:
        engine.deploy(read_bundle([INVOICE]), "designer")
    [problem] = caught.value.problems
    text = (INVOICE / "invoice.v2.bpmn").read_text(encoding="utf-8").splitlines()
    assert (problem.file, problem.element_id) == ("invoice.v2.bpmn", "ServiceTask_1")
    assert 'id="ServiceTask_1"' in text[problem.line - 1] and ARCHIVE in problem.message
    assert engine.definitions() == []


def test_what_is_ignored_is_noted_with_its_element(database: Database, clock: Clock, archive: Archive) -> None:
    engine = Engine(database, GroupResolver(), clock=clock, service_handlers={ARCHIVE: archive})
    [info] = [i for i in engine.validate(read_bundle([INVOICE])) if i.process_id == "invoice"]
    assert info.version_tag == "V2.0"  # camunda:versionTag is kept as metadata
    noted = {(n.element_id, n.message.split(" ")[0]) for n in info.notes}
    assert {("approveInvoice", "task"), ("DataStoreReference_1", "dataStoreReference"),
            ("ServiceTask_1", "camunda:async*"), ("StartEvent_1", "camunda:formKey")} <= noted
