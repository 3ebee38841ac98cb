"""Bank catalog for pages: reloaded when a file in quizzes/ changes, shared read-only."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from engine.quiz.bank import BankCatalog, load_catalog
from engine.quiz.models import QuestionBank
from engine.runtime.settings import load_settings
from engine.store import Learner, Store
from lessons.components.learner import current_learner, store
from lessons.components.passcode import is_instructor

SHIPPED_QUIZ_DIR = Path(__file__).resolve().parents[2] / "quizzes"


_log = logging.getLogger(__name__)


def quiz_dir() -> Path:
    """Where banks are read from: $TUNELAB_QUIZ_DIR, or the shipped quizzes/ folder."""
    return load_settings().quiz_dir or Path(SHIPPED_QUIZ_DIR)


Signature = tuple[tuple[str, int, int], ...]


def _signature(folder: Path) -> Signature:
    # (name, mtime, size) of every bank: an edit on disk changes it, so the cache below
    # reloads without a server restart, while unchanged banks are parsed once per server.
    out = []
    # A bank's Markdown lessons live in a folder beside it: an edit there reloads too.
    for path in sorted([*folder.glob("*.y*ml"), *folder.glob("*/*.md")]):
        try:
            stat = path.stat()
        except OSError:
            continue
        out.append((str(path.relative_to(folder)), stat.st_mtime_ns, stat.st_size))
    return tuple(out)


@st.cache_resource(show_spinner=False, max_entries=4)
def _catalog(folder: str, signature: Signature) -> BankCatalog:
    del signature  # part of the cache key only
    loaded = load_catalog(folder)
    _log.info(
        "banks (re)loaded from %s: %d valid, %d refused",
        folder,
        len(loaded.banks),
        len(loaded.errors),
    )
    return loaded


@st.cache_resource(show_spinner=False)
def _latest() -> dict[str, tuple[Signature, BankCatalog]]:
    """Per folder, the signature and catalog last returned (cleared with Streamlit's caches)."""
    return {}


def catalog() -> BankCatalog:
    """The banks in quiz_dir(), reloaded on the first call after a file there changed.

    Every run of a bank page asks. When the signature is the one seen last, the catalog
    comes from a plain comparison: _catalog's cache key hashes the whole signature with
    Streamlit's hasher, which cost more than the stat calls it keys. A new signature goes
    through _catalog, whose lock makes sessions that see an edit at once load it once.
    """
    folder = quiz_dir()
    signature = _signature(folder)
    latest = _latest()
    kept = latest.get(str(folder))
    if kept is None or kept[0] != signature:
        kept = latest[str(folder)] = (signature, _catalog(str(folder), signature))
    return kept[1]


def bank_errors_notice(loaded: BankCatalog) -> None:
    """A broken bank: its details (and server paths) for instructors only; a learner reads
    that one bank is unavailable. A code block wraps, so no line runs off the page."""
    if not loaded.errors:
        return
    if not is_instructor():
        count = len(loaded.errors)
        st.warning(
            f"{'One question bank is' if count == 1 else f'{count} question banks are'} "
            "unavailable right now; the others work as usual. An instructor has the details."
        )
        return
    for path, errors in loaded.errors.items():
        with st.container(border=True):
            st.error(
                f"**{path.name}** could not be loaded ({len(errors)} problem(s)); "
                "the other banks are unaffected."
            )
            st.code("\n".join(str(e) for e in errors[:20]), language="text", wrap_lines=True)


def pick_bank(key: str) -> QuestionBank | None:
    """A bank chooser (hidden when there is one bank); remembers the choice across pages."""
    loaded = catalog()
    bank_errors_notice(loaded)
    banks = loaded.banks
    if not banks:
        st.error(
            "No question bank loaded. An instructor can check `quizzes/` on the Bank check "
            "page or with `python -m engine validate quizzes/`."
        )
        return None
    ids = list(banks)
    current = st.session_state.get("bank_id")
    if current not in banks:
        current = ids[0]
    if len(ids) > 1:
        current = st.selectbox(
            "Question bank",
            ids,
            index=ids.index(current),
            key=key,
            format_func=lambda i: banks[i].title,
        )
    st.session_state["bank_id"] = current
    return banks[current]


def current_bank(picked: QuestionBank) -> QuestionBank:
    """The bank chosen on the page's last full run, as the catalog holds it now: a question
    area (a fragment) reruns without the chooser, and an edit on disk still reaches it."""
    return catalog().banks.get(picked.id, picked)


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
