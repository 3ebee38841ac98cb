"""Item statistics against values computed by hand on a small fixed data set."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from engine.quiz.authoring.stats import (
    FlagThresholds,
    ItemFlag,
    item_statistics,
    items_frame,
    overall_statistics,
)

# Six finished test attempts, five questions (q4 is worth 2 marks, q2 is numeric):
#
#   attempt  q1 q2 q3 q4 q5   total
#   A         1  1  0  2  1     5
#   B         1  1  0  2  1     5
#   C         1  0  1  1  1     4
#   D         0  1  1  1  1     4
#   E         0  0  1  0  1     2
#   F         0  0  0  0  1     1
SCORES = {
    "A": {"q1": 1, "q2": 1, "q3": 0, "q4": 2, "q5": 1},
    "B": {"q1": 1, "q2": 1, "q3": 0, "q4": 2, "q5": 1},
    "C": {"q1": 1, "q2": 0, "q3": 1, "q4": 1, "q5": 1},
    "D": {"q1": 0, "q2": 1, "q3": 1, "q4": 1, "q5": 1},
    "E": {"q1": 0, "q2": 0, "q3": 1, "q4": 0, "q5": 1},
    "F": {"q1": 0, "q2": 0, "q3": 0, "q4": 0, "q5": 1},
}
# q1: choices a (right), b, c, d; nobody picks d.
Q1_PICKS = {"A": ["a"], "B": ["a"], "C": ["a"], "D": ["b"], "E": ["b"], "F": ["c"]}
# q4: pick both right choices x and y (2 marks), one of them (1 mark), or wrong z (0).
Q4_PICKS = {"A": ["x", "y"], "B": ["x", "y"], "C": ["x"], "D": ["y"], "E": ["z"], "F": ["z"]}
CHOICES = {
    "q1": {"a": True, "b": False, "c": False, "d": False},
    "q3": {"t": True, "f": False},
    "q4": {"x": True, "y": True, "z": False},
    "q5": {"r": True, "w": False},
}


def responses() -> pd.DataFrame:
    rows = []
    for attempt, scores in SCORES.items():
        for question, score in scores.items():
            response: list[str] | float
            if question == "q1":
                response = Q1_PICKS[attempt]
            elif question == "q2":
                response = 3.5 if score else 2.0
            elif question == "q3":
                response = ["t"] if score else ["f"]
            elif question == "q4":
                response = Q4_PICKS[attempt]
            else:
                response = ["r"]
            rows.append(
                {
                    "attempt_id": attempt,
                    "question_id": question,
                    "question_fingerprint": f"fp-{question}",
                    "score": float(score),
                    "max_score": 2.0 if question == "q4" else 1.0,
                    "response": response,
                }
            )
    return pd.DataFrame(rows)


def by_question(frame: pd.DataFrame, **kwargs):
    return {item.question_id: item for item in item_statistics(frame, **kwargs)}


def test_facility_is_the_mean_score_over_the_maximum():
    items = by_question(responses())
    assert items["q1"].facility == pytest.approx(3 / 6)
    assert items["q4"].facility == pytest.approx(((2 + 2 + 1 + 1 + 0 + 0) / 6) / 2)
    assert items["q5"].facility == 1.0
    assert {item.attempts for item in items.values()} == {6}


def test_discrimination_correlates_each_item_with_the_rest_of_the_test():
    items = by_question(responses())
    # q1: x = 1 1 1 0 0 0 (mean 1/2); rest = total - x = 4 4 3 4 2 1 (mean 3).
    # Σdx·dr = .5·1 + .5·1 + .5·0 + (-.5)·1 + (-.5)(-1) + (-.5)(-2) = 2
    # Σdx² = 6 · .25 = 1.5;  Σdr² = 1 + 1 + 0 + 1 + 1 + 4 = 8
    assert items["q1"].discrimination == pytest.approx(2 / math.sqrt(1.5 * 8))
    # q3: x = 0 0 1 1 1 0 (mean 1/2); rest = 5 5 3 3 1 1 (mean 3).
    # Σdx·dr = (-.5)·2 + (-.5)·2 + .5·0 + .5·0 + .5·(-2) + (-.5)(-2) = -2
    # Σdx² = 1.5;  Σdr² = 4 + 4 + 0 + 0 + 4 + 4 = 16
    assert items["q3"].discrimination == pytest.approx(-2 / math.sqrt(1.5 * 16))
    # q4: x = 2 2 1 1 0 0 (mean 1); rest = 3 3 3 3 2 1 (mean 2.5).
    # Σdx·dr = 1·.5 + 1·.5 + 0 + 0 + (-1)(-.5) + (-1)(-1.5) = 3
    # Σdx² = 1 + 1 + 0 + 0 + 1 + 1 = 4;  Σdr² = .25 · 5 + 2.25 = 3.5
    assert items["q4"].discrimination == pytest.approx(3 / math.sqrt(4 * 3.5))
    # q5: everyone scored 1, so there is no spread to correlate.
    assert math.isnan(items["q5"].discrimination)


def test_discrimination_agrees_with_numpy_corrcoef_on_the_rest_score():
    frame = responses()
    matrix = pd.DataFrame(SCORES).T.astype(float)
    items = by_question(frame)
    for question in ("q1", "q2", "q3", "q4"):
        rest = matrix.sum(axis=1) - matrix[question]
        expected = np.corrcoef(matrix[question], rest)[0, 1]
        assert items[question].discrimination == pytest.approx(expected)


def test_choice_counts_include_choices_nobody_picked():
    items = by_question(responses(), choices=CHOICES)
    assert items["q1"].choice_counts == {"a": 3, "b": 2, "c": 1, "d": 0}
    assert items["q4"].choice_counts == {"x": 3, "y": 3, "z": 2}
    assert items["q2"].choice_counts == {}  # numeric answers pick no choices
    assert items["q1"].unpicked_distractors == ("d",)
    assert items["q5"].unpicked_distractors == ("w",)


def test_flags_mark_the_items_that_look_broken():
    items = by_question(responses(), choices=CHOICES)
    assert items["q1"].flags == (ItemFlag.UNPICKED_DISTRACTOR,)
    assert items["q2"].flags == ()
    assert items["q3"].flags == (ItemFlag.NEGATIVE_DISCRIMINATION,)
    assert items["q4"].flags == ()
    assert items["q5"].flags == (ItemFlag.TOO_EASY, ItemFlag.UNPICKED_DISTRACTOR)


def test_near_zero_discrimination_and_too_hard_are_flagged():
    # x = 1 0 1 0 and rest = 2 2 0 0: Σdx·dr = .5·1 + (-.5)·1 + .5·(-1) + (-.5)(-1) = 0.
    rows = []
    for attempt, (x, rest) in enumerate([(1, 2), (0, 2), (1, 0), (0, 0)]):
        rows.append({"attempt_id": attempt, "question_id": "flat", "score": x, "max_score": 1})
        rows.append({"attempt_id": attempt, "question_id": "other", "score": rest, "max_score": 2})
        rows.append({"attempt_id": attempt, "question_id": "hard", "score": 0, "max_score": 1})
    frame = pd.DataFrame(rows).assign(response=[[]] * len(rows))
    items = by_question(frame, thresholds=FlagThresholds(min_attempts=4))
    assert items["flat"].discrimination == pytest.approx(0.0)
    assert items["flat"].flags == (ItemFlag.NEAR_ZERO_DISCRIMINATION,)
    assert items["hard"].flags == (ItemFlag.TOO_HARD,)


def test_nothing_is_flagged_below_the_minimum_number_of_attempts():
    items = by_question(responses(), choices=CHOICES, thresholds=FlagThresholds(min_attempts=7))
    assert all(item.flags == () for item in items.values())


def test_whole_test_mean_standard_deviation_and_cronbach_alpha():
    figures = overall_statistics(responses())
    # totals 5 5 4 4 2 1: mean 21/6 = 3.5
    # squared deviations 2.25 2.25 .25 .25 2.25 6.25 → Σ 13.5, sample variance 13.5/5 = 2.7
    assert figures.attempts == 6
    assert figures.mean == pytest.approx(3.5)
    assert figures.standard_deviation == pytest.approx(math.sqrt(2.7))
    # sample item variances: q1 q2 q3 each 1.5/5 = .3; q4 4/5 = .8; q5 0 → Σ 1.7
    # alpha = 5/4 · (1 - 1.7 / 2.7)
    assert figures.cronbach_alpha == pytest.approx(5 / 4 * (1 - 1.7 / 2.7))
    assert (figures.items_in_alpha, figures.attempts_in_alpha) == (5, 6)


def test_an_edited_question_is_a_separate_item():
    frame = responses()
    edited = frame["attempt_id"].isin(["E", "F"]) & (frame["question_id"] == "q1")
    frame.loc[edited, "question_fingerprint"] = "fp-q1-v2"
    q1 = [item for item in item_statistics(frame) if item.question_id == "q1"]
    assert [(i.question_fingerprint, i.attempts) for i in q1] == [("fp-q1", 4), ("fp-q1-v2", 2)]
    assert len(item_statistics(frame)) == 6
    # No attempt answered every item now, so alpha has no complete rows to use.
    assert math.isnan(overall_statistics(frame).cronbach_alpha)


def test_an_attempt_that_skipped_an_item_still_counts_for_the_others():
    frame = responses()
    frame = frame[~((frame["attempt_id"] == "F") & (frame["question_id"] == "q3"))]
    items = by_question(frame)
    assert items["q3"].attempts == 5
    assert items["q1"].attempts == 6
    assert overall_statistics(frame).attempts_in_alpha == 5


def test_items_frame_gives_one_readable_row_per_item():
    table = items_frame(item_statistics(responses(), choices=CHOICES))
    assert list(table["question_id"]) == ["q1", "q2", "q3", "q4", "q5"]
    assert table.loc[0, "choice_counts"] == "a: 3, b: 2, c: 1, d: 0"
    assert table.loc[2, "flags"] == ItemFlag.NEGATIVE_DISCRIMINATION.value


def test_a_frame_without_the_needed_columns_is_explained():
    with pytest.raises(ValueError, match=r"^Responses frame lacks column\(s\) score, response; "):
        item_statistics(pd.DataFrame({"attempt_id": [1], "question_id": ["q"], "max_score": [1]}))


def test_empty_responses_give_no_items_and_undefined_figures():
    empty = pd.DataFrame(columns=["attempt_id", "question_id", "score", "max_score", "response"])
    assert item_statistics(empty) == []
    figures = overall_statistics(empty)
    assert figures.attempts == 0
    assert math.isnan(figures.mean) and math.isnan(figures.cronbach_alpha)
