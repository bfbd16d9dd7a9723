"""Camunda's invoice example in a real browser: the approver opens "Approve Invoice" (a camunda:formKey
with no form fields), sees the generic form of the invoice's variables, adds the boolean `approved`
and completes the task. The page passes axe-core without serious or critical violations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Database, Engine
from tests.web.browser.conftest import serious_violations, serving
from tests.web.conftest import PASSWORD
from tests.web.test_camunda_forms import ARCHIVE, INVOICE, GroupResolver, groups_directory
from web.app import create_app, prepare
from workflows.forms import validate_form


@pytest.fixture
def invoice_url(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    directory = groups_directory()

    def factory(database: Database) -> Engine:
        return Engine(database, GroupResolver(), form_validator=validate_form,
                      service_handlers={ARCHIVE: lambda data: None})

    app = create_app({"SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
                      "BPMN_DIR": str(INVOICE), "ENGINE_FACTORY": factory, "DIRECTORY": directory})
    prepare(app)
    with serving(app, "invoice-site") as url:
        yield url, app.extensions["allianssi"].engine


def test_approving_an_invoice_on_the_generic_form(chromium: Any, invoice_url: tuple[str, Engine],
                                                  axe_source: str) -> None:
    url, engine = invoice_url
    instance_id = engine.start("invoice", "demo", {"creditor": "Great Pizza for Everyone Inc.", "amount": 30,
                                                   "invoiceCategory": "Travel Expenses",
                                                   "invoiceNumber": "GPFE-1"}).id
    task_id = next(t.id for t in engine.inbox("john", instance_id) if t.element_id == "approveInvoice")
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", base_url=url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/login")
        page.locator('input[name="username"]').fill("john")
        page.locator('input[name="password"]').fill(PASSWORD)
        page.locator('form[action="/login"] button[type="submit"]').click()
        page.wait_for_url(re.compile(r"/$"))
        page.goto(f"/tasks/{task_id}")
        assert page.locator("#field-amount").input_value() == "30"
        assert page.locator("#field-approverGroups").get_attribute("readonly") is not None
        violations = serious_violations(page, axe_source)
        assert not violations, "\n".join(violations)

        page.locator("#field-amount").fill("32")
        page.locator("#new-variable-1").fill("approved")
        page.locator("#new-variable-1-type").select_option("boolean")
        page.locator("#new-variable-1-value").fill("true")
        page.locator('form[action$="' + task_id + '"] button[type="submit"]').click()
        page.wait_for_url(re.compile(r"/$|/tasks/(?!" + task_id + ")"))
    finally:
        context.close()
    data = engine.instance(instance_id).data
    assert data["approved"] is True and data["amount"] == 32
    assert [t.element_id for t in engine.inbox("mary", instance_id)] == ["prepareBankTransfer"]
