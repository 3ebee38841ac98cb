"""Attempts: which questions, in which order, presented without their answer keys."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from typing import Any

from engine.modes import AttemptMode
from engine.quiz.models import Difficulty, QuestionBank, QuestionType


@dataclass(frozen=True)
class AttemptPlan:
    """Everything needed to reproduce an attempt exactly (it is what gets persisted)."""

    bank_id: str
    bank_version: str
    mode: AttemptMode
    seed: int
    question_ids: tuple[str, ...]
    choice_order: dict[str, tuple[str, ...]]

    def to_json(self) -> dict[str, Any]:
        return {
            "bank_id": self.bank_id,
            "bank_version": self.bank_version,
            "mode": self.mode.value,
            "seed": self.seed,
            "question_ids": list(self.question_ids),
            "choice_order": {k: list(v) for k, v in self.choice_order.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AttemptPlan:
        return cls(
            bank_id=data["bank_id"],
            bank_version=data["bank_version"],
            mode=AttemptMode(data["mode"]),
            seed=int(data["seed"]),
            question_ids=tuple(data["question_ids"]),
            choice_order={k: tuple(v) for k, v in data["choice_order"].items()},
        )


@dataclass(frozen=True)
class PresentedOption:
    letter: str
    choice_id: str
    text: str


@dataclass(frozen=True)
class PresentedQuestion:
    """What a learner's browser may see before answering: no answer, no feedback."""

    id: str
    number: int
    total: int
    type: QuestionType
    difficulty: Difficulty
    topic: str
    prompt: str
    options: tuple[PresentedOption, ...]
    hints: tuple[str, ...]  # empty in test mode

    def letter_of(self, choice_id: str) -> str:
        return next((o.letter for o in self.options if o.choice_id == choice_id), "?")


_DIFFICULTY_ORDER = {d: i for i, d in enumerate(Difficulty)}


def plan_attempt(bank: QuestionBank, mode: AttemptMode, seed: int) -> AttemptPlan:
    """Pick questions and shuffle choices, reproducibly from `seed`.

    Test mode draws the bank's recipe (e.g. 3 easy, 4 medium, 3 hard), easy first.
    Practice walks the whole bank, easy to hard, in file order within a difficulty.
    """
    rng = random.Random(seed)
    if mode is AttemptMode.TEST:
        picked = []
        for difficulty in Difficulty:
            pool = [q for q in bank.questions if q.difficulty is difficulty]
            chosen = rng.sample(pool, bank.test.count(difficulty))
            # keep file order within a difficulty: easier to review against the bank
            picked += sorted(chosen, key=pool.index)
    else:
        picked = sorted(bank.questions, key=lambda q: _DIFFICULTY_ORDER[q.difficulty])
    order: dict[str, tuple[str, ...]] = {}
    for question in picked:
        ids = [c.id for c in question.choices]
        if question.shuffle:
            rng.shuffle(ids)
        order[question.id] = tuple(ids)
    return AttemptPlan(
        bank_id=bank.id,
        bank_version=bank.version,
        mode=mode,
        seed=seed,
        question_ids=tuple(q.id for q in picked),
        choice_order=order,
    )


def missing_questions(bank: QuestionBank, plan: AttemptPlan) -> list[str]:
    """Questions of ``plan`` that ``bank`` no longer has: it was edited under a session."""
    return [qid for qid in plan.question_ids if bank.question(qid) is None]


def present(bank: QuestionBank, plan: AttemptPlan, question_id: str) -> PresentedQuestion:
    """The learner-facing view of one question of `plan`. Letters follow the shuffle."""
    if question_id not in plan.choice_order:
        raise KeyError(f"question '{question_id}' is not part of this attempt")
    question = bank.question(question_id)
    if question is None:
        raise KeyError(f"question '{question_id}' is not in bank '{bank.id}'")
    by_id = {c.id: c for c in question.choices}
    # Choices added to the bank after the plan was made go last; removed ones disappear.
    ids = [i for i in plan.choice_order[question_id] if i in by_id]
    ids += [c.id for c in question.choices if c.id not in ids]
    letters = string.ascii_uppercase
    options = tuple(
        PresentedOption(letters[i % 26] * (1 + i // 26), cid, by_id[cid].text)
        for i, cid in enumerate(ids)
    )
    return PresentedQuestion(
        id=question.id,
        number=plan.question_ids.index(question_id) + 1,
        total=len(plan.question_ids),
        type=question.type,
        difficulty=question.difficulty,
        topic=question.topic,
        prompt=question.prompt,
        options=options,
        hints=tuple(question.hints) if plan.mode is AttemptMode.PRACTICE else (),
    )
