"""Sign-in with a real OpenID Connect provider on loopback, in Chromium, login to logout.

`oidc-provider-mock` runs in a thread of this test; the app runs with a temporary
secrets.toml whose `[auth]` points at it. Everything uses `localhost`: the identity cookie
Streamlit sets after the callback is per host.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import start_app, stop, wait_idle
from helpers.st_ws import free_port
from oidc_provider_mock import User, run_server_in_thread
from playwright.sync_api import Page, expect

from engine.identity.oidc import learner_key
from engine.identity.throttle import guarded, passcode_rules, wait_s
from engine.store import Store

ROOT = Path(__file__).resolve().parents[2]
ADA = User(sub="ada-0001", claims={"email": "ada@uni.example", "name": "Ada Lovelace"})
PROF = User(
    sub="prof-0001",
    claims={"email": "prof@uni.example", "email_verified": True, "name": "Professor X"},
)
# The professor's address on an account whose provider never said it verified it.
IMPOSTOR = User(sub="imp-0001", claims={"email": "prof@uni.example", "name": "Not the Prof"})


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with run_server_in_thread(port=free_port(), user_claims=[ADA, PROF, IMPOSTOR]) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def oidc_app(provider, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    base = tmp_path_factory.mktemp("oidc-app")
    port = free_port()
    secrets_toml = base / "secrets.toml"
    secrets_toml.write_text(
        f"""
[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "{secrets.token_hex(16)}"
client_id = "tunelab"
client_secret = "anything"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[instructors]
emails = ["prof@uni.example"]
"""
    )
    _, proc = start_app(
        ROOT / "app.py",
        base / "streamlit.log",
        {"TUNELAB_DATA_DIR": str(base / "data")},
        port=port,
        options=[f"secrets.files={secrets_toml}"],
    )
    try:
        yield f"http://localhost:{port}", base / "data" / "tunelab.db"
    finally:
        stop(proc)


def log_in(page: Page, app_url: str, path: str, user: User) -> None:
    page.goto(f"{app_url}/{path}")
    wait_idle(page)
    page.get_by_role("button", name="Sign in").click()
    # The provider's own authorization form, then the callback back to the app.
    page.locator("input[name=sub]").fill(user.sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app_url}/**")
    wait_idle(page)
    # Streamlit's callback lands on the home page; the identity cookie is set by then.
    page.goto(f"{app_url}/{path}")
    wait_idle(page)


def log_out(page: Page, app_url: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    # Streamlit ends the session at the provider too (RP-initiated logout): confirm there.
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{app_url}/**")
    wait_idle(page)


def test_a_learner_logs_in_with_the_provider_and_out_again(page: Page, oidc_app, provider):
    app_url, db_path = oidc_app
    log_in(page, app_url, "progress", ADA)
    expect(page.get_by_text("Signed in as Ada Lovelace")).to_be_visible()
    assert "session=" not in page.url and "learner=" not in page.url
    # The learner is the provider's issuer + subject, not a typed name.
    with Store.open(f"sqlite:///{db_path}") as db:
        names = {learner.name for learner in _learners(db)}
        assert "Ada Lovelace" in names
        key = learner_key(provider, ADA.sub)
        assert db.accounts().learner_by_key(key, "unused").name == "Ada Lovelace"
    page.reload()
    wait_idle(page)
    expect(page.get_by_text("Signed in as Ada Lovelace")).to_be_visible()
    log_out(page, app_url)
    page.goto(f"{app_url}/progress")
    wait_idle(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Signed in as Ada Lovelace")).to_have_count(0)


def test_only_an_allowlisted_account_opens_instructor_pages(page: Page, oidc_app):
    app_url, db_path = oidc_app
    log_in(page, app_url, "instructor_stats", ADA)
    expect(page.get_by_text("not on the instructor list")).to_be_visible()
    log_out(page, app_url)
    # Issue 19: an allowlisted address counts only when the provider says it verified it.
    log_in(page, app_url, "instructor_stats", IMPOSTOR)
    expect(page.get_by_text("not on the instructor list")).to_be_visible()
    log_out(page, app_url)
    # Passcode guesses from this machine (locked now) never touch a provider's instructor.
    with Store.open(f"sqlite:///{db_path}") as db:
        for _ in range(5):
            guarded(db.accounts(), passcode_rules("127.0.0.1"), lambda: False, now=time.time())
        assert wait_s(db.accounts(), passcode_rules("127.0.0.1"), now=time.time()) > 0
    log_in(page, app_url, "instructor_stats", PROF)
    expect(page.get_by_text("not on the instructor list")).to_have_count(0)
    expect(page.get_by_role("heading", name="Item statistics")).to_be_visible()


def _learners(db: Store) -> list:
    from sqlalchemy import select

    from engine.store import schema as t

    with db.sql_engine.connect() as conn:
        return list(conn.execute(select(t.learners)))
