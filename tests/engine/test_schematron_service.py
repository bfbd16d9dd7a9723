"""The Schematron check service: XSLT-2 Schematron run by Saxon in a worker process of its own, started
on the first check, started again when it has died, stopped when it overruns its time."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.schematron import SchematronError
from engine.schematron_worker import SchematronService

RULES = """<?xml version="1.0" encoding="UTF-8"?>
<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
  <ns prefix="o" uri="urn:example:order"/>
  <ns prefix="xs" uri="http://www.w3.org/2001/XMLSchema"/>
  <phase id="orders"><active pattern="amounts"/></phase>
  <pattern id="amounts">
    <rule context="o:Order">
      <assert id="R-1" role="ERROR" diagnostics="amount" test="matches(o:Amount, '^[0-9]+\\.[0-9]{2}$')">two
        decimals</assert>
      <assert id="R-2" role="WARN" test="xs:decimal(o:Amount) lt 1000">large</assert>
    </rule>
  </pattern>
  <diagnostics><diagnostic id="amount" see="field:Amount"/></diagnostics>
</schema>
"""


def order(amount: str) -> bytes:
    return f'<Order xmlns="urn:example:order"><Amount>{amount}</Amount></Order>'.encode()


@pytest.fixture
def service(tmp_path: Path) -> Iterator[SchematronService]:
    path = tmp_path / "rules.sch"
    path.write_text(RULES, encoding="utf-8")
    made = SchematronService(path, tmp_path / "cache", ("orders",))
    yield made
    made.close()


def test_the_rules_run_in_a_worker_process_not_in_this_one(service: SchematronService) -> None:
    assert service.check(order("12.50"), "orders") == []
    failures = service.check(order("1200"), "orders")          # XPath 2 matches() and xs:decimal
    assert [(f.rule, f.is_error, f.diagnostics) for f in failures] == [("R-1", True, ("amount",)),
                                                                       ("R-2", False, ())]
    assert service.pid is not None and service.pid != os.getpid()
    assert "saxonche" not in sys.modules                              # Saxon never loaded here
    with pytest.raises(SchematronError, match="phase nope was not compiled"):
        service.check(order("1.00"), "nope")


def test_a_worker_that_died_is_started_again(service: SchematronService) -> None:
    assert service.check(order("1.00"), "orders") == []
    first = service.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while service.pid is not None:          # gone (a large native heap may take a moment to tear down)
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert service.check(order("1.0"), "orders")[0].rule == "R-1"    # answered by a fresh worker
    assert service.pid not in (None, first)


def test_a_worker_that_does_not_answer_in_time_is_stopped_with_a_clear_error(service: SchematronService) -> None:
    assert service.check(order("1.00"), "orders") == []
    stuck = service.pid
    assert stuck is not None
    os.kill(stuck, signal.SIGSTOP)                                   # hangs: never answers
    service.check_timeout = 1.0
    with pytest.raises(SchematronError, match="did not check the document in 1 s and was stopped"):
        service.check(order("1.00"), "orders")
    assert service.pid is None
    service.check_timeout = 60.0
    assert service.check(order("2.00"), "orders") == []             # the next check starts a new one


def test_rules_that_cannot_compile_are_refused_with_saxons_words(tmp_path: Path) -> None:
    path = tmp_path / "bad.sch"
    path.write_text(RULES.replace("matches(o:Amount", "matches(o:Amount,,"), encoding="utf-8")
    service = SchematronService(path, None, ("orders",))
    try:
        with pytest.raises(SchematronError, match="Saxon could not compile"):
            service.check(order("1.00"), "orders")
    finally:
        service.close()
