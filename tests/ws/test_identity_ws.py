"""Sign-in against a real server through raw websocket frames: what reaches the browser
and the server log, and what a crafted query string can do."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from helpers.st_ws import Render, StreamlitSession, quiz_folder, serving_app
from helpers.ws_answers import sign_in as ws_sign_in

from engine.store import Store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "quizzes" / "_example.yaml"
TOKEN_SECRET = "signing-key-that-must-stay-on-the-server-5f2c9e"
PIN = "pin-that-must-not-echo-7351"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    base = tmp_path_factory.mktemp("identity-ws")
    shutil.copy(EXAMPLE, quiz_folder(base) / "example.yaml")
    with serving_app(base, {"TUNELAB_TOKEN_SECRET": TOKEN_SECRET}) as url:
        yield url, base


def sign_in(session: StreamlitSession, name: str, pin: str) -> tuple[Render, bytes]:
    """The run after signing in, and every byte the server sent on the way."""
    form, after = ws_sign_in(session, name, pin)
    return after, form.raw + after.raw


def stored_hash(base: Path, name: str) -> str:
    with Store.open(f"sqlite:///{base / 'data' / 'tunelab.db'}") as db:
        credential = db.accounts().credential(db.learner(name).id)
        assert credential is not None
        return credential.pin_hash


def test_signing_in_sends_no_secret_to_the_browser_and_logs_none(server):
    url, base = server
    with StreamlitSession(url) as session:
        render, frames = sign_in(session, "Frame Watcher", PIN)
        assert "Signed in as **Frame Watcher**" in render.text, render.text
        query = parse_qs(session.query_string)
    token = query["session"][0]
    assert set(query) == {"session"} and "Frame Watcher" not in session.query_string
    pin_hash = stored_hash(base, "Frame Watcher")
    for secret in (TOKEN_SECRET, PIN, pin_hash, pin_hash.split("$")[-1]):
        assert secret.encode() not in frames, f"reached the browser: {secret[:12]}…"
    log = (base / "streamlit.log").read_text()
    for secret in (TOKEN_SECRET, PIN, pin_hash, token):
        assert secret not in log, f"written to the log: {secret[:12]}…"
    # The token alone (a reload, a new session) brings the learner back.
    with StreamlitSession(url, f"session={token}") as reload:
        assert "Signed in as **Frame Watcher**" in reload.rerun("test_pattern").text


def test_a_crafted_learner_query_string_signs_nobody_in(server):
    url, _ = server
    with StreamlitSession(url) as session:
        sign_in(session, "Victim", "victim's own pin")
    with StreamlitSession(url, "learner=Victim") as crafted:
        render = crafted.rerun("test_pattern")
    assert "Signed in as" not in render.text
    assert "Victim" not in render.text


def test_a_wrong_pin_over_the_websocket_is_refused_and_shows_nothing_of_the_learner(server):
    url, _ = server
    with StreamlitSession(url) as session:
        sign_in(session, "Owner", "owner's own pin")
    with StreamlitSession(url) as impostor:
        render, _ = sign_in(impostor, "Owner", "a guess")
        assert "PIN does not match" in render.text
        assert "Signed in as" not in render.text and "session=" not in impostor.query_string
