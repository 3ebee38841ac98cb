"""Freezing-lab benchmark: seconds per epoch per preset, cached vs naive linear probe, time to the
first chart point, a whole strategy comparison on all digits, peak memory; optionally the
accuracy table (strategy × training size).

Run: .venv/bin/python bench/bench_lab.py [--accuracy-table] [--out bench/out/lab.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.lab.checkpoint import load_pretrained
from engine.lab.config import FinetuneConfig
from engine.lab.data import TRAIN_POOL_SIZE, source_eval_split
from engine.lab.freeze import Preset, preset_plan
from engine.lab.results import RunResult
from engine.lab.train import finetune

ALL = TRAIN_POOL_SIZE
COMPARISON = (Preset.LINEAR_PROBE, Preset.PARTIAL, Preset.FULL, Preset.SCRATCH)
# Epoch budgets per training size (the reference experiment's: small sets need more passes).
EPOCHS_FOR_SIZE = {50: 60, 200: 30, ALL: 15}


THREADS = [1]  # set from --threads


def run(model, preset: Preset, **options) -> RunResult:
    plan = preset_plan(preset, **options.pop("plan", {}))
    return finetune(FinetuneConfig(plan, threads=THREADS[0], **options), model)


def epoch_seconds(result: RunResult) -> float:
    # The fastest epoch: other processes on a shared 2-core machine only ever add time, and
    # oversubscribed OpenMP threads add a lot, so the minimum is the most repeatable figure.
    return min(s.epoch_s for s in result.history)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accuracy-table", action="store_true")
    parser.add_argument("--epochs", type=int, default=10, help="epochs for the comparison")
    parser.add_argument("--threads", type=int, default=1, help="torch threads while training")
    parser.add_argument("--out", type=Path, default=Path("bench/out/lab.json"))
    args = parser.parse_args(argv)
    THREADS[0] = args.threads
    model = load_pretrained().model
    source_eval_split()  # generated once per server in the app too; not part of a run
    if args.accuracy_table:
        return accuracy_table(model, args.out.with_name("lab_accuracy.json"))
    report: dict = {
        "torch": torch.__version__,
        "threads": args.threads,
        "cpus": os.cpu_count(),
        "load_average_1min_at_start": round(os.getloadavg()[0], 2),
    }

    # 1. Seconds per epoch, every preset, all 1 200 training digits, batch 32.
    per_epoch = {}
    for preset in Preset:
        result = run(model, preset, train_size=ALL, epochs=4, measure_retention=False)
        per_epoch[preset.value] = round(epoch_seconds(result), 4)
        print(f"{preset.value:15s} {per_epoch[preset.value]:.4f} s/epoch", flush=True)
    report["seconds_per_epoch_all_digits"] = per_epoch

    # 2. Linear probe: naive (frozen backbone run every batch) vs cached features.
    probe = {}
    for label, options in {
        "naive_batch32": {"cache_features": False, "batch_size": 32},
        "cached_batch32": {"cache_features": True, "batch_size": 32},
        "cached_batch128": {"cache_features": True, "batch_size": 128},
    }.items():
        started = time.perf_counter()
        result = run(model, Preset.LINEAR_PROBE, train_size=ALL, epochs=15,
                     measure_retention=False, **options)  # fmt: skip
        probe[label] = {
            "epoch_s": round(epoch_seconds(result), 5),
            "run_s": round(time.perf_counter() - started, 3),
            "test_accuracy": round(result.test_accuracy, 4),
        }
        print(label, probe[label], flush=True)
    for label in ("cached_batch32", "cached_batch128"):
        probe[f"epoch_ratio_naive_vs_{label}"] = round(
            probe["naive_batch32"]["epoch_s"] / probe[label]["epoch_s"], 1
        )
        probe[f"run_ratio_naive_vs_{label}"] = round(
            probe["naive_batch32"]["run_s"] / probe[label]["run_s"], 1
        )
    report["linear_probe_cache"] = probe

    # 3. Train → first epoch stats, the page's default run (linear probe, 200 images, 8 epochs)
    #    and a full fine-tune of the same size.
    first = {}
    for preset in (Preset.LINEAR_PROBE, Preset.FULL):
        tries = []
        for _ in range(3):
            started = time.perf_counter()
            seen: list[float] = []
            finetune(
                FinetuneConfig(preset_plan(preset), train_size=200, epochs=2, threads=args.threads),
                model,
                on_epoch=lambda _s, seen=seen, t=started: seen.append(time.perf_counter() - t),
            )
            tries.append(seen[0])
        first[preset.value] = {
            "best_s": round(min(tries), 3),
            "tries_s": [round(t, 3) for t in tries],
        }
    report["train_to_first_epoch_s"] = first
    print("first epoch", first, flush=True)

    # 4. Whole comparison on all digits, in one go.
    started, cpu_started = time.perf_counter(), time.process_time()
    comparison = {}
    for preset in COMPARISON:
        result = run(model, preset, train_size=ALL, epochs=args.epochs)
        comparison[preset.value] = {
            "test_accuracy": round(result.test_accuracy, 4),
            "macro_f1": round(result.test_macro_f1, 4),
            "source_after": round(result.retention.after, 4) if result.retention else None,
        }
    report["comparison_all_digits"] = {
        "epochs": args.epochs,
        "seconds": round(time.perf_counter() - started, 1),
        # CPU seconds of this process / 2 threads: what the wall time would be on idle cores.
        "cpu_seconds": round(time.process_time() - cpu_started, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "runs": comparison,
    }
    print("comparison", report["comparison_all_digits"], flush=True)

    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


def accuracy_table(model, out: Path) -> int:
    """Test accuracy, macro-F1 and retention for each strategy × training size (one seed)."""
    table = []
    for size, epochs in EPOCHS_FOR_SIZE.items():
        for preset in (*COMPARISON[:3], Preset.DISCRIMINATIVE, Preset.GRADUAL, Preset.SCRATCH):
            result = run(model, preset, train_size=size, epochs=epochs)
            retention = result.retention
            row = {
                "train_size": size,
                "strategy": preset.value,
                "epochs": epochs,
                "test_accuracy": round(result.test_accuracy, 4),
                "macro_f1": round(result.test_macro_f1, 4),
                "source_before": round(retention.before, 4) if retention else None,
                "source_after": round(retention.after, 4) if retention else None,
            }
            table.append(row)
            print(json.dumps(row), flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(table, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
