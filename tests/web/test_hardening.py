"""Issue 14 through real HTTP: sessions end on the server, sign-in is throttled, `next` cannot split a
header, a competitor's done task answers 404 (not 409), free text is bounded, /healthz asks the database."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.web.conftest import DEMO_PASSWORD, AllianceSite, Browser, ExampleSite


def _session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("allianssi_session")
    assert cookie is not None
    return cookie.value


def test_a_cookie_captured_before_sign_out_no_longer_works_after_it(browser: Browser, example: ExampleSite) -> None:
    browser.sign_in("aino")
    captured = _session_cookie(browser.client)
    assert browser.get("/").status_code == 200
    browser.post("/logout")
    thief = example.app.test_client()
    thief.set_cookie("allianssi_session", captured)
    response = thief.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_an_administrator_ends_every_session_of_a_user(browser_factory, example: ExampleSite) -> None:  # type: ignore[no-untyped-def]
    laptop, phone = browser_factory(), browser_factory()
    laptop.sign_in("aino")
    phone.sign_in("aino")
    assert laptop.get("/").status_code == 200 and phone.get("/").status_code == 200
    assert example.app.extensions["allianssi"].sessions.revoke_user("aino") == 2
    assert laptop.get("/").status_code == 302 and phone.get("/").status_code == 302
    laptop.sign_in("aino")  # signing in again gives a new, live session
    assert laptop.get("/").status_code == 200


def test_wrong_passwords_are_throttled_per_user_and_the_right_one_waits_too(browser: Browser) -> None:
    statuses = [browser.sign_in("aino", "wrong").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    response = browser.sign_in("aino")  # the right password: refused while the limit lasts
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Liian monta" in page  # the 429 page says what happened, in Finnish by default
    assert response.headers.get("Retry-After")
    assert browser.sign_in("eero").status_code == 302, "other users are not locked out"


def test_sign_in_is_throttled_per_address_across_user_names(browser: Browser, example: ExampleSite) -> None:
    example.app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = "4 per minute"
    names = ["nobody1", "nobody2", "nobody3", "nobody4", "nobody5"]
    assert [browser.sign_in(name, "x").status_code for name in names] == [401] * 4 + [429]


def test_successful_sign_ins_are_not_counted(browser: Browser) -> None:
    for _ in range(8):
        assert browser.sign_in("aino").status_code == 302


def test_cr_lf_in_next_is_dropped_and_the_claim_is_said_to_be_saved(browser: Browser, example: ExampleSite) -> None:
    instance_id = example.start()
    example.submit(instance_id)
    task_id = example.task_of("bob", instance_id, "review")
    browser.sign_in("bob")
    response = browser.post(f"/tasks/{task_id}/claim", {"next": "/inbox\r\nSet-Cookie: evil=1"})
    assert response.status_code == 302 and response.headers["Location"] == f"/tasks/{task_id}"
    assert "evil" not in response.headers.get("Set-Cookie", "")
    assert example.engine.task(task_id).claimed_by == "bob"
    login = browser.client.post("/login", data={"username": "bob", "password": "salasana", "next": "/\n/x",
                                                "csrf_token": browser.token()})
    assert login.status_code in (302, 200) and "\n" not in login.headers.get("Location", "")


def test_a_competitors_done_task_is_not_found_not_already_done(browser: Browser, example: ExampleSite) -> None:
    instance_id = example.start()
    example.submit(instance_id)
    task_id = example.task_of("bob", instance_id, "review")
    example.engine.complete_task(task_id, "bob", {"approve": True})
    browser.sign_in("carol")  # the other tenderer, in the same procurement
    assert browser.get(f"/tasks/{task_id}").status_code == 404
    assert browser.post(f"/tasks/{task_id}", {"approve": "true"}).status_code == 404
    browser.sign_in("bob")
    assert browser.get(f"/tasks/{task_id}").status_code == 409
    browser.sign_in("irma")  # the auditor is told
    assert browser.get(f"/tasks/{task_id}").status_code == 409


def test_free_text_is_bounded_and_nothing_is_stored(alliance: AllianceSite) -> None:
    """decision_notes has no maxlength of its own: the default limit holds (a million characters were taken)."""
    from engine import FormInvalid

    instance_id = alliance.start()
    task_id = alliance.task_of("kajaani.council", instance_id, "decide_joining")
    version = alliance.engine.instance(instance_id).version
    with pytest.raises(FormInvalid, match="decision_notes"):
        alliance.engine.complete_task(task_id, "kajaani.council", {
            "joins": True, "decision_reference": "§ 12", "decision_notes": "x" * 1_000_000})
    browser = Browser(alliance.app.test_client())
    browser.sign_in("kajaani.council", DEMO_PASSWORD)
    response = browser.post(f"/tasks/{task_id}", {"joins": "true", "decision_reference": "§ 12",
                                                  "decision_notes": "x" * 10_001})
    assert response.status_code == 422
    assert "Kirjoita enintään 10000 merkkiä" in response.get_data(as_text=True)
    assert alliance.engine.instance(instance_id).version == version


def test_health_says_whether_the_database_answers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from web.app import create_app

    down = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none"})
    response = down.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "unavailable", "database": "unreachable"}
