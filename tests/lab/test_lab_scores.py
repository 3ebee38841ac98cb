"""The threshold lesson's scores come from the shipped model."""

from engine.lab.checkpoint import load_pretrained
from engine.lab.lesson_runs import rare_class_scores


def test_rare_scores_come_from_the_shipped_model_on_the_rare_test_split():
    scores = rare_class_scores(load_pretrained().model)
    assert scores.labels.shape == scores.scores.shape == (397,)
    assert scores.labels.sum() == 39
    assert ((scores.scores >= 0) & (scores.scores <= 1)).all()
    # Ranking eights above the rest is what makes the threshold lesson meaningful.
    assert scores.scores[scores.labels == 1].mean() > scores.scores[scores.labels == 0].mean() + 0.3


def test_rare_scores_carry_the_validation_split_a_threshold_is_chosen_on():
    scores = rare_class_scores(load_pretrained().model)
    assert scores.val_labels.shape == scores.val_scores.shape == (200,)
    assert scores.val_labels.sum() == 19
