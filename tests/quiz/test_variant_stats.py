"""Statistics of a family split by what its variant asked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from builders import bank_dict, question

from engine.families import GENERATORS
from engine.quiz.authoring.variant_stats import facility_by_variant
from engine.quiz.bank import load_bank
from engine.quiz.models import QuestionBank
from engine.quiz.variants import draw_variant


def metric_family_bank() -> QuestionBank:
    family = question(
        "metric",
        generator="confusion_metric",
        params={"ask": ["precision", "specificity"]},
        prompt="TP = {tp}: {metric}?",
        solution={"steps": ["{formula}"], "final_answer": "{metric}"},
    )
    for key in ("choices", "answer"):
        family.pop(key)
    return QuestionBank.model_validate(bank_dict([family, question("fixed")]))


def asked(seed: int) -> str:
    variant = GENERATORS["confusion_metric"].generate(seed, {"ask": ["precision", "specificity"]})
    return variant.values["metric"]


def test_facility_splits_by_the_metric_each_variant_asked_for():
    seeds = list(range(40))
    # Learners get every precision variant right and every specificity one wrong.
    scores = [1.0 if asked(s) == "precision" else 0.0 for s in seeds]
    frame = pd.DataFrame(
        {
            "question_id": ["metric"] * len(seeds) + ["fixed"],
            "variant_seed": [*seeds, None],
            "score": [*scores, 1.0],
            "max_score": [1.0] * (len(seeds) + 1),
        }
    )
    table = facility_by_variant(frame, metric_family_bank())
    by_value = {row.value: (row.answers, row.facility) for row in table.itertuples()}
    assert set(table["variable"]) == {"metric"}
    assert by_value == {
        "precision": (scores.count(1.0), 1.0),
        "specificity": (scores.count(0.0), 0.0),
    }


def test_no_breakdown_when_every_answer_saw_the_same_kind_of_variant():
    seeds = [s for s in range(40) if asked(s) == "precision"][:5]
    frame = pd.DataFrame(
        {"question_id": ["metric"] * 5, "variant_seed": seeds, "score": 1.0, "max_score": 1.0}
    )
    assert facility_by_variant(frame, metric_family_bank()).empty


def test_a_formula_family_splits_by_each_variable_drawn_from_a_list():
    bank = load_bank(Path(__file__).resolve().parents[2] / "quizzes" / "regularisation.yaml")
    family = bank.question("smoothed-target")
    assert family is not None
    seeds = list(range(60))
    classes = [draw_variant(family, s).values["k"] for s in seeds]
    # Learners get the two-digit class counts wrong and the others right.
    scores = [0.0 if len(k) > 1 else 1.0 for k in classes]
    frame = pd.DataFrame(
        {
            "question_id": ["smoothed-target"] * len(seeds),
            "variant_seed": seeds,
            "score": scores,
            "max_score": [1.0] * len(seeds),
        }
    )
    table = facility_by_variant(frame, bank)
    assert set(table["variable"]) == {"k"}  # eps is drawn from a range: no category
    by_value = {row.value: row.facility for row in table.itertuples()}
    assert by_value == {k: (0.0 if len(k) > 1 else 1.0) for k in set(classes)}
