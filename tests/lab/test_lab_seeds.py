"""seed_spread: one cached-feature preset over several seeds, summarised like numpy does."""

import dataclasses

import numpy as np
import pytest

from engine.lab.checkpoint import load_pretrained
from engine.lab.config import FinetuneConfig
from engine.lab.freeze import Preset, preset_plan
from engine.lab.seeds import seed_spread
from engine.lab.train import finetune


@pytest.fixture(scope="module")
def shipped():
    return load_pretrained().model


def test_each_seed_is_a_real_run_and_the_summary_matches_numpy(shipped):
    config = FinetuneConfig(preset_plan(Preset.LINEAR_PROBE), train_size=50, epochs=3)
    spread = seed_spread(config, shipped, seeds=(0, 1, 2))
    again = finetune(dataclasses.replace(config, seed=2, measure_retention=False), shipped)
    assert spread.val_accuracies[2] == again.val_accuracy
    values = np.array(spread.val_accuracies)
    assert spread.mean == pytest.approx(values.mean())
    assert spread.std == pytest.approx(values.std(ddof=1))
    assert (spread.low, spread.high) == (values.min(), values.max())
    assert spread.high > spread.low  # different subsets and initialisations, different scores


def test_plans_that_would_train_the_backbone_are_refused_with_the_reason(shipped):
    config = FinetuneConfig(preset_plan(Preset.PARTIAL), train_size=50, epochs=1)
    with pytest.raises(ValueError, match="only frozen-backbone plans"):
        seed_spread(config, shipped)
