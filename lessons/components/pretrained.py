"""Pages built on the shipped pretrained model: what they compute from it, or why they cannot.

A missing or broken checkpoint is no crash: the page says so (the error names the file and
the fix, see engine/lab/checkpoint.py) and stops there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from engine.lab.checkpoint import CheckpointError

T = TypeVar("T")

NEEDS_THE_MODEL = "This lesson needs the pretrained model"


def from_pretrained(
    compute: Callable[[], T], *, spinner: str | None = None, failure: str = NEEDS_THE_MODEL
) -> T:
    """``compute()``, under ``spinner`` while it runs; on a CheckpointError the page shows
    ``failure`` with the reason and stops."""
    try:
        if spinner is None:
            return compute()
        with st.spinner(spinner):
            return compute()
    except CheckpointError as err:
        st.error(f"{failure}: {err}")
        st.stop()
