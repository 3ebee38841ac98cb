"""Bank scale: a generated 10 000-question bank, how fast it loads (valid, with one error,
with an anchor), how fast hostile large files are refused, and what a page sends of it.

Run: python -m bench.bank_scale            (load times, then bytes the quiz pages send)
     python -m bench.bank_scale --write /tmp/big/bank.yaml   (just write the bank)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from engine.quiz.bank import BankInvalid, load_bank_text
from engine.quiz.safe_yaml import MAX_BYTES
from tests.helpers.scale_bank import QUESTIONS, generate_bank_yaml


def time_load(text: str, questions: int, repeats: int = 3) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds for `load_bank_text` (parse + validate), `repeats` times.

    CPU seconds (this process's) stay meaningful on a shared, loaded machine, where wall
    time mostly measures the other processes.
    """
    walls, cpus = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        bank = load_bank_text(text, filename="generated.yaml")
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        if len(bank.questions) != questions:
            raise AssertionError(f"loaded {len(bank.questions)} of {questions} questions")
    return walls, cpus


def time_to_verdict(text: str) -> tuple[float, float, str]:
    """Wall and CPU seconds until `load_bank_text` returns or refuses `text`, and the
    first message."""
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        bank = load_bank_text(text, filename="case.yaml")
        outcome = f"loaded {len(bank.questions)} questions"
    except BankInvalid as invalid:
        outcome = f"{len(invalid.errors)} error(s), first: {invalid.errors[0]}"
    return time.perf_counter() - t0, time.process_time() - c0, outcome[:160]


def hard_cases(bank: str) -> dict[str, str]:
    """Banks an instructor or an attacker might hand the loader, each near the size cap."""
    near_cap = MAX_BYTES - 1024
    flat = "x: [" + "1," * ((near_cap - 8) // 2) + "1]\n"  # ~4 M one-character nodes
    many_keys = "".join(f"k{i}: v\n" for i in range(near_cap // 12))
    long_text = "prompt: " + "a" * near_cap + "\n"
    return {
        "10 000 questions, one typo (difficulty: eazy) in the first": bank.replace(
            "difficulty: easy", "difficulty: eazy", 1
        ),
        "10 000 questions, one typo in the last": _replace_last(
            bank, "difficulty: ", "difficulty: x"
        ),
        "10 000 questions, one anchor": bank.replace("difficulty: easy", "difficulty: &d easy", 1),
        "10 000 questions, a key written twice": bank.replace(
            "    difficulty: easy\n", "    difficulty: easy\n    difficulty: easy\n", 1
        ),
        f"{near_cap / 1e6:.1f} MB flow list of tiny nodes": flat,
        f"{near_cap / 1e6:.1f} MB flow list with a tab": "x:\t" + flat[3:],
        f"{near_cap / 1e6:.1f} MB of top-level keys": many_keys,
        f"{near_cap / 1e6:.1f} MB one-line scalar": long_text,
        "1 byte over the cap": "a" * (MAX_BYTES + 1),
    }


def _replace_last(text: str, old: str, new: str) -> str:
    head, _, tail = text.rpartition(old)
    return head + new + tail


async def _page_bytes(url: str, page: str) -> dict[str, int | str]:
    """Bytes of every ForwardMsg one learner receives opening `page` (and starting a test)."""
    from bench.ws_client import open_session, trigger

    async with open_session(url, page, "learner=scale-reader") as tab:
        first = await tab.rerun()
        total, frames, shown = first.bytes, first.frames, first
        start = first.button("Start the test")
        if start is not None:
            shown = await tab.rerun([trigger(start)])
            total, frames = total + shown.bytes, frames + shown.frames
        progress = next((e.progress.text for e in shown.of_kind("progress")), "")
        caption = next(
            (e.markdown.body for e in shown.of_kind("markdown") if "Question" in e.markdown.body),
            "",
        )
        return {"bytes": total, "frames": frames, "progress": progress, "caption": caption}


def page_bytes(bank_text: str, pages: tuple[str, ...]) -> dict[str, dict]:
    from bench.ws_client import ROOT, running_server

    with tempfile.TemporaryDirectory(prefix="tunelab-scale-") as tmp:
        quiz_dir, data_dir = Path(tmp) / "quizzes", Path(tmp) / "data"
        quiz_dir.mkdir()
        (quiz_dir / "generated.yaml").write_text(bank_text)
        env = {"TUNELAB_QUIZ_DIR": str(quiz_dir), "TUNELAB_DATA_DIR": str(data_dir)}
        log = ROOT / "bench" / "out" / "bank_scale_server.log"
        with running_server(ROOT / "app.py", env, log) as server:
            return {page: asyncio.run(_page_bytes(server.url, page)) for page in pages}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=QUESTIONS)
    parser.add_argument("--write", type=Path, help="write the bank here and stop")
    parser.add_argument("--no-pages", action="store_true", help="skip the websocket part")
    parser.add_argument("--out", type=Path, default=Path("bench/out/bank_scale.json"))
    args = parser.parse_args(argv)
    text = generate_bank_yaml(args.questions)
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text)
        print(f"wrote {args.write} ({len(text.encode()):,} bytes)")
        return 0
    size = len(text.encode())
    print(f"bank: {args.questions:,} questions, {size:,} bytes ({size / args.questions:.0f} per q)")
    load = os.getloadavg()
    times, cpu_times = time_load(text, args.questions)
    report: dict = {
        "questions": args.questions,
        "bank_bytes": size,
        "load_s": [round(t, 3) for t in times],
        "load_median_s": round(statistics.median(times), 3),
        "load_cpu_s": [round(t, 3) for t in cpu_times],
        "load_cpu_median_s": round(statistics.median(cpu_times), 3),
        "loadavg_before": load,
        "loadavg_after": os.getloadavg(),
        "cores": os.cpu_count(),
    }
    print(
        f"load_bank_text: median {report['load_median_s']:.3f} s of {report['load_s']}, "
        f"CPU median {report['load_cpu_median_s']:.3f} s of {report['load_cpu_s']} "
        f"(load average {load[0]:.2f} before, {report['loadavg_after'][0]:.2f} after)"
    )
    report["hard_cases"] = {}
    for name, case in hard_cases(text).items():
        seconds, cpu, outcome = time_to_verdict(case)
        report["hard_cases"][name] = {
            "seconds": round(seconds, 3),
            "cpu_seconds": round(cpu, 3),
            "outcome": outcome,
        }
        print(f"{seconds:6.2f} s ({cpu:5.2f} s CPU)  {name}: {outcome}")
    if not args.no_pages:
        report["pages"] = page_bytes(text, ("practice", "test_pattern"))
        for page, seen in report["pages"].items():
            print(
                f"{page}: {seen['bytes']:,} bytes in {seen['frames']} frames "
                f"({seen['bytes'] / size:.4%} of the bank) — {seen['caption'] or seen['progress']}"
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
