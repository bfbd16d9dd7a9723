"""The auditor's pages, through the Flask test client, on a real engine and database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from web.app import create_app, prepare
from web.state import services

BPMN = Path(__file__).parent / "bpmn"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}", "BPMN_DIR": str(BPMN),
                      "SECRET_KEY": "test"})
    prepare(app, deploy=True, demo=False)
    yield app


@pytest.fixture
def procurement(app: Flask) -> str:
    """Started by the region's orderer; two commands completed, with data changing at each."""
    with app.app_context():
        engine = services().engine
        directory = services().directory
        orderer = next(u.username for u in directory.users.values() if u.holds("orderer", "kainuu"))
        instance = engine.start("alliance_procurement", orderer, {"region": "kainuu", "title": "Testi"})
        task = engine.inbox(orderer, instance.id)[0]
        engine.complete_task(task.id, orderer, {"note": "after first"})
        return instance.id


def sign_in(client: FlaskClient, username: str) -> None:
    with client.session_transaction() as session:
        session["user"] = username
        session["csrf_token"] = "t"
        session["language"] = "en"  # these tests read the English texts; Finnish is checked below


@pytest.fixture
def auditor(app: Flask) -> FlaskClient:
    client = app.test_client()
    sign_in(client, "auditor")
    return client


def commands(app: Flask, instance_id: str) -> list[int]:
    with app.app_context():
        return [e.seq for e in services().engine.history(instance_id) if "op" in e.payload]


def test_history_lists_every_event_and_filters(auditor: FlaskClient, app: Flask, procurement: str) -> None:
    page = auditor.get(f"/audit/{procurement}/history?steps=all")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    with app.app_context():
        events = services().engine.history(procurement)
    assert all(f'id="event-{e.seq}"' in body for e in events)
    assert "after first" in body and "Kainuu region" in body  # the name, not the id
    main = auditor.get(f"/audit/{procurement}/history").get_data(as_text=True)  # the commands by default
    assert main.count('id="event-') == len(commands(app, procurement))
    only = auditor.get(f"/audit/{procurement}/history?type=task_completed").get_data(as_text=True)
    assert only.count('id="event-') == sum(e.type == "task_completed" for e in events)
    phase = auditor.get(f"/audit/{procurement}/history?phase=strategy&steps=all").get_data(as_text=True)
    assert 0 < phase.count('id="event-') < len(events)


def test_history_is_readable(auditor: FlaskClient, app: Flask, procurement: str) -> None:
    """Issue 11: raw event codes, microsecond UTC times, `\\u00a7` for §, ids for titles, one huge page."""
    with app.app_context():
        engine = services().engine
        orderer = "kainuu.orderer"
        task = engine.inbox(orderer, procurement)[0]
        for _ in range(30):  # a long history is paginated
            engine.claim(task.id, orderer)
            engine.release(task.id, orderer)
        engine.complete_task(task.id, orderer, {"note": "kvalt 2026 § 12"})
        events = engine.history(procurement)
    body = auditor.get(f"/audit/{procurement}/history?page=2").get_data(as_text=True)
    assert "§ 12" in body and "\\u00a7" not in body
    assert "task_completed" not in re.sub(r'value="[a-z_]+"', "", body) and "Task completed" in body
    shown = re.sub(r"<[^>]+>", " ", body)  # what a person reads (a <time> keeps the ISO form for machines)
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{6}", shown) and "+00:00" not in shown
    first = auditor.get(f"/audit/{procurement}/history").get_data(as_text=True)
    assert first.count('id="event-') == 50 and 'rel="next"' in first  # a page of fifty
    assert "Testi" in first  # the procurement's title
    assert f'id="event-{[e.seq for e in events if "op" in e.payload][-1]}"' in body
    index = auditor.get("/audit/").get_data(as_text=True)
    assert ">Testi</a>" in index and "alliance_procurement v" not in index
    assert auditor.get("/").headers["Location"].endswith("/audit/")  # the auditor starts at the audit index


def test_step_n_shows_the_state_the_instance_had_then(auditor: FlaskClient, app: Flask, procurement: str) -> None:
    start, first = commands(app, procurement)[:2]
    at_start = auditor.get(f"/audit/{procurement}/step/{start}").get_data(as_text=True)
    assert "after first" not in at_start and "First step" in at_start
    assert f"/audit/{procurement}/step/{first}" in at_start  # next link
    after = auditor.get(f"/audit/{procurement}/step/{first}").get_data(as_text=True)
    assert "after first" in after and "Second step" in after and "<svg" in after
    with app.app_context():
        live = services().engine.instance(procurement)
    assert live.data["note"] == "after first"


def test_audit_pages_are_finnish_by_default(app: Flask, procurement: str) -> None:
    client = app.test_client()
    with client.session_transaction() as session:
        session["user"] = "auditor"
    page = client.get(f"/audit/{procurement}/verify").get_data(as_text=True)
    assert '<html lang="fi">' in page and "Tiivisteketju on ehjä" in page and "Ketjun pää" in page


def test_the_replay_check_streams_its_progress(auditor: FlaskClient, app: Flask, procurement: str) -> None:
    response = auditor.get(f"/audit/{procurement}/replay")
    assert response.is_streamed
    page = response.get_data(as_text=True)
    steps = len(commands(app, procurement))
    bars = re.findall(r'<progress value="(\d+)" max="(\d+)">', page)
    assert [int(done) for done, _ in bars] == list(range(1, steps + 1)) + [steps]  # each step, then the result
    assert page.index("<progress") < page.index('id="replay-result"')


def test_tampering_by_sql_is_detected_on_the_pages(auditor: FlaskClient, app: Flask, procurement: str) -> None:
    assert "The hash chain is intact" in auditor.get(f"/audit/{procurement}/verify").get_data(as_text=True)
    assert 'id="replay-result">consistent:' in auditor.get(f"/audit/{procurement}/replay").get_data(as_text=True)
    seq = commands(app, procurement)[1]
    with app.app_context():
        with services().database.write() as session:
            session.execute(text("UPDATE audit_events SET payload = replace(payload, 'after first', 'forged') "
                                 "WHERE stream = :s AND seq = :q"), {"s": procurement, "q": seq})
    body = auditor.get(f"/audit/{procurement}/verify").get_data(as_text=True)
    assert "BROKEN" in body and f"first broken link at event {seq}" in body
    replay = auditor.get(f"/audit/{procurement}/replay").get_data(as_text=True)
    assert "NOT consistent" in replay


def test_downloads_and_equal_treatment(auditor: FlaskClient, procurement: str) -> None:
    ocds = auditor.get(f"/audit/{procurement}/ocds.json")
    assert ocds.status_code == 200 and ocds.json is not None
    assert ocds.json["releases"][0]["tender"]["procurementMethod"] == "selective"
    assert auditor.get(f"/audit/{procurement}/equal-treatment").status_code == 200
    assert auditor.get("/audit/").status_code == 200


def test_only_auditors_see_audit_pages(app: Flask, procurement: str) -> None:
    client = app.test_client()
    assert client.get(f"/audit/{procurement}/history").status_code == 302  # sign in first
    sign_in(client, "kainuu.orderer")
    assert client.get(f"/audit/{procurement}/history").status_code == 403


FORM = {"csrf_token": "t", "to": "kainuu.orderer", "note": "x"}


def test_every_changing_endpoint_refuses_the_auditor(app: Flask, auditor: FlaskClient, procurement: str) -> None:
    with app.app_context():
        open_task = services().engine.instance(procurement).open_tasks[0].id
    checked = []
    for rule in app.url_map.iter_rules():
        changing = (rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}
        if not changing or rule.endpoint in ("auth.login", "auth.logout", "auth.language"):
            continue
        values: dict[str, Any] = {arg: open_task if "task" in arg else "alliance_procurement" if arg == "process_id"
                                  else procurement for arg in rule.arguments}
        url = rule.build(values, append_unknown=False)
        assert url is not None
        for method in changing:
            response = auditor.open(url[1], method=method, data=FORM)
            assert response.status_code == 403, (rule.rule, method, response.status_code)
            checked.append(rule.rule)
    assert checked  # the app has changing endpoints (tasks, procurements)
    with app.app_context():
        after = services().engine.instance(procurement)
    assert after.version == 2 and after.open_tasks[0].claimed_by is None  # nothing changed


def test_verifying_every_chain_names_the_broken_one(auditor: FlaskClient, app: Flask, procurement: str) -> None:
    assert "The hash chain is intact" in auditor.get("/audit/verify").get_data(as_text=True)
    with app.app_context(), services().database.write() as session:
        session.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE stream = :s AND seq = 2"),
                        {"s": procurement})
    page = auditor.get("/audit/verify").get_data(as_text=True)
    assert "BROKEN" in page and procurement in page and "event 2" in page
