"""Learners' sign-in, for instructors: reset a forgotten PIN."""

from __future__ import annotations

import streamlit as st

from engine.identity.signin import reset_pin
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
        st.error(str(exc))
    else:
        if learner is None:
            st.warning(f"No learner is called {name.strip()!r}: check the spelling.")
        else:
            st.success(
                f"The PIN of **{learner.name}** is reset: tell them to sign in with their name "
                "and choose a new PIN."
            )
