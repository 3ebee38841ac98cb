"""The instructor gate: a passcode from secrets or the environment, with a lockout."""

from __future__ import annotations

import math
import threading
import time

import streamlit as st

from engine.instructor_auth import (
    PASSCODE_ENV,
    PASSCODE_SECRET,
    GateKeeper,
    Outcome,
    configured_passcode,
)

_UNLOCKED_KEY = "instructor_unlocked"


@st.cache_resource(show_spinner=False)
def _server_gates() -> tuple[GateKeeper, threading.Lock]:
    # Kept per server, not per session: a new session per guess must not reset a count.
    return GateKeeper(), threading.Lock()


def _client_address() -> str:
    # None means a browser on this machine (Streamlit hides loopback addresses); anything
    # but a string (AppTest hands out a mock) is treated the same way.
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "this machine"


def _secrets() -> dict[str, object]:
    # st.secrets raises when no secrets.toml exists at all; that just means "not set there".
    try:
        return {PASSCODE_SECRET: st.secrets.get(PASSCODE_SECRET)}
    except Exception:
        return {}


def _explain_setup() -> None:
    st.info(
        "The instructor pages are switched off because no instructor passcode is set.\n\n"
        f'Set one in `.streamlit/secrets.toml` as `{PASSCODE_SECRET} = "..."`, or in the '
        f"environment as `{PASSCODE_ENV}=...`, then restart the app."
    )


def is_instructor() -> bool:
    """Whether this session has given the passcode (draws nothing: for pages that show
    instructors more, such as a broken bank's details and server paths)."""
    return bool(st.session_state.get(_UNLOCKED_KEY))


def instructor_gate() -> bool:
    """True once this session has given the passcode.

    Otherwise it draws the setup note or the passcode form and returns False; the caller
    stops the page (``if not instructor_gate(): st.stop()``), so nothing below it runs.
    """
    expected = configured_passcode(_secrets())
    if expected is None:
        _explain_setup()
        return False
    if st.session_state.get(_UNLOCKED_KEY):
        if st.sidebar.button("Lock instructor pages", key="instructor_lock"):
            st.session_state.pop(_UNLOCKED_KEY)
            st.rerun()
        return True
    # Kept on the server: the browser never sees the count or the lock.
    gates, gates_lock = _server_gates()
    address = _client_address()
    with st.form("instructor_login"):
        given = st.text_input("Instructor passcode", type="password", key="instructor_passcode")
        submitted = st.form_submit_button("Unlock", key="instructor_unlock", type="primary")
    if submitted:
        with gates_lock:
            verdict = gates.attempt(address, given, expected, now=time.monotonic())
        if verdict.outcome is Outcome.ACCEPTED:
            st.session_state[_UNLOCKED_KEY] = True
            st.rerun()
        if verdict.outcome is Outcome.REFUSED:
            st.error(f"Wrong passcode ({verdict.failures} failed {_tries(verdict.failures)}).")
    with gates_lock:
        wait = gates.wait_s(address, time.monotonic())
    if wait > 0:
        st.warning(
            f"Too many wrong passcodes: try again in {math.ceil(wait)} s. Tries before then are "
            "refused without being checked."
        )
    return False


def _tries(count: int) -> str:
    return "try" if count == 1 else "tries"
