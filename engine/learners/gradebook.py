"""The class gradebook: one row per learner and bank, and a learner's test as they saw it.

A learner is shown by their **last** test with a 95 % interval, and the mean over their
tests, never by the best of N: the best of several noisy scores overstates a learner just as
the best of N runs on one test set overstates a model (the selection-bias lesson). A verdict
says how many questions it rests on; 10 questions cannot tell 80 % mastery from 60 % often.

Scores come from the recorded answers; a test taken at the bank's current version is
re-scored with `engine.quiz.report.score_test` over its recorded plan, so its score and
verdict are exactly the report the learner read. A test from an older version keeps its
recorded points, but no verdict: the questions it was drawn from are not on disk any more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from engine.learners.progress import NOT_IN_BANK, Grouping, History, learner_history
from engine.learners.recording import response_from_record
from engine.learners.review import review_due
from engine.metrics.uncertainty import wilson_interval
from engine.modes import AttemptMode
from engine.quiz.models import Difficulty, QuestionBank
from engine.quiz.plan import AttemptPlan, missing_questions
from engine.quiz.report import TestReport, score_test
from engine.store import Answer, Attempt, Store
from engine.store.reports import seen_learners

DIFFICULTIES = tuple(d.value for d in Difficulty)
COLUMNS = (
    "learner",
    "bank",
    "tests",
    "last",
    "last 95% interval",
    "mean",
    "verdict",
    "verdict from",
    *DIFFICULTIES,
    "topics",
    "due_reviews",
    "learner_id",
)
NO_VERDICT = "—"  # no finished test yet, or the last one is from an older bank version
# Spreadsheets run a cell starting with these as a formula ("CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class GradebookRow:
    learner_id: int
    learner: str
    bank_id: str
    tests: int  # finished tests
    # Best of the finished tests: kept for exports that ask, never shown as the learner's
    # level (the best of N noisy scores is optimistic).
    best: float | None  # fractions of the points; None before the first finished test
    last: float | None
    verdict: str  # of the last finished test, else NO_VERDICT
    by_difficulty: dict[str, float]  # share of points over every recorded answer
    by_topic: dict[str, float]
    due_reviews: int
    mean: float | None = None  # over the finished tests
    last_questions: int = 0  # how many questions the last test (and its verdict) rests on

    @property
    def last_interval(self) -> tuple[float, float] | None:
        """Wilson 95 % interval of the last score, read as right answers out of its questions."""
        return score_interval(self.last, self.last_questions)


def score_interval(fraction: float | None, questions: int) -> tuple[float, float] | None:
    """A test score's 95 % Wilson interval, the score read as ``fraction × questions`` right
    out of ``questions`` (partial credit rounds to the nearest whole answer)."""
    if fraction is None or questions < 1:
        return None
    found = wilson_interval(round(fraction * questions), questions)
    return found.low, found.high


def interval_words(fraction: float | None, questions: int) -> str | None:
    found = score_interval(fraction, questions)
    return None if found is None else f"{found[0]:.0%}–{found[1]:.0%}"


@dataclass(frozen=True)
class FinishedTest:
    attempt: Attempt
    fraction: float
    verdict: str
    report: TestReport | None  # None when the bank has moved on since the test
    questions: int = 0  # questions the score (and verdict) rest on


def scored(bank: QuestionBank | None, attempt: Attempt, answers: list[Answer]) -> FinishedTest:
    """A finished test's score and verdict, as the learner's report gave them when possible."""
    report = report_as_seen(bank, attempt, answers)
    if report is not None:
        return FinishedTest(
            attempt,
            report.overall.fraction,
            report.verdict.value,
            report,
            report.overall.questions,
        )
    score, max_score = sum(a.score for a in answers), sum(a.max_score for a in answers)
    fraction = score / max_score if max_score else 0.0
    return FinishedTest(attempt, fraction, NO_VERDICT, None, len(answers))


def report_as_seen(
    bank: QuestionBank | None, attempt: Attempt, answers: Iterable[Answer]
) -> TestReport | None:
    """The report of a test over its recorded plan and answers: each question presented as
    the learner saw it (their letters, their order), their pick, and the explanation.
    None when the bank is gone or has moved on since (another version, or edited questions)."""
    if bank is None or attempt.mode is not AttemptMode.TEST:
        return None
    try:
        plan = AttemptPlan.from_json(attempt.plan)
    except (KeyError, TypeError, ValueError):
        return None  # not a plan this engine wrote (a hand-made or older record)
    if plan.bank_id != bank.id or plan.bank_version != bank.version:
        return None
    if missing_questions(bank, plan):
        return None
    questions = {q.id: q for q in bank.questions}
    recorded = list(answers)
    if any(questions[a.question_id].fingerprint != a.question_fingerprint for a in recorded):
        return None  # edited on disk without a new version: not what they saw
    responses = {a.question_id: response_from_record(a.response) for a in recorded}
    return score_test(bank, plan, responses)


def finished_tests(bank: QuestionBank | None, history: History) -> list[FinishedTest]:
    """The finished tests of a learner's history at the bank, oldest first."""
    return [
        scored(bank, attempt, answers)
        for attempt, answers in history
        if attempt.mode is AttemptMode.TEST and attempt.finished
    ]


def learner_tests(
    db: Store, learner_id: int, bank: QuestionBank | None, bank_id: str
) -> list[FinishedTest]:
    return finished_tests(bank, learner_history(db, learner_id, bank_id))


def gradebook(db: Store, banks: Mapping[str, QuestionBank], *, now: datetime) -> list[GradebookRow]:
    """A row for every learner and every bank they have worked at."""
    rows = []
    for learner_id, name, bank_id in seen_learners(db):
        bank = banks.get(bank_id)
        history = learner_history(db, learner_id, bank_id)
        tests = finished_tests(bank, history)
        rows.append(
            GradebookRow(
                learner_id=learner_id,
                learner=name,
                bank_id=bank_id,
                tests=len(tests),
                best=max((r.fraction for r in tests), default=None),
                last=tests[-1].fraction if tests else None,
                verdict=tests[-1].verdict if tests else NO_VERDICT,
                mean=sum(r.fraction for r in tests) / len(tests) if tests else None,
                last_questions=tests[-1].questions if tests else 0,
                by_difficulty=_shares(history, bank, Grouping.DIFFICULTY),
                by_topic=_shares(history, bank, Grouping.TOPIC),
                due_reviews=len(review_due(db, learner_id, bank_id, now=now)),
            )
        )
    return rows


def _shares(history: History, bank: QuestionBank | None, by: Grouping) -> dict[str, float]:
    # The same shares as engine.learners.progress.score_by (the learner's own progress page), summed
    # in plain Python: a pandas group-by per row made a class of 30 take seconds per rerun.
    points: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for _, answers in history:
        for answer in answers:
            question = bank.question(answer.question_id) if bank is not None else None
            if question is None:
                group = NOT_IN_BANK
            else:
                group = question.difficulty.value if by is Grouping.DIFFICULTY else question.topic
            points[group][0] += answer.score
            points[group][1] += answer.max_score
    return {group: score / total for group, (score, total) in points.items() if total}


def gradebook_frame(rows: Iterable[GradebookRow]) -> pd.DataFrame:
    """The rows as a table: a column per difficulty, topics weakest first in one cell."""
    records = [
        {
            "learner": row.learner,
            "bank": row.bank_id,
            "tests": row.tests,
            "last": row.last,
            "last 95% interval": interval_words(row.last, row.last_questions),
            "mean": row.mean,
            "verdict": row.verdict,
            "verdict from": f"{row.last_questions} questions" if row.last_questions else None,
            **{d: row.by_difficulty.get(d) for d in DIFFICULTIES},
            "topics": "; ".join(
                f"{topic} {share:.0%}"
                for topic, share in sorted(row.by_topic.items(), key=lambda ts: (ts[1], ts[0]))
            ),
            "due_reviews": row.due_reviews,
            "learner_id": row.learner_id,
        }
        for row in rows
    ]
    frame = pd.DataFrame(records, columns=list(COLUMNS))
    numeric = ("last", "mean", *DIFFICULTIES)
    return frame.astype({**dict.fromkeys(numeric, float), "tests": int, "due_reviews": int})


def filter_gradebook(
    frame: pd.DataFrame,
    *,
    name_contains: str = "",
    banks: Iterable[str] | None = None,
    verdicts: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Rows whose learner name contains the text (case-insensitive), at the banks and with
    the verdicts given (None: any)."""
    keep = (
        frame["learner"].str.casefold().str.contains(name_contains.strip().casefold(), regex=False)
    )
    if banks is not None:
        keep &= frame["bank"].isin(list(banks))
    if verdicts is not None:
        keep &= frame["verdict"].isin(list(verdicts))
    return frame[keep].reset_index(drop=True)


def sort_gradebook(frame: pd.DataFrame, by: str, *, descending: bool = False) -> pd.DataFrame:
    """Sorted by one column; rows without a value (no test yet) last either way; ties by
    learner, then bank."""
    if by not in frame.columns:
        raise ValueError(f"Cannot sort the gradebook by {by!r}: choose one of {list(COLUMNS)}.")
    ties = [c for c in ("learner", "bank") if c != by]
    ordered = frame.sort_values(
        [by, *ties], ascending=[not descending] + [True] * len(ties), na_position="last"
    )
    return ordered.reset_index(drop=True)


def gradebook_csv(frame: pd.DataFrame) -> str:
    """CSV of the table; a learner name a spreadsheet would run as a formula is defused."""
    out = frame.copy()
    out["learner"] = ["'" + n if n.startswith(_FORMULA_STARTS) else n for n in out["learner"]]
    return out.to_csv(index=False, lineterminator="\n")
