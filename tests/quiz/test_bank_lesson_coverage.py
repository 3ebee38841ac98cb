"""Every question's `lesson:` points to a page that teaches it: the page (with the components
it draws) must name every topic the question's tags ask about."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.quiz.bank import load_bank

ROOT = Path(__file__).resolve().parents[2]
BANK_FILE = ROOT / "quizzes" / "fine_tuning_metrics.yaml"
# What a page must say for a tag to count as taught there (any one phrase, any case).
# Generic tags (family, code, pytorch...) name no topic and are not checked.
TAUGHT_BY = {
    "accuracy-paradox": ["accuracy paradox", "never flags", "flagged nothing", "never-flag"],
    "average-precision": ["average precision"],
    "batchnorm": ["batchnorm"],
    "lora": ["lora"],
    "peft": ["peft"],
    "trainable-parameters": ["trainable"],
    "confusion-matrix": ["confusion matrix"],
    "cost": ["cost"],
    "data-leakage": ["leak"],
    "early-stopping": ["early stopping"],
    "f1": ["f1"],
    "fbeta": ["f-beta"],
    "fine-tuning": ["fine-tun"],
    "freezing": ["freez"],
    "imbalance": ["rare", "imbalance"],
    "learning-rate": ["learning rate"],
    "linear-probe": ["linear probe"],
    "loss-curve": ["validation loss"],
    "macro": ["macro"],
    "macro-average": ["macro"],
    "mae": ["mae", "mean absolute error"],
    "mcnemar": ["mcnemar"],
    "micro": ["micro"],
    "micro-average": ["micro"],
    "mse": ["mse", "mean squared error"],
    "multiclass": ["class"],
    "numel": ["numel", "trainable parameters"],
    "optimizer": ["optimizer"],
    "overfitting": ["overfit"],
    "paired-test": ["paired", "same digits", "same validation items"],
    "param-groups": ["param_group", "param group", "discriminative"],
    "precision": ["precision"],
    "r2": ["r²", "r2"],
    "recall": ["recall"],
    "regression": ["regress"],
    "requires-grad": ["requires_grad"],
    "requires_grad": ["requires_grad"],
    "rmse": ["rmse"],
    "roc-auc": ["roc-auc", "roc_auc"],
    "pr-curve": ["pr curve"],
    "ranking": ["rank"],
    "scheduler": ["steplr", "exponentiallr", "cosineannealinglr"],
    "selection-bias": ["best of n", "best of {n_runs}", "selection"],
    "significance": ["p-value", "p ="],
    "specificity": ["specificity"],
    "strategy": ["strateg"],
    "test-set": ["test"],
    "threshold": ["threshold"],
    "trade-off": ["trade", "pull against"],
    "transfer-learning": ["pretrained", "pre-trained"],
    "units": ["units", "minutes"],
    "validation": ["validation"],
    "validation-loss": ["validation loss"],
}
UNCHECKED = {"family", "code", "pytorch", "debugging", "parameters", "resnet", "accuracy"}
# A scheduler question names its scheduler in its params: the page must teach that one.
SCHEDULER_NAMES = {"step": "steplr", "exponential": "exponentiallr", "cosine": "cosineannealinglr"}


def page_source(lesson: str) -> str:
    """The page's own text and that of the lessons.components modules it imports."""
    source = (ROOT / "lessons" / f"{lesson}.py").read_text()
    parts = [source]
    for module in re.findall(r"from lessons\.components\.(\w+) import", source):
        parts.append((ROOT / "lessons" / "components" / f"{module}.py").read_text())
    return "\n".join(parts).casefold()


BANK = load_bank(BANK_FILE)


def test_every_tag_in_the_bank_is_either_checked_or_named_as_generic():
    tags = {t for q in BANK.questions for t in q.tags}
    assert tags - UNCHECKED <= set(TAUGHT_BY), sorted(tags - UNCHECKED - set(TAUGHT_BY))


@pytest.mark.parametrize("question", BANK.questions, ids=lambda q: q.id)
def test_the_linked_lesson_teaches_every_topic_the_question_asks(question):
    text = page_source(question.lesson)
    checked = [t for t in question.tags if t in TAUGHT_BY]
    assert checked, f"{question.id} has no topic tag to check"
    missing = [t for t in checked if not any(p in text for p in TAUGHT_BY[t])]
    assert not missing, f"{question.id} links '{question.lesson}', which never teaches {missing}"
    schedule = question.params.get("schedule")
    if schedule is not None:
        assert SCHEDULER_NAMES[schedule] in text, (question.id, schedule)


def test_the_audits_mislinked_questions_now_point_to_the_pages_that_teach_them():
    lesson = {q.id: q.lesson for q in BANK.questions}
    assert lesson["fam-roc-auc-by-pairs"] == lesson["fam-average-precision"] == "roc_pr"
    assert lesson["fam-macro-vs-micro"] == lesson["fam-macro-f1-typed"] == "averaging"
    assert lesson["fam-fbeta"] == lesson["fam-specificity-typed"] == "confusion_matrix"
    assert lesson["purpose-of-fine-tuning"] == "lab"
