"""Who is learning: a display name (no password), kept in the URL so a reload keeps it."""

from __future__ import annotations

import streamlit as st

from engine.quiz.models import QuestionBank
from engine.store import Learner, Store, StoreError, StoreUnavailable
from lessons.components.banks import pick_bank


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
    """The signed-in learner; with `ask`, a name form when nobody is signed in yet."""
    db = store()
    if db is None:
        return None
    learner_id = st.session_state.get("learner_id")
    if learner_id is not None:
        learner = db.get_learner(learner_id)
        if learner is not None:
            return learner
    # A reload starts a new session; the name in the URL brings the learner back.
    remembered = st.query_params.get("learner")
    if remembered:
        try:
            return _sign_in(db, remembered)
        except ValueError:
            del st.query_params["learner"]
    if ask:
        with st.form("sign_in"):
            name = st.text_input(
                "Your name, so TuneLab can keep your progress", key="learner_name", max_chars=40
            )
            go = st.form_submit_button("Continue", key="sign_in_submit", type="primary")
        if go:
            try:
                _sign_in(db, name)
            except ValueError as exc:
                st.error(str(exc))
            except StoreError as exc:
                # A locked or failing database: say so, and let them try again.
                st.error(f"Could not sign you in: {exc}.")
            else:
                st.rerun()
    return None


def _sign_in(db: Store, name: str) -> Learner:
    learner = db.learner(name)
    st.session_state["learner_id"] = learner.id
    st.query_params["learner"] = learner.name
    return learner


def sign_out() -> None:
    st.session_state.pop("learner_id", None)
    if "learner" in st.query_params:
        del st.query_params["learner"]


def learner_store_and_bank(bank_key: str) -> tuple[Learner, Store, QuestionBank]:
    """For pages about one learner's record: ask for the name and the bank, or stop here."""
    learner = current_learner()
    db = store()
    if learner is None or db is None:
        st.stop()
    bank = pick_bank(bank_key)
    if bank is None:
        st.stop()
    return learner, db, bank
