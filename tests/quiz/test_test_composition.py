"""Test composition: a minimum per topic and variant groups, honoured by every drawn test
and checked by the loader against what the bank holds."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml
from builders import bank_dict, question

from engine.modes import AttemptMode
from engine.quiz.bank import BankInvalid, load_bank_text
from engine.quiz.models import QuestionBank
from engine.quiz.plan import plan_attempt


def questions() -> list[dict[str, object]]:
    """Four topics over three difficulties; b1 to b3 are near-copies of one question."""
    return [
        question("a1", difficulty="easy", topic="dropout"),
        question("a2", difficulty="easy", topic="dropout"),
        question("b1", difficulty="easy", topic="weight decay"),
        question("b2", difficulty="easy", topic="weight decay"),
        question("b3", difficulty="medium", topic="weight decay"),
        question("c1", difficulty="medium", topic="label smoothing"),
        question("c2", difficulty="medium", topic="dropout"),
        question("d1", difficulty="hard", topic="early stopping"),
        question("d2", difficulty="hard", topic="dropout"),
    ]


def recipe(**extra: object) -> dict[str, object]:
    return {"easy": 2, "medium": 2, "hard": 1, **extra}


def load(test: dict[str, object]) -> QuestionBank:
    text = yaml.safe_dump(bank_dict(questions(), test=test), sort_keys=False)
    return load_bank_text(text, filename="reg.yaml")


def errors(test: dict[str, object]) -> list[str]:
    with pytest.raises(BankInvalid) as raised:
        load(test)
    return [str(e) for e in raised.value.errors]


def drawn(bank: QuestionBank, seed: int, avoid: frozenset[str] = frozenset()) -> list[str]:
    return list(plan_attempt(bank, AttemptMode.TEST, seed, avoid).question_ids)


def test_every_test_holds_the_topic_minimums_and_at_most_one_of_each_group() -> None:
    bank = load(
        recipe(topics={"label smoothing": 1, "early stopping": 1}, groups=[["b1", "b2", "b3"]])
    )
    topic = {q.id: q.topic for q in bank.questions}
    difficulty = {q.id: q.difficulty.value for q in bank.questions}
    for seed in range(200):
        ids = drawn(bank, seed)
        topics = Counter(topic[i] for i in ids)
        assert topics["label smoothing"] >= 1 and topics["early stopping"] >= 1, ids
        assert len({"b1", "b2", "b3"} & set(ids)) <= 1, ids
        assert Counter(difficulty[i] for i in ids) == {"easy": 2, "medium": 2, "hard": 1}
        assert ids == sorted(ids, key=lambda i: ["easy", "medium", "hard"].index(difficulty[i]))


def test_a_composed_test_is_the_same_for_the_same_seed() -> None:
    bank = load(recipe(topics={"dropout": 2}, groups=[["b1", "b2"]]))
    assert [drawn(bank, seed) for seed in range(20)] == [drawn(bank, seed) for seed in range(20)]
    assert len({tuple(drawn(bank, seed)) for seed in range(20)}) > 1


def test_a_retake_prefers_questions_the_last_test_did_not_show() -> None:
    bank = load(recipe(easy=1, medium=1, hard=1, topics={"dropout": 1}))
    first = drawn(bank, 1)
    again = drawn(bank, 2, avoid=frozenset(first))
    assert not set(first) & set(again)


def test_a_topic_no_question_has_is_refused_with_the_topics_there_are() -> None:
    (error,) = errors(recipe(topics={"Dropout": 1}))
    assert error.startswith("reg.yaml:")
    assert error.endswith(
        "test.topics.Dropout: no question has topic 'Dropout'; topics are: dropout, "
        "early stopping, label smoothing, weight decay"
    )


def test_a_topic_minimum_above_what_the_groups_allow_is_refused() -> None:
    (error,) = errors(recipe(topics={"weight decay": 2}, groups=[["b1", "b2", "b3"]]))
    assert error.endswith(
        "test.topics.weight decay: the test needs 2 'weight decay' questions but the bank has "
        "1 (counting one per group); add questions or lower test.topics.weight decay"
    )


def test_a_difficulty_count_above_what_the_groups_allow_is_refused() -> None:
    (error,) = errors(recipe(easy=3, groups=[["a1", "a2"], ["b1", "b2"]]))
    assert error.endswith(
        "test.easy: the test draws 3 easy questions but, counting one per group, the bank "
        "offers 2; add questions or lower test.easy"
    )


def test_a_group_naming_an_unknown_question_is_refused_on_its_line() -> None:
    text = yaml.safe_dump(
        bank_dict(questions(), test=recipe(groups=[["b1", "b9"]])), sort_keys=False
    )
    with pytest.raises(BankInvalid) as raised:
        load_bank_text(text, filename="reg.yaml")
    (error,) = (str(e) for e in raised.value.errors)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "b9" in row)
    assert error == f"reg.yaml:{line - 1}: test.groups[0]: no question has the id 'b9'"


def test_a_question_in_two_groups_is_refused() -> None:
    (error,) = errors(recipe(groups=[["b1", "b2"], ["b2", "b3"]]))
    assert error.endswith("test.groups[1]: 'b2' is already in group 1; a question is in one group")


def test_a_recipe_no_draw_can_meet_is_refused_with_a_seed_that_shows_it() -> None:
    # Label smoothing has only a medium question, and the test draws no medium one.
    (error,) = errors(recipe(medium=0, topics={"label smoothing": 1}))
    assert "test.topics: no draw holds" in error
    assert "(a test drawn with seed 0); relax test.topics or test.groups" in error


def test_a_minimum_below_one_is_refused() -> None:
    (error,) = errors(recipe(topics={"dropout": 0}))
    assert "topic 'dropout': a minimum is between 1 and 50, not 0" in error
