"""Camunda 7 forms through real HTTP: Camunda's invoice example, unchanged from ../shared/camunda-invoice/,
deployed in the web app. Its user tasks have a camunda:formKey (an embedded form of Camunda's own web app)
and no camunda:formData, so each shows Camunda's generic form: the task's variables, typed by their
values, and rows to add new ones. A task with camunda:formData shows its fields with their constraints
(required, readonly, min, max)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine import Database, Engine, FormInvalid, Membership
from engine.tokens import TokenStore
from engine.types import SourceFile
from tests.engine.camunda.test_invoice import ARCHIVE, INVOICE, GroupResolver
from tests.web.conftest import PASSWORD, Browser, _user
from web.api.jsonschema_forms import form_schema
from web.app import create_app, prepare
from workflows.directory import Directory, Organisation
from workflows.forms import validate_form


class TokenGroups(GroupResolver):
    """The invoice's groups, and API tokens acting for a group (their membership from the token store)."""

    def __init__(self, tokens: TokenStore):
        self.tokens = tokens

    def memberships(self, actor: str) -> list[Membership]:
        return self.tokens.memberships(actor, lambda: datetime.now(UTC)) or super().memberships(actor)


def groups_directory() -> Directory:
    """Camunda's demo users, to sign in; GroupResolver (as in the engine's invoice test) decides who does what."""
    users = {"mary": ["accounting"], "john": ["sales"], "peter": ["management"], "demo": ["management"]}
    return Directory(
        [Organisation(g, "other", g, g) for g in ("accounting", "sales", "management")]
        + [Organisation(f"user:{u}", "other", u, u) for u in users],
        [_user(u, u.title(), *[(g, "orderer") for g in gs], (f"user:{u}", "orderer")) for u, gs in users.items()])


@pytest.fixture
def invoice_site(tmp_path: Path) -> Iterator[tuple[Engine, Browser, list[str]]]:
    archived: list[str] = []
    directory = groups_directory()

    def factory(database: Database) -> Engine:
        return Engine(database, TokenGroups(TokenStore(database)), form_validator=validate_form,
                      service_handlers={ARCHIVE: lambda data: archived.append(data["invoiceNumber"])})

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
                      "BPMN_DIR": str(INVOICE), "ENGINE_FACTORY": factory, "DIRECTORY": directory})
    prepare(app)
    browser = Browser(app.test_client())
    yield app.extensions["allianssi"].engine, browser, archived
    app.extensions["allianssi"].database.dispose()


def sign_in(browser: Browser, username: str) -> None:
    assert browser.sign_in(username, PASSWORD).status_code == 302
    browser.post("/language", {"language": "en"})


def task_id(engine: Engine, user: str, instance_id: str, element: str) -> str:
    return next(t.id for t in engine.inbox(user, instance_id) if t.element_id == element)


def field(page: str, name: str) -> str:
    """The input (or select) tag that posts `name`."""
    found = re.search(rf'<(?:input|select)[^>]*name="{re.escape(name)}"[^>]*>', page)
    assert found, f"no field {name!r}"
    return found.group(0)


def test_the_generic_form_shows_the_variables_typed_and_converts_what_is_sent(invoice_site: Any) -> None:
    engine, browser, archived = invoice_site
    instance_id = engine.start("invoice", "demo", {"creditor": "Great Pizza for Everyone Inc.", "amount": 30,
                                                   "invoiceCategory": "Travel Expenses",
                                                   "invoiceNumber": "GPFE-1", "invoiceDate": "2026-03-02"}).id
    approve = task_id(engine, "john", instance_id, "approveInvoice")  # approverGroups from the DMN
    sign_in(browser, "john")
    page = browser.text(f"/tasks/{approve}")
    assert 'type="number"' in field(page, "amount") and 'value="30"' in field(page, "amount")
    assert 'step="1"' in field(page, "amount")  # a whole number stays whole
    assert 'value="Great Pizza for Everyone Inc."' in field(page, "creditor")
    assert 'type="date"' in field(page, "invoiceDate")
    assert re.search(r'id="field-approverGroups" value="\[&#34;accounting&#34;, &#34;sales&#34;\]" readonly', page)
    assert 'name="approverGroups"' not in page  # a list is shown, never sent
    assert 'name="new_name_1"' in page and 'value="boolean"' in page

    # wrong values are refused next to their fields and rows; nothing is stored
    response = browser.post(f"/tasks/{approve}", {
        "amount": "thirty", "creditor": "Great Pizza for Everyone Inc.", "invoiceCategory": "Travel Expenses",
        "invoiceNumber": "GPFE-1", "invoiceDate": "2026-03-02",
        "new_name_1": "approved", "new_type_1": "boolean", "new_value_1": "perhaps",
        "new_name_2": "2nd", "new_type_2": "string", "new_value_2": "x"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert re.search(r'id="field-amount-error">.*?Enter a whole number', text)
    assert re.search(r'id="new-variable-1-error">.*?Choose yes or no', text)
    assert re.search(r'id="new-variable-2-error">.*?A name starts with a letter', text)
    assert 'value="perhaps"' in text  # what was typed is shown again
    assert engine.instance(instance_id).data["amount"] == 30 and "approved" not in engine.instance(instance_id).data

    response = browser.post(f"/tasks/{approve}", {
        "amount": "35", "creditor": "Great Pizza for Everyone Inc.", "invoiceCategory": "Travel Expenses",
        "invoiceNumber": "", "invoiceDate": "2026-03-03",
        "new_name_1": "approved", "new_type_1": "boolean", "new_value_1": "true",
        "new_name_2": "", "new_type_2": "string", "new_value_2": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    data = engine.instance(instance_id).data
    assert data["approved"] is True and data["amount"] == 35  # converted back to their types
    assert data["invoiceNumber"] == "GPFE-1"  # an emptied field keeps its value
    assert data["invoiceDate"] == "2026-03-03" and data["approverGroups"] == ["accounting", "sales"]

    transfer = task_id(engine, "mary", instance_id, "prepareBankTransfer")
    sign_in(browser, "mary")
    page = browser.text(f"/tasks/{transfer}")
    assert "checked" in field(page, "approved")  # a boolean variable is a ticked checkbox
    response = browser.post(f"/tasks/{transfer}", {"approved": "true", "amount": "35",
                                                    "new_name_1": "amount", "new_type_1": "long", "new_value_1": "1"})
    assert response.status_code == 422  # a new variable may not shadow one shown above
    assert "There is a variable amount already" in response.get_data(as_text=True)
    assert browser.post(f"/tasks/{transfer}", {"approved": "true"}).status_code == 302
    assert archived == ["GPFE-1"] and engine.instance(instance_id).status == "completed"


def test_the_engine_takes_the_generic_form_as_json_as_the_api_sends_it(invoice_site: Any) -> None:
    engine, _, _ = invoice_site
    instance_id = engine.start("invoice", "demo", {"creditor": "ACME", "amount": 900, "invoiceCategory": "Misc",
                                                   "invoiceNumber": "GPFE-2"}).id
    approve = next(t for t in engine.inbox("peter", instance_id) if t.element_id == "approveInvoice")
    task = engine.task(approve.id, "peter")
    assert task.generic_form and {f.id: f.type for f in task.form} == {
        "amount": "long", "approverGroups": "string", "creditor": "string", "invoiceCategory": "string",
        "invoiceNumber": "string"}
    schema = form_schema(task.form, task.generic_form)  # what GET /api/v1/tasks/<id> answers as "form"
    assert schema["properties"]["amount"]["type"] == "integer" and schema["properties"]["approverGroups"]["readOnly"]
    assert schema["additionalProperties"] == {"type": ["string", "number", "boolean"]}
    with pytest.raises(FormInvalid) as refused:
        engine.complete_task(approve.id, "peter", {"approved": [1], "approverGroups": ["sales"]})
    assert set(refused.value.errors) == {"approved", "approverGroups"}
    engine.complete_task(approve.id, "peter", {"approved": False})  # a new boolean: ${!approved} → review
    assert [t.element_id for t in engine.inbox("demo", instance_id)] == ["assignReviewer"]


def test_the_api_reads_and_completes_a_generic_form(invoice_site: Any) -> None:
    engine, browser, _ = invoice_site
    secret = TokenStore(engine.db).create("management-system", "management", "orderer", timedelta(days=1), "admin",
                                          datetime.now(UTC))[1]
    headers = {"Authorization": f"Bearer {secret}"}
    instance_id = engine.start("invoice", "demo", {"creditor": "ACME", "amount": 900, "invoiceCategory": "Misc",
                                                   "invoiceNumber": "GPFE-4"}).id
    approve = task_id(engine, "peter", instance_id, "approveInvoice")
    read = browser.client.get(f"/api/v1/tasks/{approve}", headers=headers)
    assert read.status_code == 200, read.get_json()
    form = read.get_json()["form"]
    assert form["properties"]["amount"]["type"] == "integer" and form["properties"]["approverGroups"]["readOnly"]
    assert form["additionalProperties"] == {"type": ["string", "number", "boolean"]}

    wrong = browser.client.post(f"/api/v1/tasks/{approve}/complete", headers=headers,
                                json={"data": {"amount": "lots", "approved": {"yes": True}}})
    assert wrong.status_code == 422 and wrong.content_type.startswith("application/problem+json")
    assert set(wrong.get_json()["errors"]) == {"amount", "approved"}  # each wrong field named
    assert engine.instance(instance_id).data["amount"] == 900  # nothing stored
    done = browser.client.post(f"/api/v1/tasks/{approve}/complete", headers=headers,
                               json={"data": {"amount": "950", "approved": False}})
    assert done.status_code == 200, done.get_json()
    review = engine.task(task_id(engine, "demo", instance_id, "assignReviewer"))  # ${!approved}: to review
    assert review.data["amount"] == 950  # converted to a whole number, then passed by camunda:in


FORM_DATA = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="order" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="check" />
    <bpmn:userTask id="check" name="Check the order" camunda:candidateGroups="accounting">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="customer" label="Customer" type="string">
            <camunda:validation><camunda:constraint name="readonly" /></camunda:validation>
          </camunda:formField>
          <camunda:formField id="quantity" label="Quantity" type="long">
            <camunda:validation>
              <camunda:constraint name="required" />
              <camunda:constraint name="min" config="1" />
              <camunda:constraint name="max" config="10" />
            </camunda:validation>
          </camunda:formField>
          <camunda:formField id="express" label="Express" type="boolean" />
          <camunda:formField id="delivery" label="Delivery" type="date" />
          <camunda:formField id="size" label="Size" type="enum">
            <camunda:value id="s" name="Small" /><camunda:value id="l" name="Large" />
          </camunda:formField>
        </camunda:formData>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_form_data_fields_with_their_constraints(invoice_site: Any) -> None:
    engine, browser, _ = invoice_site
    engine.deploy([SourceFile("order.bpmn", FORM_DATA.encode())], "designer")
    instance_id = engine.start("order", "demo", {"customer": "ACME Oy"}).id
    check = task_id(engine, "mary", instance_id, "check")
    sign_in(browser, "mary")
    page = browser.text(f"/tasks/{check}")
    assert re.search(r'id="field-customer" value="ACME Oy" readonly', page) and 'name="customer"' not in page
    assert 'min="1"' in field(page, "quantity") and 'max="10"' in field(page, "quantity")
    assert 'name="new_name_1"' not in page  # formData: only its own fields

    response = browser.post(f"/tasks/{check}", {"quantity": "11", "delivery": "31.3.2026", "size": "xl"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    for field_id, message in (("quantity", "Enter a number from 1 to 10"), ("delivery", "Enter a date"),
                              ("size", "Choose one of the options")):
        assert re.search(rf'id="field-{field_id}-error">.*?{message}', text), field_id
    with pytest.raises(FormInvalid) as refused:  # as Camunda: a value for a read-only field is refused
        engine.complete_task(check, "mary", {"customer": "Other Oy", "quantity": 2})
    assert list(refused.value.errors) == ["customer"]

    assert browser.post(f"/tasks/{check}", {"quantity": "", "size": "s"}).status_code == 422  # required
    response = browser.post(f"/tasks/{check}", {"quantity": "2", "express": "true", "delivery": "2026-03-31",
                                                "size": "l", "customer": "ignored: read-only"})
    assert response.status_code == 302
    data = engine.instance(instance_id).data
    assert data == {"customer": "ACME Oy", "quantity": 2, "express": True, "delivery": "2026-03-31", "size": "l"}
