"""Which questions a test draws: counts per difficulty, a minimum per topic, and at most
one question of each variant group — and the recipe's problems, checked against the bank.

    test:
      easy: 3
      medium: 4
      hard: 3
      topics: {dropout: 1, weight decay: 2}      # at least this many of each topic
      groups:                                     # at most one of each list
        - [f1-from-counts, f1-from-counts-seed1]

Topic minimums are met first (each from the questions whose difficulty still has room),
then each difficulty is filled; fresh questions (outside `avoid`) are preferred
throughout. A random order can paint itself into a corner where another order would not,
so a draw that fails is tried again in another order; `validate` samples many seeds and
reports a recipe that some seed cannot meet.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator

from engine.quiz.models import Difficulty, Question, QuestionBank
from engine.quiz.safe_yaml import KeyPath

TRIES = 50  # orders tried before a draw is declared impossible
SEEDS_CHECKED = 100  # seeds `validate` draws a composed test at


class RecipeUnmet(ValueError):
    """No order of the bank's questions meets the recipe; the message says which rule."""


def pick_test_questions(
    bank: QuestionBank, rng: random.Random, avoid: frozenset[str] = frozenset()
) -> list[Question]:
    """The questions of one test, easy first and in file order within a difficulty."""
    reason = ""
    for _ in range(TRIES):
        picked = _try(bank, rng, avoid)
        if isinstance(picked, str):
            reason = picked
            continue
        return sorted(picked, key=_file_order(bank))
    raise RecipeUnmet(reason)


def _file_order(bank: QuestionBank) -> Callable[[Question], tuple[int, int]]:
    position = {id(q): i for i, q in enumerate(bank.questions)}
    rank = {d: i for i, d in enumerate(Difficulty)}
    return lambda q: (rank[q.difficulty], position[id(q)])


def _try(bank: QuestionBank, rng: random.Random, avoid: frozenset[str]) -> list[Question] | str:
    recipe = bank.test
    quota = {d: recipe.count(d) for d in Difficulty}
    group_of = {qid: i for i, group in enumerate(recipe.groups) for qid in group}
    used_groups: set[int] = set()
    picked: list[Question] = []
    picked_ids: set[str] = set()

    def take_from(candidates: list[Question], wanted: int) -> int:
        fresh = [q for q in candidates if q.id not in avoid]
        seen = [q for q in candidates if q.id in avoid]
        rng.shuffle(fresh)
        rng.shuffle(seen)
        taken = 0
        for question in fresh + seen:
            if taken == wanted:
                break
            group = group_of.get(question.id)
            if question.id in picked_ids or quota[question.difficulty] == 0 or group in used_groups:
                continue
            picked.append(question)
            picked_ids.add(question.id)
            quota[question.difficulty] -= 1
            if group is not None:
                used_groups.add(group)
            taken += 1
        return taken

    topics = list(recipe.topics.items())
    rng.shuffle(topics)
    for topic, minimum in topics:
        have = sum(1 for q in picked if q.topic == topic)
        on_topic = [q for q in bank.questions if q.topic == topic]
        if have + take_from(on_topic, minimum - have) < minimum:
            return f"test.topics: no draw holds {minimum} '{topic}' questions within the counts"
    for difficulty in Difficulty:
        pool = [q for q in bank.questions if q.difficulty is difficulty]
        take_from(pool, quota[difficulty])
        if quota[difficulty]:
            return (
                f"test.{difficulty.value}: no draw fills {recipe.count(difficulty)} "
                f"{difficulty.value} questions with at most one per group"
            )
    return picked


def composition_problems(bank: QuestionBank) -> Iterator[tuple[KeyPath, str]]:
    """(path, message) for each topic minimum or group the bank cannot honour."""
    recipe = bank.test
    ids = {q.id for q in bank.questions}
    topics = Counter(q.topic for q in bank.questions)
    listed: dict[str, int] = {}
    for index, group in enumerate(recipe.groups):
        if len(group) < 2:
            yield ("test", "groups", index), "a group needs at least two question ids"
        for qid in group:
            if qid not in ids:
                yield ("test", "groups", index), f"no question has the id '{qid}'"
            elif qid in listed:
                yield (
                    ("test", "groups", index),
                    f"'{qid}' is already in group {listed[qid] + 1}; a question is in one group",
                )
            listed.setdefault(qid, index)
    for difficulty in Difficulty:
        wanted, offered = recipe.count(difficulty), _distinct(bank, listed, difficulty=difficulty)
        if listed and wanted > offered:
            yield (
                ("test", difficulty.value),
                f"the test draws {wanted} {difficulty.value} questions but, counting one per "
                f"group, the bank offers {offered}; add questions or lower test.{difficulty.value}",
            )
    for topic, minimum in recipe.topics.items():
        if topic not in topics:
            known = ", ".join(sorted(topics))
            yield ("test", "topics", topic), f"no question has topic '{topic}'; topics are: {known}"
        elif (offered := _distinct(bank, listed, topic=topic)) < minimum:
            yield (
                ("test", "topics", topic),
                f"the test needs {minimum} '{topic}' questions but the bank has {offered} "
                f"(counting one per group); add questions or lower test.topics.{topic}",
            )
    if sum(recipe.topics.values()) > recipe.total:
        yield (
            ("test", "topics"),
            f"the topic minimums add up to {sum(recipe.topics.values())}, more than the "
            f"{recipe.total} questions a test draws",
        )


def unmet_recipe(bank: QuestionBank, seeds: int = SEEDS_CHECKED) -> tuple[int, str] | None:
    """(seed, what failed) for the first seed whose test cannot be drawn, or None."""
    if not bank.test.composed:
        return None
    for seed in range(seeds):
        try:
            pick_test_questions(bank, random.Random(seed))
        except RecipeUnmet as unmet:
            return seed, str(unmet)
    return None


def _distinct(
    bank: QuestionBank,
    group_of: dict[str, int],
    topic: str | None = None,
    difficulty: Difficulty | None = None,
) -> int:
    """Questions of a topic or a difficulty a test can hold together: one per group."""
    chosen = [
        q
        for q in bank.questions
        if (topic is None or q.topic == topic)
        and (difficulty is None or q.difficulty is difficulty)
    ]
    groups = {group_of[q.id] for q in chosen if q.id in group_of}
    return len(groups) + sum(1 for q in chosen if q.id not in group_of)
