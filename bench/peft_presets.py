"""Parameter-efficient strategies against freezing presets: trainable share, validation
accuracy over seeds, retention and run time, at the page's defaults (200 images, 8 epochs).

Budget: 2 shared cores; 5 strategies x 5 seeds, one run each, a few seconds apiece on an idle
machine (much longer on a loaded one: the wall time is what this machine gave at the time).

Run: .venv/bin/python bench/peft_presets.py [--seeds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.lab.checkpoint import load_pretrained
from engine.lab.freeze import Preset
from engine.lab.peft_presets import EfficientPlan, Strategy
from engine.lab.strategy_compare import StrategyRow, efficient_row, freezing_row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    pretrained = load_pretrained().model
    makers = [
        (f"{s}", lambda seed, s=s: efficient_row(EfficientPlan(s), pretrained, seed=seed))
        for s in Strategy
    ] + [
        (f"{p}", lambda seed, p=p: freezing_row(p, pretrained, seed=seed))
        for p in (Preset.LINEAR_PROBE, Preset.PARTIAL)
    ]
    print(
        "| strategy | trainable / total | share | val acc mean ± sd (seeds) | "
        "Wilson 95 % (seed 0) | source acc after (orig. head) | re-fitted probe | s per run |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for _, make in makers:
        rows: list[StrategyRow] = [make(seed) for seed in range(args.seeds)]
        accs = [r.val_interval.estimate for r in rows]
        first = rows[0]
        retained = [r.source_after for r in rows if r.source_after is not None]
        probes = [r.probe_after for r in rows if r.probe_after is not None]
        print(
            f"| {first.label} | {first.trainable:,} / {first.total:,} | {first.share:.2%} | "
            f"{statistics.mean(accs):.3f} ± {statistics.stdev(accs) if len(accs) > 1 else 0:.3f}"
            f" ({len(accs)}) | {first.val_interval.low:.3f}–{first.val_interval.high:.3f} | "
            f"{statistics.mean(retained):.3f} | {statistics.mean(probes):.3f} | "
            f"{statistics.median(r.seconds for r in rows):.1f} |",
            flush=True,
        )
    print(f"source accuracy before fine-tuning: {rows[0].source_before:.3f}")


if __name__ == "__main__":
    main()
