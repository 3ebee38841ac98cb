"""Question families: generating and rendering one variant, and checking 200 seeds of all.

Render = every bank text of a question filled with the variant's values (prompt, each
option's text and feedback, two hints, three solution steps), as the page and the checker
will. The texts name every value the generator offers, so each placeholder is exercised.

Run: python -m bench.families              (p50/p95 per generator, then the 200-seed check)
     python -m bench.families --seeds 50
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from engine.families import GENERATORS, check_family, fill


def bank_texts(name: str) -> dict[str, str]:
    """Prompt, hints and solution steps that use every placeholder the generator fills."""
    names = sorted(GENERATORS[name].generate(0).values)
    body = "; ".join(f"{n} = {{{n}}}" for n in names)
    texts = {"prompt": f"Given {body}, what is it? $\\frac{{{{a}}}}{{{{b}}}}$"}
    texts |= {f"hints[{i}]": f"Hint {i}: {{{names[i % len(names)]}}}" for i in range(2)}
    texts |= {f"solution.steps[{i}]": f"Step {i}: {body}" for i in range(3)}
    return texts


def render_one(name: str, seed: int, texts: dict[str, str]) -> list[str]:
    variant = GENERATORS[name].generate(seed)
    shown = [fill(text, variant.values) for text in texts.values()]
    shown += [fill(o.text, variant.values) for o in variant.options]
    shown += [fill(o.feedback, variant.values) for o in variant.options]
    return shown


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=200)
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    # Wall time is what a learner waits; CPU time is what this code costs on a busy machine
    # (the shared build machine preempts a process often, which inflates wall p95).
    print("| generator | first variant (ms) | p50 (ms) | p95 (ms) | max (ms) | CPU p95 (ms) |")
    print("|---|---|---|---|---|---|")
    worst = 0.0
    for name in GENERATORS:
        texts = bank_texts(name)
        started = time.perf_counter()
        render_one(name, 10_000, texts)  # first call: warms caches (meta-device backbone)
        first = (time.perf_counter() - started) * 1000
        times, cpu_times = [], []
        for seed in range(args.seeds):
            started, cpu_started = time.perf_counter(), time.thread_time()
            render_one(name, seed, texts)
            times.append((time.perf_counter() - started) * 1000)
            cpu_times.append((time.thread_time() - cpu_started) * 1000)
        worst = max(worst, percentile(times, 0.95))
        print(
            f"| {name} | {first:.1f} | {statistics.median(times):.2f} | "
            f"{percentile(times, 0.95):.2f} | {max(times):.2f} | "
            f"{percentile(cpu_times, 0.95):.2f} |"
        )
    print(f"\nworst p95 generate + render: {worst:.2f} ms (target < 50 ms)")
    started, cpu_started = time.perf_counter(), time.process_time()
    problems = 0
    for name in GENERATORS:
        problems += len(check_family(name, None, bank_texts(name), seeds=range(args.seeds)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"check_family, {args.seeds} seeds x {len(GENERATORS)} generators: {elapsed:.2f} s wall, "
        f"{cpu:.2f} s CPU, {problems} problems (target < 10 s)"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
