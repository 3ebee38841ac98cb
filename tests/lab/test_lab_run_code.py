"""The schedule in the open: the learning rate drawn per step is PyTorch's own schedulers', and
the code shown for a run, executed, gives finetune's numbers for the same seed.

Tolerance: validation accuracy, validation macro-F1 and test accuracy agree within 1e-6 (they
are counts over items, so in practice exactly) and the same number of epochs is trained.
The two paths differ only in float details: finetune uses fused AdamW, channels-last
convolutions and, on a frozen backbone, cached features with a closed-form head gradient.
"""

from __future__ import annotations

import dataclasses

import pytest
import torch

from engine.lab.checkpoint import load_pretrained
from engine.lab.config import FinetuneConfig, Imbalance, LrSchedule
from engine.lab.freeze import Preset, preset_plan
from engine.lab.run_code import learning_rates, run_code, schedule_summary, steps_per_epoch
from engine.lab.train import finetune

TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def pretrained():
    return load_pretrained().model


def torch_rates(scheduler_for, config: FinetuneConfig) -> list[float]:
    """The rate a torch scheduler gives at each step (stepped after every batch)."""
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=config.plan.head_lr)
    scheduler = scheduler_for(optimizer)
    rates = []
    for _ in range(config.epochs * steps_per_epoch(config)):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


def test_the_drawn_cosine_schedule_is_torchs_cosine_annealing_over_every_planned_step():
    config = FinetuneConfig(preset_plan(Preset.LINEAR_PROBE), train_size=200, epochs=6)
    total = config.epochs * steps_per_epoch(config)
    ours = [r.learning_rate for r in learning_rates(config)]
    expected = torch_rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, total), config)
    assert ours == pytest.approx(expected, rel=1e-9, abs=1e-12)
    longer = dataclasses.replace(config, epochs=12)
    assert learning_rates(longer)[total // 2].learning_rate > ours[total // 2]  # epochs move it


def test_the_drawn_warm_up_is_torchs_linear_lr_then_constant():
    config = FinetuneConfig(
        preset_plan(Preset.LINEAR_PROBE), train_size=50, epochs=4, warmup_epochs=2,
        schedule=LrSchedule.CONSTANT,
    )  # fmt: skip
    warm = config.warmup_epochs * steps_per_epoch(config)
    expected = torch_rates(
        lambda o: torch.optim.lr_scheduler.LinearLR(o, 1 / warm, total_iters=warm - 1), config
    )
    assert [r.learning_rate for r in learning_rates(config)] == pytest.approx(expected)
    assert "linear warm-up over the first 2 epoch(s)" in schedule_summary(config)


def test_lp_ft_draws_a_backbone_rate_only_from_its_first_thawed_epoch():
    config = FinetuneConfig(preset_plan(Preset.LP_FT), train_size=50, epochs=5)
    backbone = [r for r in learning_rates(config) if r.group == "backbone"]
    assert min(r.epoch for r in backbone) == preset_plan(Preset.LP_FT).probe_epochs + 1


def scores(result) -> dict[str, float]:
    return {
        "val_accuracy": result.val_accuracy,
        "val_macro_f1": result.val_macro_f1,
        "test_accuracy": result.test_accuracy,
        "epochs_trained": len(result.history),
    }


def executed(config: FinetuneConfig) -> dict[str, float]:
    namespace: dict[str, object] = {}
    exec(run_code(config), namespace)
    return namespace["metrics"]  # type: ignore[return-value]


@pytest.mark.parametrize(
    "config",
    [
        FinetuneConfig(
            preset_plan(Preset.LINEAR_PROBE), train_size=50, epochs=4, warmup_epochs=1,
            patience=2, seed=1, measure_retention=False,
        ),
        FinetuneConfig(
            preset_plan(Preset.PARTIAL), train_size=50, epochs=3, warmup_epochs=1, patience=1,
            seed=2, measure_retention=False,
        ),
    ],
    ids=["probe-warmup-early-stop", "partial-warmup-early-stop"],
)  # fmt: skip
def test_the_shown_code_run_on_the_same_seed_gives_finetunes_numbers(pretrained, config):
    ours, theirs = executed(config), scores(finetune(config, pretrained))
    assert ours["epochs_trained"] == theirs["epochs_trained"]
    for key in ("val_accuracy", "val_macro_f1", "test_accuracy"):
        assert ours[key] == pytest.approx(theirs[key], abs=TOLERANCE), key


@pytest.mark.slow
@pytest.mark.parametrize(
    "config",
    [
        FinetuneConfig(preset_plan(Preset.LP_FT), train_size=50, epochs=5, patience=3,
                       measure_retention=False),
        FinetuneConfig(preset_plan(Preset.GRADUAL), task="rare_eight", train_size=50, epochs=5,
                       imbalance=Imbalance.RESAMPLE, measure_retention=False),
        FinetuneConfig(preset_plan(Preset.SCRATCH), train_size=50, epochs=2, label_noise=0.2,
                       imbalance=Imbalance.CLASS_WEIGHTS, measure_retention=False),
    ],
    ids=["lp-ft", "gradual-rare-resampled", "scratch-noisy-weighted"],
)  # fmt: skip
def test_thawing_resampling_weights_and_noise_reproduce_too(pretrained, config):
    ours, theirs = executed(config), scores(finetune(config, pretrained))
    assert ours == pytest.approx(theirs, abs=TOLERANCE)


@pytest.mark.parametrize("preset", list(Preset))
def test_the_code_of_every_preset_compiles_and_names_its_schedule_and_early_stopping(preset):
    config = FinetuneConfig(
        preset_plan(preset), train_size=50, epochs=6, warmup_epochs=2, patience=3
    )
    code = run_code(config)
    compile(code, f"<{preset}>", "exec")
    assert "def lr_factor(step):" in code and "math.cos" in code
    assert "warmup_steps = 2 * steps_per_epoch" in code
    assert "if epoch - best_epoch >= patience:" in code
    assert 'group["lr"] = group["base_lr"] * lr_factor(step)' in code
