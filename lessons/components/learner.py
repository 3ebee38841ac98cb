"""Who is learning: name + PIN, or the identity provider's account when `[auth]` is set.

What survives a reload is a signed, expiring token in the URL (`?session=...`), never a name.
A browser that signed in keeps a device token in a cookie: it lets nobody in, but a PIN
try from that browser is counted apart from a stranger's guesses at the same name.
"""

from __future__ import annotations

import math
import re
import time

import streamlit as st

from engine.identity.oidc import provider_learner
from engine.identity.pins import PIN_MAX, PIN_MIN
from engine.identity.signin import (
    TOKEN_SECRET_KEY,
    SignIn,
    SignInOutcome,
    device_token,
    issue_token,
    learner_from_token,
    revoke_tokens,
    sign_in_with_pin,
    token_secret,
)
from engine.identity.tokens import TokenRefused
from engine.quiz.inert_text import inert_text
from engine.store import Learner, Store, StoreError, StoreUnavailable
from lessons.components.address import browser_address

TOKEN_PARAM = "session"
_TOKEN_KEY = "session_token"
_WELCOME_KEY = "sign_in_welcome"
DEVICE_COOKIE = "tunelab_device"
_DEVICE_KEY = "device_token"  # this session's copy (the cookie is read when it connects)
_DEVICE_TO_STORE = "device_token_to_store"
_DEVICE_SHAPE = re.compile(r"[A-Za-z0-9_.-]{1,200}")
DEVICE_COOKIE_DAYS = 400  # browsers cap cookie lifetimes at 400 days
# A signed-in session's learner is looked up in the database at most this often: every full
# page run asking cost a query. A revoked link (signed out elsewhere, PIN reset) or a deleted
# learner therefore ends an open session within this many seconds, on its next full run.
LEARNER_RECHECK_S = 10.0
_CHECKED_KEY = "learner_checked"  # (the learner, clock() when the database said so)
clock = time.monotonic  # a test moves it on


@st.cache_resource(show_spinner=False)
def _open_store() -> Store:
    # One Store per server: its connection pool is thread-safe and shared by sessions;
    # everything learner-specific is keyed by learner id, never held in the object.
    return Store.open()


def store() -> Store | None:
    """The server's store, or None (with the reason on the page) when it is unavailable."""
    try:
        return _open_store()
    except StoreUnavailable as exc:
        st.warning(f"Progress is not being saved: {exc}")
        return None


def current_learner(*, ask: bool = True) -> Learner | None:
    """The signed-in learner; with `ask`, the sign-in form when nobody is signed in yet."""
    db = store()
    if db is None:
        return None
    if auth_configured():
        return _provider_learner(db, ask=ask)
    learner_id = st.session_state.get("learner_id")
    if learner_id is not None:
        learner = _checked_learner(db, learner_id)
        if learner is not None:
            _keep_token_in_url()
            _store_device_token()
            _sign_out_button()
            welcome = st.session_state.pop(_WELCOME_KEY, None)
            if welcome:
                st.success(welcome)
            return learner
    # A reload starts a new session; the signed token in the URL brings the learner back.
    # A name in the URL (the old `?learner=NAME`) proves nothing and is ignored.
    token = st.query_params.get(TOKEN_PARAM)
    if token:
        try:
            learner = learner_from_token(db, token, _token_secret(db), now=time.time())
        except TokenRefused as exc:
            del st.query_params[TOKEN_PARAM]
            st.warning(str(exc))  # the server's own words, never learner text
        else:
            st.session_state["learner_id"] = learner.id
            st.session_state[_TOKEN_KEY] = token
            st.session_state[_CHECKED_KEY] = (learner, clock())
            _sign_out_button()
            return learner
    if ask:
        _pin_form(db)
    return None


def _checked_learner(db: Store, learner_id: int) -> Learner | None:
    """This session's learner, from the database at most every LEARNER_RECHECK_S seconds;
    None (and this session signed out) once the learner is gone or their link revoked."""
    kept = st.session_state.get(_CHECKED_KEY)
    now = clock()
    if kept is not None and kept[0].id == learner_id and now - kept[1] < LEARNER_RECHECK_S:
        return kept[0]
    learner = db.get_learner(learner_id)
    token = st.session_state.get(_TOKEN_KEY)
    if learner is not None and token:
        try:
            learner_from_token(db, token, _token_secret(db), now=time.time())
        except TokenRefused as exc:
            learner = None
            st.session_state.pop("learner_id", None)
            st.session_state.pop(_TOKEN_KEY, None)
            if TOKEN_PARAM in st.query_params:
                del st.query_params[TOKEN_PARAM]
            st.warning(str(exc))  # the server's own words, never learner text
    if learner is None:
        st.session_state.pop(_CHECKED_KEY, None)
    else:
        st.session_state[_CHECKED_KEY] = (learner, now)
    return learner


def _pin_form(db: Store) -> None:
    with st.form("sign_in", clear_on_submit=True):
        name = st.text_input(
            "Your name, so TuneLab can keep your progress", key="learner_name", max_chars=40
        )
        pin = st.text_input(
            "Your PIN or passphrase",
            type="password",
            key="learner_pin",
            max_chars=PIN_MAX,
            help=f"New here? Choose one of at least {PIN_MIN} characters: you need it, with "
            "your name, to come back. An instructor can reset it if you forget.",
        )
        go = st.form_submit_button("Continue", key="sign_in_submit", type="primary")
    if not go:
        return
    secret = _token_secret(db)
    held = _held_device_token()
    try:
        result = sign_in_with_pin(
            db, name, pin, now=time.time(), address=browser_address(), device=held, secret=secret
        )
    except ValueError as exc:
        st.error(inert_text(exc))
        return
    except StoreError as exc:
        # A locked or failing database: say so, and let them try again.
        st.error(f"Could not sign you in: {exc}.")
        return
    if result.learner is None:
        _explain_refusal(result)
        return
    token = issue_token(db, result.learner, secret, now=time.time())
    device = device_token(result.learner, secret, held)
    st.session_state[_DEVICE_KEY] = device
    if device != held:
        st.session_state[_DEVICE_TO_STORE] = device
    st.session_state["learner_id"] = result.learner.id
    st.session_state[_TOKEN_KEY] = token
    st.query_params[TOKEN_PARAM] = token
    st.session_state[_WELCOME_KEY] = _welcome(result)
    st.rerun()


def _held_device_token() -> str | None:
    held = st.session_state.get(_DEVICE_KEY)
    if isinstance(held, str):
        return held
    cookies = st.context.cookies
    cookie = cookies.get(DEVICE_COOKIE) if hasattr(cookies, "get") else None
    return cookie if isinstance(cookie, str) else None


def _store_device_token() -> None:
    """Write a device token signed at this session's sign-in into the browser's cookie."""
    token = st.session_state.pop(_DEVICE_TO_STORE, None)
    if not isinstance(token, str) or not _DEVICE_SHAPE.fullmatch(token):
        return
    # Streamlit has no API to set a cookie; one line of script on the page does. The token
    # is this server's own signature (letters, digits, "._-"), never learner text.
    st.html(
        "<script>document.cookie = "
        f'"{DEVICE_COOKIE}={token}; path=/; max-age={DEVICE_COOKIE_DAYS * 86400}; '
        'samesite=strict" + (location.protocol === "https:" ? "; secure" : "");</script>',
        unsafe_allow_javascript=True,
        width="content",
    )


def _welcome(result: SignIn) -> str:
    assert result.learner is not None
    name = inert_text(result.learner.name)
    if result.outcome is SignInOutcome.CLAIMED:
        return (
            f"The name **{name}** had no PIN yet (it was used before PINs, or an instructor "
            "reset it): it is yours now, with its records, and from now on it needs your PIN."
        )
    if result.outcome is SignInOutcome.CREATED:
        return f"Welcome, **{name}**: next time, sign in with your name and this PIN."
    return f"Welcome back, **{name}**."


def _explain_refusal(result: SignIn) -> None:
    wait = math.ceil(result.wait_s)
    if result.outcome is SignInOutcome.LOCKED:
        st.warning(
            f"Too many wrong PINs for this name: try again in {wait} s. Tries before then "
            "are refused without being checked. On a browser where you signed in with this "
            "name before, your PIN works now; or ask an instructor to clear the lock "
            "(Learners page)."
        )
        return
    if result.outcome is SignInOutcome.SLOWED:
        st.warning(
            f"Too many wrong PINs from this network: try again in {wait} s. Tries before "
            "then are refused without being checked."
        )
        return
    if result.outcome is SignInOutcome.TOO_MANY_NEW_NAMES:
        st.warning(
            "Many new names were made from this network in the last hour: try again in "
            f"{wait} s, or sign in with a name you already have."
        )
        return
    st.error(
        "That name is taken and the PIN does not match. If it is yours and you forgot the "
        "PIN, ask an instructor to reset it; otherwise choose another name."
    )
    if result.wait_s > 0:
        st.warning(f"Wait {math.ceil(result.wait_s)} s before the next try.")


def _provider_learner(db: Store, *, ask: bool) -> Learner | None:
    # The provider's cookie (set by st.login) is what survives a reload in this mode.
    if st.user.is_logged_in:
        learner = provider_learner(db, st.user.to_dict())
        st.session_state["learner_id"] = learner.id
        _sign_out_button()
        return learner
    if ask:
        st.info("Sign in with your school account so TuneLab can keep your progress.")
        if st.button("Sign in", key="oidc_sign_in", type="primary"):
            st.login()
    return None


def _sign_out_button() -> None:
    if st.sidebar.button("Sign out", key="sign_out"):
        sign_out()
        if auth_configured():
            # st.logout queued a redirect to the provider; a rerun would drop it.
            st.stop()
        st.rerun()


def _keep_token_in_url() -> None:
    # Page switches drop query parameters; a reload on the new page must still find it.
    token = st.session_state.get(_TOKEN_KEY)
    if token and st.query_params.get(TOKEN_PARAM) != token:
        st.query_params[TOKEN_PARAM] = token


def _token_secret(db: Store) -> str:
    return token_secret(db, {TOKEN_SECRET_KEY: secret(TOKEN_SECRET_KEY)})


def secret(key: str) -> object:
    # st.secrets raises when no secrets.toml exists at all; that just means "not set there".
    try:
        return st.secrets.get(key)
    except Exception:
        return None


def auth_configured() -> bool:
    """True when `.streamlit/secrets.toml` has an `[auth]` section: sign-in is st.login."""
    return secret("auth") is not None


def sign_out() -> None:
    """Forget the learner here and revoke their signed links everywhere (a copied URL, a
    shared computer's history), not only when they expire."""
    learner_id = st.session_state.pop("learner_id", None)
    st.session_state.pop(_CHECKED_KEY, None)
    db = store()
    if learner_id is not None and db is not None and not auth_configured():
        revoke_tokens(db, learner_id)
    st.session_state.pop(_TOKEN_KEY, None)
    if TOKEN_PARAM in st.query_params:
        del st.query_params[TOKEN_PARAM]
    if auth_configured() and st.user.is_logged_in:
        st.logout()
