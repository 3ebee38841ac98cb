"""The LoRA count family: its key is what peft itself counts as trainable."""

from __future__ import annotations

import pytest
from torch import nn

from engine.families import GENERATORS


def peft_count(shape: str, rank: int) -> int:
    from peft import LoraConfig, get_peft_model

    layer = nn.Sequential()
    layer.add_module("adapted", eval(shape, {"nn": nn}))  # e.g. nn.Conv2d(64, 32, 3)
    config = LoraConfig(r=rank, lora_alpha=2 * rank, target_modules=["adapted"])
    return get_peft_model(layer, config).get_nb_trainable_parameters()[0]


@pytest.mark.parametrize("layer", ["conv", "linear"])
def test_lora_count_keys_are_peft_own_trainable_counts(layer):
    for seed in range(4):
        variant = GENERATORS["lora_count"].generate(seed, {"layer": layer})
        assert variant.numeric is not None
        rank = int(variant.values["rank"])
        assert variant.numeric.value == peft_count(variant.values["shape"], rank), seed
        assert variant.values["shape"].startswith("nn.Conv2d" if layer == "conv" else "nn.Linear")
