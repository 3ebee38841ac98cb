"""Training under contention: 20 learners press Train within seconds while others take quizzes.

One server runs the freezing lab and the Practice page. The trainers open the lab, then
press Train at random moments within --press-within seconds; the server-wide queue
(engine/lab/running/run_queue.py) serves them. Meanwhile quiz learners answer a
question each. Checks:
every run finishes, each waiting learner saw its queue position fall to 1 and never rise,
learners seen at once in positions p < q started in that order (FIFO), and every quiz
answer is stored. Reports quiz p95 with and without the burst and the server's peak RSS.

Run: python -m bench.burst            (20 trainers, 40 quiz learners)
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.load import LearnerResult, arrivals, count_answers, quiz_learner
from bench.ws_client import ROOT, Server, open_session, percentile, running_server, trigger

POSITION = re.compile(r"You are number (\d+) in the queue")
MAX_TRAINERS = 40
BURST_LIMIT_S = 240.0  # the whole burst is cut off after this long


@dataclass
class Trainer:
    index: int
    pressed_at: float = 0.0
    positions: list[tuple[float, int]] = field(default_factory=list)
    started_at: float | None = None  # first "Epoch" progress: the run has its slot
    first_chart_at: float | None = None  # the live chart's first point reached the browser
    finished_at: float | None = None
    error: str | None = None

    def on_element(self, element, now: float) -> None:
        kind = element.WhichOneof("type")
        if kind == "alert" and (match := POSITION.search(element.alert.body)):
            self.positions.append((now, int(match.group(1))))
        elif kind == "progress" and element.progress.text.startswith("Epoch"):
            if self.started_at is None:
                self.started_at = now
        elif kind == "vega_lite_chart" and self.pressed_at and self.first_chart_at is None:
            self.first_chart_at = now
        elif kind == "exception":
            self.error = f"{element.exception.type}: {element.exception.message[:200]}"


def lab_script() -> Path:
    """The real app: it routes the lab and Practice on one server."""
    return ROOT / "app.py"


async def trainer_run(url: str, trainer: Trainer, press_at: float, timeout: float) -> None:
    try:
        async with open_session(url, "lab", f"learner=burst-{trainer.index}", timeout) as tab:
            page = await tab.rerun()
            train = page.button("Train")
            if train is None:
                raise LookupError(f"no Train button:\n{page.text[:300]}")
            await asyncio.sleep(max(0.0, press_at - time.monotonic()))
            tab.on_element = trainer.on_element
            trainer.pressed_at = time.monotonic()
            done = await tab.rerun([trigger(train)])
            trainer.finished_at = time.monotonic()
            alerts = [e.alert.body for e in done.of_kind("alert") if e.alert.format == 1]
            if trainer.error is None and (alerts or "Done" not in done.text):
                trainer.error = f"run did not finish: {(alerts or [done.text[-200:]])[0]}"
    except Exception as exc:
        trainer.error = f"{type(exc).__name__}: {str(exc)[:200]}"


def _since_press(trainer: Trainer, moment: float | None) -> float | None:
    return None if moment is None else round(moment - trainer.pressed_at, 3)


def fifo_report(trainers: list[Trainer], simultaneous_s: float = 0.1) -> dict:
    """What the learners saw of the queue, and any sign it did not serve them in order."""
    waited = [t for t in trainers if t.positions]
    rising = [
        t.index for t in waited if any(b[1] > a[1] for a, b in itertools.pairwise(t.positions))
    ]
    not_one_last = [t.index for t in waited if t.positions[-1][1] != 1]
    out_of_order = 0
    for a in waited:
        for b in waited:
            if a is b or a.started_at is None or b.started_at is None:
                continue
            for ta, pa in a.positions:
                if any(abs(ta - tb) < simultaneous_s and pa < pb for tb, pb in b.positions):
                    out_of_order += a.started_at > b.started_at
                    break
    return {
        "trainers_who_waited": len(waited),
        "highest_position_shown": max((p for t in waited for _, p in t.positions), default=0),
        "positions_rose_for": rising,
        "last_position_not_1_for": not_one_last,
        "fifo_violations": out_of_order,
    }


def quiz_stats(results: list[LearnerResult]) -> dict:
    out: dict = {"errors": sum(r.error is not None for r in results)}
    for name in ("render_s", "submit_s"):
        values = [v for r in results if (v := getattr(r, name)) is not None]
        out[name.removesuffix("_s")] = {
            "p50_ms": round(percentile(values, 50) * 1000),
            "p95_ms": round(percentile(values, 95) * 1000),
            "max_ms": round(max(values, default=float("nan")) * 1000),
        }
    return out


async def quiz_wave(url: str, prefix: str, n: int, over_s: float, seed: int, timeout: float):
    delays = arrivals(n, over_s, seed)
    return await asyncio.gather(
        *(quiz_learner(url, "practice", f"{prefix}{i}", d, timeout) for i, d in enumerate(delays))
    )


async def burst(
    server: Server, trainers: int, press_within: float, quiz: int, seed: int
) -> tuple[list[Trainer], list[LearnerResult], float]:
    rng = random.Random(seed)
    crew = [Trainer(i) for i in range(trainers)]
    t0 = time.monotonic() + 3.0  # every trainer has the lab open before the first press
    presses = [t0 + rng.uniform(0, press_within) for _ in crew]
    runs = [
        trainer_run(server.url, t, at, BURST_LIMIT_S) for t, at in zip(crew, presses, strict=True)
    ]
    # Quiz learners arrive while the queue is full: from the first press for 15 s.
    quiz_task = quiz_wave(server.url, "burst-quiz-", quiz, 15.0, seed, 60.0)

    async def delayed_quiz():
        await asyncio.sleep(3.0)
        return await quiz_task

    started = time.monotonic()
    *_, quiz_results = await asyncio.wait_for(
        asyncio.gather(*runs, delayed_quiz()), BURST_LIMIT_S + 30
    )
    return crew, quiz_results, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainers", type=int, default=20)
    parser.add_argument("--press-within", type=float, default=3.0, help="seconds")
    parser.add_argument("--quiz", type=int, default=40, help="quiz learners, before and during")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--option", action="append", default=[], metavar="SECTION.NAME=VALUE")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "burst.json")
    args = parser.parse_args(argv)
    if not 1 <= args.trainers <= MAX_TRAINERS:
        parser.error(f"--trainers must be between 1 and {MAX_TRAINERS}")

    data_dir = Path(tempfile.mkdtemp(prefix="tunelab-burst-"))
    script = lab_script()
    report: dict = {"script": str(script.relative_to(ROOT)), "options": args.option}
    try:
        env = {"TUNELAB_DATA_DIR": str(data_dir)}
        log = args.out.parent / "burst_server.log"
        with running_server(script, env, log, args.option) as server:
            # Warm up: the lab loads the checkpoint and torch; one quiz learner opens the store.
            asyncio.run(quiz_learner(server.url, "practice", "burst-warmup", 0, 60))
            warm = Trainer(-1)
            asyncio.run(trainer_run(server.url, warm, 0.0, 120))
            if warm.error:
                raise RuntimeError(f"warm-up training failed: {warm.error}")
            report["one_run_alone_s"] = round(warm.finished_at - warm.pressed_at, 2)
            # Train -> first chart point as a learner sees it: through the websocket, the
            # rerun, the queue and the model copy (bench_lab.py times finetune() alone).
            lone = Trainer(-2)
            asyncio.run(trainer_run(server.url, lone, 0.0, 120))
            report["press_to_first_chart_point_s"] = {
                "first_run_on_server": _since_press(warm, warm.first_chart_at),
                "second_run": _since_press(lone, lone.first_chart_at),
            }
            report["rss_mb_after_warmup"] = round(server.rss_mb(), 1)
            report["load_before"] = os.getloadavg()
            calm = asyncio.run(quiz_wave(server.url, "calm-quiz-", args.quiz, 15.0, args.seed, 60))
            report["quiz_without_burst"] = quiz_stats(calm)
            crew, during, wall = asyncio.run(
                burst(server, args.trainers, args.press_within, args.quiz, args.seed)
            )
            report["load_after"] = os.getloadavg()
            report["peak_rss_mb"] = round(server.peak_rss_mb(), 1)
            report["quiz_during_burst"] = quiz_stats(during)
            report["burst_wall_s"] = round(wall, 1)
            expected = len(calm) + len(during)
            found = count_answers(data_dir / "tunelab.db", "calm-quiz-")
            found += count_answers(data_dir / "tunelab.db", "burst-quiz-")
            report["quiz_answers_expected_found"] = [expected, found]
        report["trainers"] = args.trainers
        report["trainer_errors"] = [t.error for t in crew if t.error]
        report["finished"] = sum(t.finished_at is not None and not t.error for t in crew)
        report["queue"] = fifo_report(crew)
        waits = [t.started_at - t.pressed_at for t in crew if t.started_at]
        report["wait_to_start_s"] = {
            "p50": round(percentile(waits, 50), 2),
            "max": round(max(waits, default=float("nan")), 2),
        }
        report["trainer_timeline"] = [
            {k: v for k, v in asdict(t).items() if k != "positions"}
            | {"positions": [p for _, p in t.positions][:1] + [p for _, p in t.positions][-1:]}
            for t in sorted(crew, key=lambda t: t.started_at or 1e18)
        ]
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str))
    summary = {k: v for k, v in report.items() if k != "trainer_timeline"}
    print(json.dumps(summary, indent=2, default=str))
    ok = (
        not report["trainer_errors"]
        and report["finished"] == args.trainers
        and not report["queue"]["fifo_violations"]
        and found == expected
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
