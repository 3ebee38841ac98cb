"""The regularisation bank, written without Python: every formula family's key agrees
with what PyTorch does, at every drawn seed, and its test holds each technique."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import torch
from torch import nn

from engine.modes import AttemptMode
from engine.quiz.bank import load_bank
from engine.quiz.grading import Response, grade
from engine.quiz.models import Question, QuestionBank
from engine.quiz.plan import plan_attempt
from engine.quiz.sampling import family_problems
from engine.quiz.variants import instantiate

BANK_FILE = Path(__file__).resolve().parents[2] / "quizzes" / "regularisation.yaml"
SEEDS = range(25)


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return load_bank(BANK_FILE)


def drawn(bank: QuestionBank, question_id: str) -> list[Question]:
    question = bank.question(question_id)
    assert question is not None and question.formula is not None
    return [instantiate(question, seed) for seed in SEEDS]


def numbers(question: Question) -> dict[str, float]:
    assert question.variant is not None
    return question.variant.numbers


def keyed(question: Question) -> float:
    """The key as a learner sees it: the numeric answer, or the correct choice's text."""
    if question.type.value == "numeric":
        return float(question.answer)  # type: ignore[arg-type]
    choice = question.choice(str(question.answer))
    assert choice is not None
    return float(choice.text)


def sgd_factor(lr: float, wd: float) -> float:
    """What one torch SGD step with weight decay does to a weight whose gradient is 0."""
    weight = nn.Parameter(torch.ones(1, dtype=torch.float64))
    optimizer = torch.optim.SGD([weight], lr=lr, weight_decay=wd)
    weight.grad = torch.zeros_like(weight)
    optimizer.step()
    return float(weight.detach())


def test_every_family_of_the_bank_passes_the_200_seed_check(bank: QuestionBank) -> None:
    assert not any(family_problems(bank.questions, 200, workers=1))


def test_the_dropout_scale_is_what_nn_dropout_multiplies_kept_units_by(bank: QuestionBank) -> None:
    torch.manual_seed(0)
    for question in drawn(bank, "dropout-scale"):
        p = numbers(question)["p"]
        out = nn.Dropout(p).train()(torch.ones(10_000, dtype=torch.float64))
        scale = float(out[out != 0][0])
        assert keyed(question) == pytest.approx(scale, abs=0.0005)
        assert grade(question, Response.number(scale)).correct
        assert not grade(question, Response.number(1 - p)).correct


def test_units_kept_by_dropout_average_what_the_key_says(bank: QuestionBank) -> None:
    torch.manual_seed(0)
    for question in drawn(bank, "dropout-kept-units")[:8]:
        n, p = int(numbers(question)["n"]), numbers(question)["p"]
        kept = (nn.Dropout(p).train()(torch.ones(4000, n)) != 0).sum(dim=1).double().mean()
        assert keyed(question) == pytest.approx(float(kept), rel=0.01)


def test_one_and_many_decay_steps_are_torch_sgds(bank: QuestionBank) -> None:
    for question in drawn(bank, "decay-per-step"):
        lr, wd = numbers(question)["lr"], numbers(question)["wd"]
        assert keyed(question) == pytest.approx(sgd_factor(lr, wd), abs=0.00005)
    for question in drawn(bank, "decay-over-steps")[:10]:
        lr, wd, steps = (numbers(question)[k] for k in ("lr", "wd", "steps"))
        weight = nn.Parameter(torch.ones(1, dtype=torch.float64))
        optimizer = torch.optim.SGD([weight], lr=lr, weight_decay=wd)
        for _ in range(int(steps)):
            weight.grad = torch.zeros_like(weight)
            optimizer.step()
        assert keyed(question) == pytest.approx(float(weight.detach()), abs=0.00005)


def test_the_steps_to_halve_a_weight_are_the_first_that_torchs_decay_halves_it(
    bank: QuestionBank,
) -> None:
    for question in drawn(bank, "steps-to-halve"):
        factor = sgd_factor(numbers(question)["lr"], numbers(question)["wd"])
        steps = int(keyed(question))
        assert factor**steps <= 0.5 < factor ** (steps - 1)


def test_the_smoothed_target_is_the_one_cross_entropy_pulls_the_true_class_towards(
    bank: QuestionBank,
) -> None:
    for question in drawn(bank, "smoothed-target"):
        eps, k = numbers(question)["eps"], int(numbers(question)["k"])
        logits = torch.zeros(1, k, dtype=torch.float64, requires_grad=True)
        nn.CrossEntropyLoss(label_smoothing=eps)(logits, torch.tensor([0])).backward()
        assert logits.grad is not None
        # d loss / d logit = softmax - target: the target is what the gradient leaves
        target = 1 / k - float(logits.grad[0, 0])
        assert keyed(question) == pytest.approx(target, abs=0.00005)


def test_the_smoothed_loss_is_torchs_cross_entropy_with_label_smoothing(
    bank: QuestionBank,
) -> None:
    for question in drawn(bank, "smoothed-target-typed"):
        eps, k, q = numbers(question)["eps"], int(numbers(question)["k"]), numbers(question)["q"]
        probabilities = torch.full((1, k), (1 - q) / (k - 1), dtype=torch.float64)
        probabilities[0, 0] = q
        loss = nn.CrossEntropyLoss(label_smoothing=eps)(probabilities.log(), torch.tensor([0]))
        assert keyed(question) == pytest.approx(float(loss), abs=0.00005)
        assert grade(question, Response.number(float(loss))).correct
        assert not grade(question, Response.number(-torch.tensor(q).log().item())).correct


def test_every_test_asks_about_each_technique_and_one_smoothed_target(
    bank: QuestionBank,
) -> None:
    topic = {q.id: q.topic for q in bank.questions}
    for seed in range(100):
        ids = plan_attempt(bank, AttemptMode.TEST, seed).question_ids
        topics = Counter(topic[i] for i in ids)
        assert {"weight decay", "dropout", "label smoothing"} <= set(topics), ids
        assert not {"smoothed-target", "smoothed-target-typed"} <= set(ids)
        assert len(ids) == 5
