"""The OpenAPI document is valid OpenAPI 3.1 (openapi-spec-validator), and schemathesis, bounded in
examples and time, finds no 5xx, no undocumented status and no response that breaks the schema."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import ApiSite

EXAMPLES = 10  # per operation: CI stays quick, and every operation is still exercised


def test_the_document_is_valid_openapi_3_1(sqlite_api: ApiSite) -> None:
    document = sqlite_api.call("GET", "/openapi.json", token=None).get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    page = sqlite_api.call("GET", "/docs", token=None)
    assert page.status_code == 200 and "/api/v1/tasks/{task_id}/complete" in page.get_data(as_text=True)


def test_no_server_errors_and_no_broken_responses(sqlite_api: ApiSite) -> None:
    """Every operation, a few generated requests each (auditor's token for reads, orderer's for changes)."""
    site = sqlite_api
    site.to_tenders()  # something to find: a procurement with an open message and history
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", site.app)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 17
    statuses: list[int] = []

    for operation in operations:
        token = site.secrets["auditor" if operation.method.upper() == "GET" else "orderer"]
        _exercise(operation, token, checks, statuses)
    assert len(statuses) >= len(operations) and 200 in statuses and 404 in statuses


def _exercise(operation: Any, token: str, checks: list[Any], statuses: list[int]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck), database=None)
    def exercise(case: Any) -> None:
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        statuses.append(response.status_code)
        case.validate_response(response, checks=checks)

    exercise()
