"""A real `streamlit run` behind a (simulated) proxy on loopback: browsers the proxy names in
X-Forwarded-For have passcode counts of their own, and a browser that reaches the app
directly cannot borrow another's address by sending the header itself (issue 19).

The proxy is this machine (127.0.0.1, trusted by TUNELAB_TRUSTED_PROXIES); a browser
"outside" connects from 127.0.0.2. uvicorn's own proxy handling is switched off
(FORWARDED_ALLOW_IPS empty) so that what is tested is TuneLab's reading of the header.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers.st_ws import Render, StreamlitSession, quiz_folder, serving_app, trigger
from helpers.template_bank import write_widget_answered_template
from streamlit.proto.WidgetStates_pb2 import WidgetState

PASSCODE = "proxy passcode 4f1c"
pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def url(tmp_path_factory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("proxy-ws")
    write_widget_answered_template(quiz_folder(base) / "example.yaml")
    settings = {
        "TUNELAB_INSTRUCTOR_PASSCODE": PASSCODE,
        "TUNELAB_TRUSTED_PROXIES": "127.0.0.1",
        "FORWARDED_ALLOW_IPS": "",
    }
    with serving_app(base, settings) as served:
        yield served


def through_proxy(url: str, browser: str) -> StreamlitSession:
    return StreamlitSession(url, headers={"X-Forwarded-For": browser})


def guess(session: StreamlitSession, passcode: str) -> Render:
    form = session.rerun("instructor_banks")
    field = next(e for e in form.of_kind("text_input") if e.text_input.label.startswith("Instr"))
    return session.rerun(
        "instructor_banks",
        [
            WidgetState(id=field.text_input.id, string_value=passcode),
            trigger(form.button("Unlock")),
        ],
    )


def test_two_browsers_behind_the_proxy_have_separate_passcode_counts(url):
    with through_proxy(url, "198.51.100.1") as first, through_proxy(url, "198.51.100.2") as second:
        for number in (1, 2, 3):
            page = guess(first, f"wrong {number}")
        assert "Too many wrong passcodes" in page.text, page.text
        assert "Wrong passcode (1 failed try)." in guess(second, "wrong").text


def test_the_instructor_signs_in_while_learners_are_locked_out_through_the_proxy(url):
    for learner in range(5):
        with through_proxy(url, f"198.51.100.{10 + learner}") as session:
            for number in (1, 2, 3):
                guess(session, f"wrong {number}")
    with through_proxy(url, "198.51.100.200") as instructor:
        page = guess(instructor, PASSCODE)
        assert "Too many wrong passcodes" not in page.text and "is valid" in page.text, page.text


def test_a_browser_outside_the_proxy_cannot_spend_another_browsers_tries(url):
    victim = "198.51.100.77"
    with StreamlitSession(url, headers={"X-Forwarded-For": victim}, source="127.0.0.2") as forger:
        for number in (1, 2, 3):
            page = guess(forger, f"wrong {number}")
        assert "Too many wrong passcodes" in page.text, page.text
    with through_proxy(url, victim) as real:
        assert "is valid" in guess(real, PASSCODE).text
