"""The forms that stand before pages in AppTest: a learner's name + PIN, an instructor's
passcode. Each submits, runs the page again and fails on any exception of that run."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from helpers.arrival import TEST_PIN


def sign_in(at: AppTest, name: str, pin: str = TEST_PIN) -> AppTest:
    at.text_input(key="learner_name").input(name)
    at.text_input(key="learner_pin").input(pin)
    at.button(key="sign_in_submit").click().run()
    assert not at.exception, at.exception
    return at


def submit_passcode(at: AppTest, passcode: str) -> AppTest:
    at.text_input(key="instructor_passcode").input(passcode)
    at.button(key="instructor_unlock").click().run()
    assert not at.exception, at.exception
    return at
