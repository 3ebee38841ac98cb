"""The operator can follow a class in the log, and no PIN, passcode, token or secret is in it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from helpers.page_forms import sign_in, submit_passcode
from streamlit.testing.v1 import AppTest

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
APP = str(Path(__file__).resolve().parents[2] / "app.py")
PIN = "tangerine-4417"
WRONG_PIN = "grapefruit-9021"
PASSCODE = "zebra-quartz-lantern-7781"
WRONG_PASSCODE = "walrus-amber-clock-3310"
TOKEN_SECRET = "s3cr3t-signing-key-0b5e"


def _everything_logged(records: list[logging.LogRecord]) -> str:
    return "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in records)


@pytest.fixture
def secrets_in_env(demo_quizzes, monkeypatch):
    monkeypatch.setenv("TUNELAB_INSTRUCTOR_PASSCODE", PASSCODE)
    monkeypatch.setenv("TUNELAB_TOKEN_SECRET", TOKEN_SECRET)


def test_sign_ins_lock_outs_and_passcodes_are_logged_without_any_secret(secrets_in_env, caplog):
    caplog.set_level(logging.DEBUG)
    page = AppTest.from_file(str(LESSONS / "progress.py"), default_timeout=60).run()
    sign_in(page, "Ada", PIN)  # a new name: the PIN is chosen
    again = AppTest.from_file(str(LESSONS / "progress.py"), default_timeout=60).run()
    sign_in(again, "Ada", WRONG_PIN)
    sign_in(again, "Ada", PIN)
    token = again.query_params.get("session")
    instructor = AppTest.from_file(str(LESSONS / "gradebook.py"), default_timeout=60).run()
    submit_passcode(instructor, WRONG_PASSCODE)
    submit_passcode(instructor, PASSCODE)

    logged = _everything_logged(caplog.records)
    assert "sign-in" in logged and "instructor passcode refused" in logged
    for secret in (PIN, WRONG_PIN, PASSCODE, WRONG_PASSCODE, TOKEN_SECRET):
        assert secret not in logged
    if token:
        assert str(token) not in logged


def test_a_bad_setting_is_refused_by_name_on_the_page_without_a_traceback(
    demo_quizzes, monkeypatch
):
    monkeypatch.setenv("TUNELAB_TRAIN_THREADS", "two")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error) + " ".join(c.value for c in at.code)
    assert "TUNELAB_TRAIN_THREADS: got 'two'; expected a whole number" in shown
