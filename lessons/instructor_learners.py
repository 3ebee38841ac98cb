"""Learners' sign-in, for instructors: reset a forgotten PIN, clear a name's lock."""

from __future__ import annotations

import math
import time

import pandas as pd
import streamlit as st

from engine.identity.signin import clear_pin_lock, locked_names, reset_pin
from engine.quiz.inert_text import inert_text
from lessons.components.learner import auth_configured
from lessons.components.passcode import instructor_store

st.title("Learners")
db = instructor_store()
if auth_configured():
    st.info(
        "Learners sign in with the identity provider, so there are no PINs to reset here: "
        "account recovery is the provider's."
    )
    st.stop()

st.markdown(
    "A learner who forgot their PIN keeps their records: reset it here, and their next "
    "sign-in with that name chooses a new PIN. Links signed before the reset stop working."
)
with st.form("reset_pin", clear_on_submit=True):
    name = st.text_input("Learner's name", key="reset_pin_name", max_chars=40)
    go = st.form_submit_button("Reset PIN", key="reset_pin_submit")
if go:
    try:
        learner = reset_pin(db, name)
    except ValueError as exc:
        st.error(inert_text(exc))
    else:
        if learner is None:
            st.warning(
                f"No learner is called {inert_text(repr(name.strip()))}: check the spelling."
            )
        else:
            st.success(
                f"The PIN of **{inert_text(learner.name)}** is reset: tell them to sign in with "
                "their name and choose a new PIN."
            )

st.subheader("A name locked by wrong PINs")
st.markdown(
    "After wrong PINs at a name, browsers that never signed in with it wait before the next "
    "try (a stranger guessing, or the learner on a new computer). Their own browsers are "
    "never held back. Clearing the lock lets the next try through at once; the PIN stays."
)
listing = st.container()  # filled below, once a lock cleared on this run is gone
with st.form("clear_lock", clear_on_submit=True):
    locked_name = st.text_input("Learner's name", key="clear_lock_name", max_chars=40)
    clear = st.form_submit_button("Clear the lock", key="clear_lock_submit")
if clear:
    try:
        cleared = clear_pin_lock(db, locked_name)
    except ValueError as exc:
        st.error(inert_text(exc))
    else:
        if cleared is None:
            st.warning(
                f"No learner is called {inert_text(repr(locked_name.strip()))}: check the spelling."
            )
        else:
            st.success(f"**{inert_text(cleared.name)}** can sign in again now.")

locked = locked_names(db, now=time.time())
with listing:
    if locked:
        # A dataframe shows names as plain text, whatever they hold.
        st.dataframe(
            pd.DataFrame(
                {
                    "learner": [entry.learner.name for entry in locked],
                    "wrong PINs": [entry.failures for entry in locked],
                    "locked for (s)": [math.ceil(entry.wait_s) for entry in locked],
                }
            ),
            hide_index=True,
        )
    else:
        st.caption("No name is locked right now.")
