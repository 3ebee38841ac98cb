"""A learner's progress from recorded answers: test history, score by group, weak questions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

import pandas as pd

from engine.modes import AttemptMode
from engine.quiz.models import QuestionBank
from engine.store import Answer, Attempt, Store

History = list[tuple[Attempt, list[Answer]]]

# Answers to questions the bank no longer holds still count, under this group.
NOT_IN_BANK = "(no longer in the bank)"
ANSWER_COLUMNS = (
    "attempt_id",
    "mode",
    "bank_version",
    "question_id",
    "score",
    "max_score",
    "correct",
    "used_hint",
    "answered_at",
)


def learner_history(db: Store, learner_id: int, bank_id: str) -> History:
    """Every attempt of the learner at the bank, oldest first, each with its answers."""
    return [
        (attempt, db.answers(attempt.id)) for attempt in db.attempts(learner_id, bank_id=bank_id)
    ]


class Grouping(StrEnum):
    DIFFICULTY = "difficulty"
    TOPIC = "topic"


def answers_frame(history: Iterable[tuple[Attempt, Sequence[Answer]]]) -> pd.DataFrame:
    """One row per recorded answer, whatever the mode, oldest first."""
    rows = [
        (
            attempt.id,
            attempt.mode.value,
            attempt.bank_version,
            answer.question_id,
            answer.score,
            answer.max_score,
            answer.correct,
            answer.used_hint,
            answer.answered_at,
        )
        for attempt, answers in history
        for answer in answers
    ]
    frame = pd.DataFrame(rows, columns=list(ANSWER_COLUMNS))
    return frame.astype({"score": float, "max_score": float, "correct": bool, "used_hint": bool})


def finished_tests(history: Iterable[tuple[Attempt, Sequence[Answer]]]) -> pd.DataFrame:
    """One row per *finished* test attempt, in the order taken: score as a fraction."""
    rows: list[dict[str, object]] = []
    for attempt, answers in history:
        if attempt.mode is not AttemptMode.TEST or attempt.finished_at is None:
            continue
        score = sum(a.score for a in answers)
        max_score = sum(a.max_score for a in answers)
        rows.append(
            {
                "test": len(rows) + 1,
                "finished_at": attempt.finished_at,
                "bank_version": attempt.bank_version,
                "answered": len(answers),
                "score": score,
                "max_score": max_score,
                "fraction": score / max_score if max_score else 0.0,
            }
        )
    columns = ["test", "finished_at", "bank_version", "answered", "score", "max_score", "fraction"]
    return pd.DataFrame(rows, columns=columns)


def _group_of(bank: QuestionBank | None, question_id: str, by: Grouping) -> str:
    question = bank.question(question_id) if bank is not None else None
    if question is None:
        return NOT_IN_BANK
    return question.difficulty.value if by is Grouping.DIFFICULTY else question.topic


def score_by(frame: pd.DataFrame, bank: QuestionBank | None, by: Grouping) -> pd.DataFrame:
    """Answers, points and the fraction of points per difficulty or topic."""
    columns = [by.value, "answers", "score", "max_score", "fraction"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    groups = frame["question_id"].map(lambda qid: _group_of(bank, qid, by))
    table = (
        frame.assign(**{by.value: groups})
        .groupby(by.value, sort=False)
        .agg(answers=("score", "size"), score=("score", "sum"), max_score=("max_score", "sum"))
        .reset_index()
    )
    table["fraction"] = table["score"] / table["max_score"]
    if by is Grouping.DIFFICULTY:  # easy, medium, hard, then anything else
        order = {"easy": 0, "medium": 1, "hard": 2}
        table = table.sort_values(by.value, key=lambda s: s.map(lambda v: order.get(v, 3)))
    else:
        table = table.sort_values(by.value)
    return table[columns].reset_index(drop=True)


def weak_questions(
    frame: pd.DataFrame, bank: QuestionBank | None, *, limit: int = 5
) -> pd.DataFrame:
    """Questions missed at least once, most misses first; ties go to the higher miss rate,
    where a right answer that needed the hint counts half a miss (it was not unaided)."""
    columns = ["question_id", "topic", "answers", "missed", "hinted", "last_answered"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    table = (
        frame.assign(missed=~frame["correct"], hinted=frame["correct"] & frame["used_hint"])
        .groupby("question_id")
        .agg(
            answers=("score", "size"),
            missed=("missed", "sum"),
            hinted=("hinted", "sum"),
            last_answered=("answered_at", "max"),
        )
        .reset_index()
    )
    table = table[table["missed"] > 0].copy()
    table["topic"] = table["question_id"].map(lambda q: _group_of(bank, q, Grouping.TOPIC))
    table["weakness"] = (table["missed"] + table["hinted"] / 2) / table["answers"]
    table = table.sort_values(
        ["missed", "weakness", "question_id"], ascending=[False, False, True]
    ).head(limit)
    return table[columns].reset_index(drop=True)
