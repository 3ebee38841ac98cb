"""Best of N with real runs (audit 3, L2): real seeds of one plan share their hard test items,
so two runs miss the same digits far more often than independent errors would."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers.lesson_page import open_lesson

from engine.lab.checkpoint import load_pretrained
from engine.lab.config import FinetuneConfig
from engine.lab.freeze import Preset, preset_plan
from engine.lab.real_best_of_n import real_runs
from engine.lab.train import finetune

# 200 images and 15 epochs: about a second per cached-feature run, and accurate enough that
# the errors left are the hard digits (half-trained runs miss at random).
TINY = FinetuneConfig(preset_plan(Preset.LINEAR_PROBE, head_lr=0.03), train_size=200, epochs=15)


@pytest.fixture(scope="module")
def pretrained():
    return load_pretrained().model


def test_each_real_run_is_finetune_on_its_seed_and_the_summary_is_numpys(pretrained):
    runs = real_runs(TINY, pretrained, (0, 1, 2))
    hits = []
    for seed in (0, 1, 2):
        result = finetune(dataclasses.replace(TINY, seed=seed, measure_retention=False), pretrained)
        assert runs.test_accuracies[seed] == pytest.approx(result.test_accuracy)
        hits.append(result.test_probabilities.argmax(1) == result.test_labels)
    wrong = 1 - np.array(hits, dtype=float)
    pairs = [(0, 1), (0, 2), (1, 2)]
    assert runs.both_wrong_share == pytest.approx(
        np.mean([np.mean(wrong[i] * wrong[j]) for i, j in pairs])
    )
    assert runs.optimism == pytest.approx(max(runs.test_accuracies) - np.mean(runs.test_accuracies))
    # The audit's finding: shared hard items, not independent coin flips.
    assert runs.both_wrong_share > 2 * runs.independent_both_wrong


@pytest.mark.slow
def test_the_selection_bias_page_trains_twenty_real_runs_and_compares_them_with_the_model():
    at = open_lesson("selection_bias.py", timeout=300)
    at.button(key="sel_real").click().run()
    assert not at.exception
    real = at.session_state["sel_real_runs"]
    assert len(real.seeds) == 20
    text = " ".join(m.value for m in at.markdown)
    assert f"Keeping the best test score gives **{real.best:.3f}**" in text
