"""Plain records the store hands out, and the rules for display names."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.modes import AttemptMode

DISPLAY_NAME_MAX = 40


@dataclass(frozen=True)
class Learner:
    id: int
    name: str
    created_at: datetime


@dataclass(frozen=True)
class Attempt:
    id: int
    learner_id: int
    bank_id: str
    bank_version: str
    mode: AttemptMode
    seed: int
    # What the quiz engine needs to rebuild the attempt exactly (question ids, choice order).
    plan: dict[str, Any]
    started_at: datetime
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


@dataclass(frozen=True)
class CardState:
    """Where a review card stands: ``box`` None (and ``due_at`` None) once it left the queue."""

    box: int | None
    due_at: datetime | None

    @property
    def in_queue(self) -> bool:
        return self.box is not None


@dataclass(frozen=True)
class CardMove:
    """How one answer moves its question's review card.

    The store applies ``move`` inside the answer's own transaction, so an answer and its card
    commit together; the rule itself lives with the learners (``engine.learners.leitner``).
    ``move`` returning None means the question has, and needs, no card.
    """

    result: str  # kept as the card's last_result
    move: Callable[[CardState | None, datetime], CardState | None]


# Chosen choice ids (list of str), a numeric value, or a code answer:
# {"code": the learner's code, "result": each sandbox check's outcome (GradeResult JSON)}.
RecordedResponse = list[str] | float | int | dict[str, Any]


@dataclass(frozen=True)
class Answer:
    id: int
    attempt_id: int
    question_id: str
    question_fingerprint: str
    response: RecordedResponse
    score: float
    max_score: float
    correct: bool
    used_hint: bool
    seconds: float
    answered_at: datetime
    variant_seed: int | None = None  # the family variant answered; None for a fixed question


@dataclass(frozen=True)
class ReviewCard:
    learner_id: int
    bank_id: str
    question_id: str
    # Leitner box 1..N; None once the question has left the queue (learned).
    box: int | None
    due_at: datetime | None
    last_result: str
    updated_at: datetime

    @property
    def in_queue(self) -> bool:
        return self.box is not None


def clean_display_name(name: str) -> str:
    """Return the trimmed display name, or raise ValueError saying what to change."""
    if not isinstance(name, str):
        raise ValueError(f"Display name must be text, not {type(name).__name__}.")
    cleaned = name.strip()
    if not cleaned:
        raise ValueError(
            f"Display name is empty: type 1 to {DISPLAY_NAME_MAX} characters (letters, digits, "
            "spaces or punctuation)."
        )
    if len(cleaned) > DISPLAY_NAME_MAX:
        raise ValueError(
            f"Display name is {len(cleaned)} characters long: use at most {DISPLAY_NAME_MAX}."
        )
    # Control and format characters (newlines, tabs, zero-width or bidi marks) make two
    # names look identical or break tables and CSV files.
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in cleaned):
        raise ValueError(
            "Display name contains an invisible or control character (such as a tab, a "
            "newline or a zero-width mark): use letters, digits, spaces and punctuation only."
        )
    return cleaned


def display_name_key(cleaned: str) -> str:
    """The case-insensitive key that makes 'Ada' and 'ADA' the same learner."""
    return unicodedata.normalize("NFKC", cleaned).casefold()
