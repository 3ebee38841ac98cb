"""The safety net every page and every question area runs under: no learner sees a traceback.

A page runs inside the router's net (app.py); a fragment reruns alone, outside it, so the
question areas wrap themselves with ``guarded_fragment`` and get the same net.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable
from typing import ParamSpec

import streamlit as st

from engine.store import StoreError

P = ParamSpec("P")
_log = logging.getLogger("tunelab")


def run_safely(run: Callable[[], object]) -> None:
    """Run a page or a question area; a failure becomes a plain message, never a traceback."""
    try:
        run()
    except StoreError as exc:
        _log.warning("Page could not use the database: %s", exc)
        # A database that fails mid-page (full disk, read-only, gone): the page says what is
        # wrong and every other page keeps working. Writes a learner waits on (answers,
        # sign-in, starting a test) are caught closer to the learner, where nothing is
        # acknowledged before the commit.
        st.error(
            f"This page needs the TuneLab database, which failed: {exc}. "
            "Lessons and practice without sign-in keep working."
        )
    except Exception:
        # A fault of this server: the learner reads a sentence and a short reference; the
        # traceback (server paths, code) goes only to the log, where the reference finds it.
        reference = secrets.token_hex(4)
        _log.exception("Page failed (reference %s)", reference)
        st.error(
            "Something went wrong on this page, and it was not your doing. Reload to try "
            f"again; if it keeps happening, tell your instructor the reference **{reference}**."
        )


def guarded_fragment(area: Callable[P, None]) -> Callable[P, None]:
    """``st.fragment`` whose reruns run under the same net as the page around it."""

    @functools.wraps(area)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
        run_safely(lambda: area(*args, **kwargs))

    return st.fragment(guarded)
