"""The instructor gate: the identity provider's allowlist when `[auth]` is configured,
otherwise a passcode from secrets or the environment, with a lockout per browser address
(proxy-aware) kept in the database. Instructors signed in by the provider never meet it."""

from __future__ import annotations

import logging
import math
import threading
import time

import streamlit as st

from engine.identity.instructor import (
    PASSCODE_ENV,
    PASSCODE_SECRET,
    GateKeeper,
    Outcome,
    Verdict,
    configured_passcode,
    passcode_matches,
)
from engine.identity.oidc import (
    INSTRUCTOR_EMAILS_ENV,
    INSTRUCTORS_SECTION,
    allowlist_from_config,
)
from engine.identity.oidc import is_instructor as account_is_instructor
from engine.identity.throttle import guarded, passcode_rules, wait_s
from engine.store import Store
from lessons.components.address import browser_address
from lessons.components.learner import auth_configured, store

_UNLOCKED_KEY = "instructor_unlocked"


@st.cache_resource(show_spinner=False)
def _server_gates() -> tuple[GateKeeper, threading.Lock]:
    # The fallback while the database is unavailable: per server, not per session.
    return GateKeeper(), threading.Lock()


_log = logging.getLogger(__name__)


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
    """Whether this session is an instructor's: an allowlisted account under `[auth]`, else
    one that gave the passcode. Draws nothing: for pages that show instructors more, such as
    a broken bank's details and server paths."""
    if auth_configured():
        allowlist = allowlist_from_config(_section(INSTRUCTORS_SECTION))
        return (
            not allowlist.empty
            and bool(st.user.is_logged_in)
            and account_is_instructor(st.user.to_dict(), allowlist)
        )
    return bool(st.session_state.get(_UNLOCKED_KEY))


def instructor_gate() -> bool:
    """True once this session may see instructor pages.

    With an identity provider, that is an allowlisted account; otherwise the passcode.
    When not, it draws why and how (the setup note, the passcode form or a refusal) and
    returns False; the caller stops the page (``if not instructor_gate(): st.stop()``).
    """
    if auth_configured():
        return _allowlisted()
    expected = configured_passcode(_secrets())
    if expected is None:
        _explain_setup()
        return False
    if st.session_state.get(_UNLOCKED_KEY):
        if st.sidebar.button("Lock instructor pages", key="instructor_lock"):
            st.session_state.pop(_UNLOCKED_KEY)
            st.rerun()
        return True
    address = browser_address()
    with st.form("instructor_login"):
        given = st.text_input("Instructor passcode", type="password", key="instructor_passcode")
        submitted = st.form_submit_button("Unlock", key="instructor_unlock", type="primary")
    if submitted:
        verdict = _attempt(address, given, expected)
        if verdict.outcome is Outcome.ACCEPTED:
            st.session_state[_UNLOCKED_KEY] = True
            st.rerun()
        if verdict.outcome is Outcome.REFUSED:
            st.error(f"Wrong passcode ({verdict.failures} failed {_tries(verdict.failures)}).")
    wait = _wait_s(address)
    if wait > 0:
        st.warning(
            f"Too many wrong passcodes: try again in {math.ceil(wait)} s. Tries before then are "
            "refused without being checked."
        )
    return False


def instructor_store() -> Store:
    """For instructor pages on the class's records: the store, once past the gate.

    Otherwise the page stops here, with the gate (or why the store is unavailable) on it.
    """
    if not instructor_gate():
        st.stop()
    db = store()
    if db is None:
        st.stop()
    return db


# Kept on the server, never in the session or the browser: in the database, so every server
# counts the same guesses; in this process only while the database is unavailable.
def _attempt(address: str, given: str, expected: str) -> Verdict:
    verdict = _checked(address, given, expected)
    if verdict.outcome is not Outcome.ACCEPTED:  # never the passcode, only where and how often
        _log.warning(
            "instructor passcode %s from %s (%d failures)",
            verdict.outcome.value,
            address,
            verdict.failures,
        )
    return verdict


def _checked(address: str, given: str, expected: str) -> Verdict:
    db = store()
    if db is not None:
        return guarded(
            db.accounts(),
            passcode_rules(address),
            lambda: passcode_matches(given, expected),
            now=time.time(),
        )
    gates, gates_lock = _server_gates()
    with gates_lock:
        return gates.attempt(address, given, expected, now=time.monotonic())


def _wait_s(address: str) -> float:
    db = store()
    if db is not None:
        return wait_s(db.accounts(), passcode_rules(address), now=time.time())
    gates, gates_lock = _server_gates()
    with gates_lock:
        return gates.wait_s(address, time.monotonic())


def _allowlisted() -> bool:
    allowlist = allowlist_from_config(_section(INSTRUCTORS_SECTION))
    if allowlist.empty:
        st.info(
            "The instructor pages are switched off: sign-in uses an identity provider, and "
            "no instructor is listed. Add `[instructors]` with `emails = [...]` (or "
            '`role_claim = "roles"` and `role = "instructor"`) to `.streamlit/secrets.toml`, '
            f"or set `{INSTRUCTOR_EMAILS_ENV}`, then restart the app."
        )
        return False
    if not st.user.is_logged_in:
        st.info("Instructor pages: sign in with your instructor account.")
        if st.button("Sign in", key="instructor_sign_in", type="primary"):
            st.login()
        return False
    if account_is_instructor(st.user.to_dict(), allowlist):
        return True
    st.warning("This account is not on the instructor list, so this page shows nothing.")
    if st.button("Sign out", key="instructor_sign_out"):
        st.logout()  # to sign in again with another account
    return False


def _section(name: str) -> dict[str, object] | None:
    try:
        section = st.secrets.get(name)
    except Exception:
        return None
    return dict(section) if section is not None else None


def _tries(count: int) -> str:
    return "try" if count == 1 else "tries"
