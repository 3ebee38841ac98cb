"""Nobody locks anybody out, on the pages (issue 19): the instructor behind the proxy while
learners guess, a learner's own browser while a stranger guesses, an instructor clearing a
lock; and no traceback when the store refuses an answer or a page fails."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path

import pytest
from helpers.arrival import APP, TEST_PIN, session_token
from helpers.page_forms import sign_in, submit_passcode
from streamlit.testing.v1 import AppTest

import lessons.components.address as address_component
import lessons.components.recording as recording
from engine.store import Store

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
BANKS_PAGE = str(LESSONS / "instructor_banks.py")
LEARNERS_PAGE = str(LESSONS / "instructor_learners.py")
PROGRESS = str(LESSONS / "progress.py")


@pytest.fixture
def behind_the_proxy(monkeypatch):
    """HAProxy on this machine is trusted; `browser(ip)` makes the next session's requests
    arrive through it as from ``ip`` (or straight from ``ip`` with ``direct=True``)."""
    monkeypatch.setenv("TUNELAB_TRUSTED_PROXIES", "127.0.0.1")

    def browser(ip: str, *, forwarded: list[str] | None = None, direct: bool = False) -> None:
        peer = (ip, forwarded or []) if direct else (None, [*(forwarded or []), ip])
        monkeypatch.setattr(address_component, "request_peer", lambda: peer)

    return browser


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(page, default_timeout=60).run()
    assert not at.exception, at.exception
    return at


# The instructor passcode ---------------------------------------------------------------


def test_the_instructor_signs_in_while_learners_guess_wrong_passcodes_through_the_proxy(
    db, passcode, behind_the_proxy
):
    for n in range(10):  # ten learners, each locked out after three wrong passcodes
        behind_the_proxy(f"198.51.100.{n}")
        at = open_page(BANKS_PAGE)
        for guess in ("a", "b", "c"):
            submit_passcode(at, guess)
        assert "Too many wrong passcodes" in at.warning[0].value
    behind_the_proxy("198.51.100.200")
    at = submit_passcode(open_page(BANKS_PAGE), passcode)
    assert not at.warning and at.selectbox  # the bank check, unlocked


def test_behind_the_proxy_two_learners_have_separate_passcode_counts(
    db, passcode, behind_the_proxy
):
    behind_the_proxy("198.51.100.1")
    first = submit_passcode(submit_passcode(open_page(BANKS_PAGE), "a"), "b")
    assert first.error[0].value == "Wrong passcode (2 failed tries)."
    behind_the_proxy("198.51.100.2")
    second = submit_passcode(open_page(BANKS_PAGE), "a")
    assert second.error[0].value == "Wrong passcode (1 failed try)."


def test_a_browser_that_skips_the_proxy_cannot_borrow_the_instructors_address(
    db, passcode, behind_the_proxy
):
    # Straight to the app with a forged header naming the instructor's address.
    behind_the_proxy("203.0.113.66", forwarded=["198.51.100.200"], direct=True)
    at = open_page(BANKS_PAGE)
    for guess in ("a", "b", "c"):
        submit_passcode(at, guess)
    assert "Too many wrong passcodes" in at.warning[0].value
    behind_the_proxy("198.51.100.200")
    assert submit_passcode(open_page(BANKS_PAGE), passcode).selectbox


# A learner's PIN -------------------------------------------------------------------------


def test_a_learners_own_browser_signs_in_while_a_stranger_has_locked_their_name(db):
    at = sign_in(open_page(PROGRESS), "Ada", "ada's own pin")
    device = at.session_state["device_token"]
    cookie_script = [h.proto.body for h in at.get("html")]
    assert any(f"tunelab_device={device}" in body for body in cookie_script)
    stranger = open_page(PROGRESS)
    for guess in ("guess 1", "guess 2", "guess 3", "guess 4"):
        sign_in(stranger, "Ada", guess)
    assert "Too many wrong PINs for this name" in stranger.warning[0].value
    assert "ask an instructor to clear the lock" in stranger.warning[0].value
    # Ada opens TuneLab tomorrow in the browser she used (its device token) and gets in.
    again = AppTest.from_file(PROGRESS, default_timeout=60)
    again.session_state["device_token"] = device
    again = sign_in(again.run(), "Ada", "ada's own pin")
    assert "Welcome back" in again.success[0].value


def test_an_instructor_clears_a_names_lock_on_the_learners_page(db, passcode):
    session_token("Lin", pin=TEST_PIN)
    stranger = open_page(PROGRESS)
    for guess in ("guess 1", "guess 2", "guess 3"):
        sign_in(stranger, "Lin", guess)
    assert "Too many wrong PINs" in sign_in(open_page(PROGRESS), "Lin").warning[0].value
    at = submit_passcode(open_page(LEARNERS_PAGE), passcode)
    assert at.dataframe[0].value["learner"].tolist() == ["Lin"]  # who is locked, as text
    at.text_input(key="clear_lock_name").input("lin")
    at.button(key="clear_lock_submit").click().run()
    assert "**Lin** can sign in again now." in at.success[0].value
    assert not at.dataframe and "No name is locked" in at.caption[0].value
    assert "Welcome back" in sign_in(open_page(PROGRESS), "Lin").success[0].value


# No tracebacks ---------------------------------------------------------------------------


def test_an_answer_the_store_refuses_is_explained_not_a_traceback(db, monkeypatch):
    real = recording.grade
    # A grading fault: a score above the maximum, which the store refuses to keep.
    monkeypatch.setattr(recording, "grade", lambda q, r: replace(real(q, r), score=2.0))
    at = AppTest.from_file(str(LESSONS / "test_pattern.py"), default_timeout=60)
    at.query_params["session"] = session_token("Ada")
    at.run()
    at.button(key="start").click().run()
    at.radio[0].set_value("a")
    at.button(key="submit").click().run()
    assert not at.exception, at.exception
    assert "could not be recorded" in at.error[0].value
    assert any("Question 1 of" in c.value for c in at.caption)  # not acknowledged
    with Store.open() as store:
        attempt = store.attempts(store.learner("Ada").id)[0]
        assert store.answers(attempt.id) == []


def test_a_failing_page_shows_a_plain_message_with_a_reference_in_the_log(db, monkeypatch, caplog):
    import lessons.components.banks as banks

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail at /srv/tunelab/engine/x.py")

    monkeypatch.setattr(banks, "catalog", broken)
    with caplog.at_level(logging.ERROR, logger="tunelab"):
        at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("Something went wrong on this page")
    assert "secret detail" not in message and "/srv" not in message
    reference = re.search(r"reference \*\*([0-9a-f]{8})\*\*", message)
    assert reference is not None
    logged = [r for r in caplog.records if reference.group(1) in r.getMessage()]
    assert logged and "secret detail" in str(logged[0].exc_info[1])


def test_the_shipped_config_shows_learners_no_error_details():
    config = (Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text()
    assert re.search(r'(?m)^showErrorDetails = "none"$', config)
