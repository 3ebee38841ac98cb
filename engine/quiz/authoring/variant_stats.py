"""Facility of a question family split by what its variant asked: does a parameter change
the difficulty (precision against specificity, a cosine schedule against a step one)?

Each recorded answer keeps its variant seed, so the variant is redrawn exactly as the
learner saw it and grouped by its categorical values. Numbers drawn from ranges (counts,
scores) are left out: each variant has its own, and a facility per count says nothing.
"""

from __future__ import annotations

import pandas as pd

from engine.families import GENERATORS, FamilyError
from engine.families.core import OneOf
from engine.quiz.models import Question, QuestionBank
from engine.quiz.variants import draw_variant

# Values that name what a variant asks for, where the generator's `ask` option is shown
# under another name (confusion_metric shows it as {metric}, macro_micro as {average}).
_ASKED_AS = ("metric", "average")
COLUMNS = ["question_id", "variable", "value", "answers", "facility"]


def _categorical(question: Question) -> tuple[str, ...]:
    if question.formula is not None:  # a variable drawn from a short list is a category
        return tuple(
            name
            for name, variable in question.formula.variables.items()
            if len(variable.choose) > 1 and variable.count is None
        )
    assert question.generator is not None
    generator = GENERATORS[question.generator]
    return (*(p.name for p in generator.params if isinstance(p, OneOf)), *_ASKED_AS)


def facility_by_variant(frame: pd.DataFrame, bank: QuestionBank) -> pd.DataFrame:
    """One row per (family question, variable, value) with answers and facility, for each
    variable that took two or more values among the answers recorded."""
    if frame.empty or "variant_seed" not in frame:
        return pd.DataFrame(columns=COLUMNS)
    rows = []
    for answer in frame.itertuples(index=False):
        question = bank.question(str(answer.question_id))
        seed = answer.variant_seed
        if question is None or not question.is_family or pd.isna(seed):
            continue
        try:
            values = draw_variant(question, int(seed)).values
        except FamilyError:  # the bank's ranges changed since: this variant cannot be redrawn
            continue
        share = float(answer.score) / float(answer.max_score)
        for variable in _categorical(question):
            if variable in values:
                rows.append((question.id, variable, values[variable], share))
    if not rows:
        return pd.DataFrame(columns=COLUMNS)
    long = pd.DataFrame(rows, columns=["question_id", "variable", "value", "share"])
    grouped = (
        long.groupby(["question_id", "variable", "value"], sort=True)["share"]
        .agg(answers="count", facility="mean")
        .reset_index()
    )
    spread = grouped.groupby(["question_id", "variable"])["value"].transform("nunique")
    return grouped[spread >= 2].reset_index(drop=True)[COLUMNS]
