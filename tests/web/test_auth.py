"""Sign-in, sessions, sign-out, CSRF, secure headers and the language switch."""

from __future__ import annotations

from pathlib import Path

from tests.web.conftest import Browser, ExampleSite


def test_login_page_is_finnish_by_default(browser: Browser) -> None:
    page = browser.text("/login")
    assert '<html lang="fi">' in page
    assert "Kirjaudu sisään" in page


def test_sign_in_and_out(browser: Browser) -> None:
    response = browser.sign_in("aino")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Aino Heikkinen" in browser.text("/")
    response = browser.post("/logout")
    assert response.status_code == 302
    assert browser.get("/").status_code == 302


def test_wrong_password_and_unknown_user_are_refused_alike(browser: Browser) -> None:
    for username, password in (("aino", "wrong"), ("nobody", "salasana")):
        response = browser.sign_in(username, password)
        assert response.status_code == 401
        page = response.get_data(as_text=True)
        assert "Väärä käyttäjätunnus tai salasana." in page
        assert f'value="{username}"' in page  # the name is kept, the password is not
    assert browser.get("/").status_code == 302


def test_pages_need_sign_in(browser: Browser, example: ExampleSite) -> None:
    instance = example.start()
    for path in ("/", "/procurements/", f"/procurements/{instance}", "/tasks/x", "/procurements/new"):
        response = browser.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next=")


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(browser: Browser) -> None:
    token = browser.token()
    response = browser.client.post("/login", data={"username": "aino", "password": "salasana", "csrf_token": token,
                                                   "next": "/procurements/"})
    assert response.headers["Location"] == "/procurements/"
    browser.post("/logout")
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = browser.client.post("/login", data={"username": "aino", "password": "salasana",
                                                       "csrf_token": browser.token(), "next": evil})
        assert response.headers["Location"] == "/", evil
        browser.post("/logout")


def test_every_form_needs_the_csrf_token(browser: Browser, example: ExampleSite) -> None:
    response = browser.client.post("/login", data={"username": "aino", "password": "salasana"})
    assert response.status_code == 400
    browser.sign_in("aino")
    instance = example.start()
    task = example.task_of("aino", instance, "submit")
    for path in (f"/tasks/{task}", f"/tasks/{task}/claim", "/logout", "/language"):
        response = browser.client.post(path, data={"csrf_token": "forged"})
        assert response.status_code == 400, path
    assert example.engine.task(task).claimed_by is None


def test_secure_headers(browser: Browser) -> None:
    response = browser.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_language_switch_keeps_the_page_and_survives_sign_in(browser: Browser) -> None:
    response = browser.post("/language", {"language": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    page = browser.text("/login")
    assert '<html lang="en">' in page and "Sign in" in page
    browser.client.post("/login", data={"username": "aino", "password": "salasana", "csrf_token": browser.token()})
    assert "Inbox" in browser.text("/")
    browser.post("/language", {"language": "fi"})
    assert "Saapuneet" in browser.text("/")
    browser.post("/language", {"language": "xx"})
    assert "Saapuneet" in browser.text("/")


def test_health_and_unknown_pages(browser: Browser) -> None:
    assert browser.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    response = browser.get("/no/such/page")
    assert response.status_code == 404
    assert "Sivua ei löydy" in response.get_data(as_text=True)


def test_without_a_secret_key_one_is_made_and_kept(tmp_path: Path) -> None:
    from web.config import settings

    first = settings(str(tmp_path), {"DATABASE_URL": "sqlite://"})["SECRET_KEY"]
    again = settings(str(tmp_path), {"DATABASE_URL": "sqlite://"})["SECRET_KEY"]
    assert len(first) == 64 and first == again
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert settings(str(tmp_path), {"SECRET_KEY": "given"})["SECRET_KEY"] == "given"
