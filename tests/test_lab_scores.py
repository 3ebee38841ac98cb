"""The threshold lesson's scores come from the shipped model."""

from engine.lab.checkpoint import load_pretrained
from engine.lab.scores import rare_class_scores


def test_rare_scores_come_from_the_shipped_model_on_the_rare_test_split():
    scores = rare_class_scores(load_pretrained().model)
    assert scores.labels.shape == scores.scores.shape == (397,)
    assert scores.labels.sum() == 39
    assert ((scores.scores >= 0) & (scores.scores <= 1)).all()
    # Ranking eights above the rest is what makes the threshold lesson meaningful.
    assert scores.scores[scores.labels == 1].mean() > scores.scores[scores.labels == 0].mean() + 0.3
