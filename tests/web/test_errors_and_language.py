"""The one mapping of engine errors to HTTP, and the language helpers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import session
from flask_babel import refresh

from engine import (
    Conflict,
    DefinitionError,
    DefinitionNotFound,
    EngineError,
    FormInvalid,
    InstanceNotFound,
    NotAllowed,
    Problem,
    ScriptFailed,
    StaleInstance,
    TaskNotFound,
    TaskNotReady,
)
from tests.web.conftest import ExampleSite
from web.errors import explain, reason, status_of
from web.i18n import days_left, deadline_date, in_language, local_date


@pytest.mark.parametrize(("error", "status"), [
    (DefinitionError([Problem("a.bpmn", 3, "x", "bad")]), 422),
    (FormInvalid({"a": ["bad"]}), 422),
    (ScriptFailed("x", "bad"), 422),
    (NotAllowed("no"), 403),
    (InstanceNotFound("no"), 404),
    (TaskNotFound("no"), 404),
    (DefinitionNotFound("no"), 404),
    (Conflict("no"), 409),
    (TaskNotReady("no"), 409),
    (StaleInstance("no"), 409),
    (EngineError("?"), 500),
])
def test_status_of_every_engine_error(error: EngineError, status: int, example: ExampleSite) -> None:
    assert status_of(error) == status
    with example.app.test_request_context("/"):
        title, message = explain(error)
        assert title and message


def test_in_language_cuts_bilingual_messages(example: ExampleSite) -> None:
    said = "Ennakoitu arvo on annettava euroina. / The estimated value must be a positive amount."
    failed = ScriptFailed("check_start", f"InvalidInput:{said}", said)
    listed = "Tuntemattomat organisaatiot / unknown organisations: x"
    unknown = ScriptFailed("check_start", f"InvalidInput:{listed}", listed)
    with example.app.test_request_context("/"):
        assert reason(failed) == "Ennakoitu arvo on annettava euroina."
        assert reason(unknown) == "Tuntemattomat organisaatiot: x"
        assert reason(ScriptFailed(None, "NameError:name 'reviewers' is not defined",
                                   "name 'reviewers' is not defined")) == "name 'reviewers' is not defined"
        assert in_language("yhteinen / joint") == "yhteinen"
        assert in_language("plain") == "plain"
        session["language"] = "en"
        refresh()
        assert reason(failed) == "The estimated value must be a positive amount."
        assert reason(unknown) == "unknown organisations: x"
        assert in_language("kyllä / yes") == "yes"


def test_days_are_counted_in_finnish_time(example: ExampleSite) -> None:
    with example.app.test_request_context("/"):
        evening = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)  # already 3 March in Helsinki
        assert local_date(evening).isoformat() == "2026-03-03"
        date_only = datetime(2026, 3, 5, 21, 59, 59, tzinfo=UTC)  # a date: 23:59:59 in Helsinki (engine)
        assert deadline_date(date_only).isoformat() == "2026-03-05"
        assert days_left(date_only, evening) == 2
        closes = datetime(2026, 3, 17, 22, 0, tzinfo=UTC)  # a period closing at midnight in Helsinki
        assert deadline_date(closes).isoformat() == "2026-03-17"
        assert deadline_date(datetime(2026, 3, 17, 12, 0, tzinfo=UTC)).isoformat() == "2026-03-17"
        assert days_left(datetime(2026, 3, 1, 12, tzinfo=UTC), evening) == -2


def test_every_phase_in_the_diagrams_has_a_name_in_both_languages(example: ExampleSite) -> None:
    from lxml import etree

    from tests.conftest import ROOT
    from web.i18n import PHASES, phase_label

    used = set()
    for path in ROOT.joinpath("bpmn").glob("*.bpmn"):
        tree = etree.parse(str(path))
        used |= {p.get("value") for p in tree.iter("{http://camunda.org/schema/1.0/bpmn}property")
                 if p.get("name") == "phase"}
    assert used and used <= set(PHASES), used - set(PHASES)
    with example.app.test_request_context("/"):
        for phase in used:
            assert phase_label(phase) != PHASES[phase], f"no Finnish name for {phase}"
