"""Every family of a set of banks drawn at many seeds, spread over the machine's cores.

`engine validate` checks each family at 200 seeds. One variant costs a few milliseconds,
most of it scikit-learn's input checks around the metric it computes, so a bank of 25
families is some 5 000 variants: seconds of work that divides cleanly by seed. The work is
cut into (family, block of seeds) pieces and handed to forked workers, which inherit the
loaded banks and the imported libraries instead of importing torch and scikit-learn again.
A block's problems are merged in seed order, so each problem is still reported once, with
the first seed that shows it, exactly as one process would report it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor

from engine.families import FamilyError, FamilyProblem, check_family
from engine.quiz.models import Question
from engine.quiz.variants import family_generator, text_fields

SEEDS_PER_PIECE = 50  # small enough to balance 2-16 workers, large enough to amortise a task


def usable_cores() -> int:
    """The cores this process may run on (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _field_texts(question: Question) -> dict[str, str]:
    return {".".join(str(p) for p in path): text for path, text in text_fields(question)}


def _piece(work: tuple[Question, range]) -> list[FamilyProblem]:
    question, seeds = work
    assert question.is_family  # only families are cut into pieces
    family = question.generator if question.formula is None else family_generator(question)
    assert family is not None
    return check_family(family, question.params, _field_texts(question), seeds)


def _merged(pieces: Iterable[list[FamilyProblem]]) -> list[FamilyProblem]:
    """One report per (field, message), from the lowest seed: pieces arrive in seed order."""
    seen: set[tuple[str, str]] = set()
    merged: list[FamilyProblem] = []
    for problems in pieces:
        for problem in problems:
            if (problem.field, problem.message) not in seen:
                seen.add((problem.field, problem.message))
                merged.append(problem)
    return merged


def _needs_torch(question: Question) -> bool:
    """Whether the family's key is computed by PyTorch (its generator names the library)."""
    try:
        return family_generator(question).library.startswith("torch")
    except FamilyError:  # an unknown name: check_family reports it, wherever it runs
        return False


def family_problems(
    questions: Sequence[Question], seeds: int, workers: int | None = None
) -> list[list[FamilyProblem]]:
    """Problems of each question over seeds 0..seeds-1, in the order given (none for a
    question that is not a family; banks may repeat ids, so results go by position).

    `workers` defaults to the usable cores; 1 samples in this process (no fork)."""
    owners = [
        (index, range(start, min(start + SEEDS_PER_PIECE, seeds)))
        for index, question in enumerate(questions)
        if question.is_family
        for start in range(0, seeds, SEEDS_PER_PIECE)
    ]
    work = [(questions[index], seeds_) for index, seeds_ in owners]
    here = [_needs_torch(question) for question, _seeds in work]
    elsewhere = [piece for piece, in_here in zip(work, here, strict=True) if not in_here]
    workers = min(workers or usable_cores(), len(elsewhere))
    if workers <= 1:
        results = [_piece(piece) for piece in work]
    else:
        # Fork, not spawn: the workers start with the banks loaded and scikit-learn and
        # SciPy imported, which would otherwise cost each worker seconds.
        pool: Executor = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("fork")
        )
        with pool:
            drawn_elsewhere = pool.map(_piece, elsewhere)  # submitted (and forked) now
            drawn_here = iter([_piece(p) for p, in_here in zip(work, here, strict=True) if in_here])
            drawn_there = iter(drawn_elsewhere)
            results = [next(drawn_here) if in_here else next(drawn_there) for in_here in here]
    pieces: list[list[list[FamilyProblem]]] = [[] for _ in questions]
    for (index, _seeds), problems in zip(owners, results, strict=True):
        pieces[index].append(problems)
    return [_merged(of_question) for of_question in pieces]
