"""Each strategy at its own best: sweep the learning rate per preset on validation only.

For every preset the sweep tries the preset's rates shifted one step down, unchanged and one
and two steps up the lab's slider grid (the head/backbone ratio kept), each trained with the
lab's generous budget (``--epochs`` with early stopping, patience 3), on ``--seeds`` seeds, at
the page's default 200 training images. The setting with the best mean validation accuracy
wins (ties: lower mean validation loss). Test accuracy is recorded for the chosen setting
only, after the choice, to show what the choice is worth; it never takes part in it.

It also times every run, which gives the seed-spread cost per preset (five seeds), and runs
the warm-up check: full fine-tuning at a high rate, with and without warm-up, over seeds.

Budget: 2 shared cores, ~15 minutes; hence 4 rates x 2 seeds per preset, one thread.

Run: .venv/bin/python bench/tune_presets.py [--out bench/tuned_presets.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.lab.checkpoint import load_pretrained
from engine.lab.config import FinetuneConfig
from engine.lab.freeze import Preset, preset_plan
from engine.lab.train import finetune
from engine.lab.tuning import (
    SWEEP_EPOCHS,
    SWEEP_PATIENCE,
    SWEPT_PRESETS,
    shifted_rates,
)

SHIFTS = (-1, 0, 1, 2)
WARMUP_RATES = (0.01, 0.01)  # full fine-tuning, head and backbone: a violent start
WARMUP_EPOCHS = 2


def sweep_preset(model, preset: Preset, seeds: tuple[int, ...], epochs: int) -> dict:
    base = preset_plan(preset)
    tried = []
    for shift in SHIFTS:
        rates = shifted_rates(base.head_lr, base.backbone_lr, shift)
        if rates is None:
            continue
        plan = preset_plan(preset, head_lr=rates[0], backbone_lr=rates[1])
        runs = []
        for seed in seeds:
            config = FinetuneConfig(
                plan, epochs=epochs, patience=SWEEP_PATIENCE, seed=seed, measure_retention=False
            )
            result = finetune(config, model)
            runs.append(result)
        tried.append(
            {
                "head_lr": rates[0],
                "backbone_lr": rates[1],
                "val_accuracy": statistics.fmean(r.val_accuracy for r in runs),
                "val_loss": statistics.fmean(min(h.val_loss for h in r.history) for r in runs),
                "epochs_trained": statistics.fmean(len(r.history) for r in runs),
                "seconds_per_run": statistics.fmean(r.total_s for r in runs),
                "test_accuracy": statistics.fmean(r.test_accuracy for r in runs),
            }
        )
    best = max(tried, key=lambda t: (round(t["val_accuracy"], 6), -t["val_loss"]))
    default = next(
        t for t in tried if (t["head_lr"], t["backbone_lr"]) == (base.head_lr, base.backbone_lr)
    )
    return {"preset": preset.value, "tried": tried, "chosen": best, "old_default": default}


def seed_spread_cost(model, preset: Preset, rates: tuple[float, float], seeds=range(5)) -> dict:
    """What the page's "Train over seeds" costs: five runs at the tuned setting (retention
    off, as the page runs them: the spread is of validation scores)."""
    plan = preset_plan(preset, head_lr=rates[0], backbone_lr=rates[1])
    started = time.perf_counter()
    accuracies = []
    for seed in seeds:
        config = FinetuneConfig(
            plan, epochs=SWEEP_EPOCHS, patience=SWEEP_PATIENCE, seed=seed, measure_retention=False
        )
        accuracies.append(finetune(config, model).val_accuracy)
    return {
        "preset": preset.value,
        "seconds": time.perf_counter() - started,
        "val_mean": statistics.fmean(accuracies),
        "val_sd": statistics.stdev(accuracies),
    }


def warmup_check(model, seeds: tuple[int, ...]) -> dict:
    """Full fine-tuning at 0.01/0.01, 8 epochs (the lab's old budget), 0 vs 2 warm-up epochs:
    target validation accuracy and the re-fitted glyph probe (what warm-up claims to protect)."""
    out = {}
    plan = preset_plan(Preset.FULL, head_lr=WARMUP_RATES[0], backbone_lr=WARMUP_RATES[1])
    for warmup in (0, WARMUP_EPOCHS):
        rows = []
        for seed in seeds:
            config = FinetuneConfig(plan, epochs=8, seed=seed, warmup_epochs=warmup)
            result = finetune(config, model)
            probe = result.retention.probe_after if result.retention else None
            rows.append({"seed": seed, "val_accuracy": result.val_accuracy, "glyph_probe": probe})
        out[f"warmup_{warmup}"] = rows
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=SWEEP_EPOCHS)
    parser.add_argument("--warmup-seeds", type=int, default=4)
    parser.add_argument("--out", type=Path, default=Path("bench/tuned_presets.json"))
    parser.add_argument("--skip-warmup", action="store_true")
    args = parser.parse_args(argv)
    model = load_pretrained().model
    seeds = tuple(range(args.seeds))
    started = time.perf_counter()
    report: dict = {
        "command": "python bench/tune_presets.py " + " ".join(argv or sys.argv[1:]),
        "seeds": list(seeds),
        "epochs": args.epochs,
        "patience": SWEEP_PATIENCE,
        "train_size": 200,
        "presets": [],
        "seed_spread_cost": [],
    }
    for preset in SWEPT_PRESETS:
        row = sweep_preset(model, preset, seeds, args.epochs)
        report["presets"].append(row)
        chosen = row["chosen"]
        print(
            f"{preset.value:15s} chose {chosen['head_lr']}/{chosen['backbone_lr']} "
            f"val {chosen['val_accuracy']:.3f} test {chosen['test_accuracy']:.3f} "
            f"(old default val {row['old_default']['val_accuracy']:.3f} "
            f"test {row['old_default']['test_accuracy']:.3f})",
            flush=True,
        )
        cost = seed_spread_cost(model, preset, (chosen["head_lr"], chosen["backbone_lr"]))
        report["seed_spread_cost"].append(cost)
        print(f"{'':15s} 5-seed spread: {cost['seconds']:.1f} s", flush=True)
        args.out.write_text(json.dumps(report, indent=1))
    if not args.skip_warmup:
        report["warmup"] = warmup_check(model, tuple(range(args.warmup_seeds)))
    report["total_s"] = time.perf_counter() - started
    args.out.write_text(json.dumps(report, indent=1))
    print(f"wrote {args.out} in {report['total_s']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
