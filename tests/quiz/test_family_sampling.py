"""Drawing every family at many seeds over several processes reports what one process would."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.families import FamilyProblem
from engine.quiz import sampling as family_sampling
from engine.quiz.bank import load_bank
from engine.quiz.sampling import family_problems

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shipped_questions():
    bank = load_bank(ROOT / "quizzes" / "fine_tuning_metrics.yaml")
    return bank.questions


def test_two_workers_find_the_same_problems_as_one_process_on_a_broken_family(
    shipped_questions,
):
    family = next(q for q in shipped_questions if q.generator == "confusion_metric")
    # Every metric is 0.5 with all four counts at 1: no fair set of choices exists.
    unfair = family.model_copy(update={"params": {"tp": 1, "fp": 1, "fn": 1, "tn": 1}})
    together = family_problems([unfair, family], seeds=120, workers=2)
    alone = family_problems([unfair, family], seeds=120, workers=1)
    assert together == alone
    assert [p.seed for p in together[0]] == [0] and together[1] == []


def test_a_problem_seen_in_several_blocks_of_seeds_is_reported_once_from_its_first_seed(
    shipped_questions, monkeypatch
):
    # A stand-in check that fails every 37th seed: the blocks of 50 seeds that two
    # workers share out each see it, and the merge keeps only seed 36.
    def every_37th(name, params, fields, seeds):
        return [FamilyProblem(name, s, "key", "breaks") for s in seeds if s % 37 == 36]

    monkeypatch.setattr(family_sampling, "check_family", every_37th)
    family = next(q for q in shipped_questions if q.generator is not None)
    [problems] = family_problems([family], seeds=200, workers=2)
    assert problems == [FamilyProblem(family.generator, 36, "key", "breaks")]


def test_questions_that_are_not_families_are_not_sampled(shipped_questions):
    fixed = [q for q in shipped_questions if not q.is_family][:3]
    assert family_problems(fixed, seeds=200, workers=2) == [[], [], []]


def test_every_shipped_family_passes_at_every_sampled_seed_over_two_workers(shipped_questions):
    problems = family_problems(shipped_questions, seeds=60, workers=2)
    assert len(problems) == len(shipped_questions)
    assert not any(problems), [p for ps in problems for p in ps]
