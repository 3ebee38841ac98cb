"""Attempts: which questions, in which order, presented without their answer keys."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field, replace
from typing import Any

from engine.families import Chart, variant_seed
from engine.modes import AttemptMode
from engine.quiz.composition import pick_test_questions
from engine.quiz.models import Difficulty, Question, QuestionBank, QuestionType
from engine.quiz.variants import instantiate, variant_chart


@dataclass(frozen=True)
class AttemptPlan:
    """Everything needed to reproduce an attempt exactly (it is what gets persisted)."""

    bank_id: str
    bank_version: str
    mode: AttemptMode
    seed: int
    question_ids: tuple[str, ...]
    choice_order: dict[str, tuple[str, ...]]
    # The seed of each family question's variant: what the learner saw is redrawn from it.
    variant_seeds: dict[str, int] = field(default_factory=dict)

    def variant_seed_of(self, question_id: str) -> int | None:
        return self.variant_seeds.get(question_id)

    def with_variant(self, bank: QuestionBank, question_id: str, seed: int) -> AttemptPlan:
        """This plan with another variant of one family question (another one like this)."""
        question = bank.question(question_id)
        if question is None or not question.is_family:
            return self
        return replace(
            self,
            variant_seeds=self.variant_seeds | {question_id: seed},
            choice_order=self.choice_order
            | {question_id: variant_choice_order(instantiate(question, seed), seed)},
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "bank_id": self.bank_id,
            "bank_version": self.bank_version,
            "mode": self.mode.value,
            "seed": self.seed,
            "question_ids": list(self.question_ids),
            "choice_order": {k: list(v) for k, v in self.choice_order.items()},
            "variant_seeds": dict(self.variant_seeds),
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
            # plans saved before families existed hold none
            variant_seeds={k: int(v) for k, v in data.get("variant_seeds", {}).items()},
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
    chart: Chart | None = None  # a family's figure, drawn from the variant's data
    variant_seed: int | None = None  # which variant of a family this is

    def letter_of(self, choice_id: str) -> str:
        return next((o.letter for o in self.options if o.choice_id == choice_id), "?")


_DIFFICULTY_ORDER = {d: i for i, d in enumerate(Difficulty)}


def plan_attempt(
    bank: QuestionBank, mode: AttemptMode, seed: int, avoid: frozenset[str] = frozenset()
) -> AttemptPlan:
    """Pick questions, draw family variants and shuffle choices, reproducibly from `seed`.

    Test mode draws the bank's recipe (e.g. 3 easy, 4 medium, 3 hard), easy first, taking
    questions outside `avoid` (the previous attempt's) while the pool has enough; a question
    drawn again still shows new numbers when it is a family (its variant seed is new).
    A recipe with topic minimums or variant groups is drawn by composition.py.
    Practice walks the whole bank, easy to hard, in file order within a difficulty.
    """
    rng = random.Random(seed)
    if mode is AttemptMode.TEST and bank.test.composed:
        picked = pick_test_questions(bank, rng, avoid)
    elif mode is AttemptMode.TEST:  # counts only: the draw every stored plan was made with
        picked = []
        for difficulty in Difficulty:
            pool = [q for q in bank.questions if q.difficulty is difficulty]
            wanted = bank.test.count(difficulty)
            fresh = [q for q in pool if q.id not in avoid]
            chosen = rng.sample(fresh, min(wanted, len(fresh)))
            seen = [q for q in pool if q.id in avoid]
            chosen += rng.sample(seen, wanted - len(chosen))
            # keep file order within a difficulty: easier to review against the bank
            picked += sorted(chosen, key=pool.index)
    else:
        picked = sorted(bank.questions, key=lambda q: _DIFFICULTY_ORDER[q.difficulty])
    order: dict[str, tuple[str, ...]] = {}
    seeds: dict[str, int] = {}
    for question in picked:
        if question.is_family:
            seeds[question.id] = variant_seed(seed, question.id)
            if mode is AttemptMode.PRACTICE:
                # Practice plans the whole bank, and drawing every family up front cost
                # 130-220 ms per learner (bench.practice_load); a learner sees a few. The
                # variant, and its order, are drawn from its seed when shown (present).
                order[question.id] = ()
                continue
            question = instantiate(question, seeds[question.id])
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
        variant_seeds=seeds,
    )


def variant_choice_order(drawn: Question, seed: int) -> tuple[str, ...]:
    """A drawn family question's options in the order shown: shuffled by its own seed, so
    the same variant is always shown the same way (a generator puts its key first)."""
    ids = [c.id for c in drawn.choices]
    if drawn.shuffle:
        random.Random(seed).shuffle(ids)
    return tuple(ids)


def missing_questions(bank: QuestionBank, plan: AttemptPlan) -> list[str]:
    """Questions of ``plan`` that ``bank`` no longer has: it was edited under a session."""
    return [qid for qid in plan.question_ids if bank.question(qid) is None]


def question_in_plan(bank: QuestionBank, plan: AttemptPlan, question_id: str) -> Question | None:
    """The question as this attempt shows it: a family's variant for the plan's seed, so a
    resumed test, a review and an instructor's view all redraw what the learner saw."""
    question = bank.question(question_id)
    if question is None or not question.is_family:
        return question
    seed = plan.variant_seed_of(question_id)
    return instantiate(question, variant_seed(plan.seed, question_id) if seed is None else seed)


def present(bank: QuestionBank, plan: AttemptPlan, question_id: str) -> PresentedQuestion:
    """The learner-facing view of one question of `plan`. Letters follow the shuffle."""
    if question_id not in plan.choice_order:
        raise KeyError(f"question '{question_id}' is not part of this attempt")
    question = question_in_plan(bank, plan, question_id)
    if question is None:
        raise KeyError(f"question '{question_id}' is not in bank '{bank.id}'")
    by_id = {c.id: c for c in question.choices}
    planned = plan.choice_order[question_id]
    if not planned and question.variant is not None:
        planned = variant_choice_order(question, question.variant.seed)
    # Choices added to the bank after the plan was made go last; removed ones disappear.
    ids = [i for i in planned if i in by_id]
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
        chart=variant_chart(question),
        variant_seed=question.variant.seed if question.variant else None,
    )
