"""Grading learner code in the sandbox: latency cold and warm, memory per warm worker, and
the app's page p95 while a burst of hostile submissions runs.

Cold: a new pool (jail + torch import) until the first result. Warm: the freeze exercise's
reference graded one after another on a started pool (the target: p95 under 1 s), then
--concurrent submissions at once (queueing included). Memory: RSS and PSS of each worker's
process tree (bwrap, its init, the fork server). With --page: quiz learners on a real server
(websocket clients, bench/load.py) alone, then while --hostile submissions (endless loops,
fork and memory bombs, output floods) hit a pool in this process. The pool would live in the
server; here it shares the same CPUs, which is what the page feels.

Run: python -m bench.sandbox [--warm 40] [--cold 2] [--page]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.ws_client import ROOT, percentile
from engine.codecheck.grade import grade_code
from engine.codecheck.spec import CodeExercise, load_exercises
from engine.sandbox.pool import SandboxPool

FIXTURES = ROOT / "tests" / "fixtures" / "codecheck"
HOSTILE = {
    "endless loop": "def freeze_all_but_fc(model):\n    while True:\n        pass\n",
    "fork bomb": "import os\ndef freeze_all_but_fc(model):\n    while True:\n"
    "        try:\n            os.fork()\n        except OSError:\n            pass\n",
    "memory bomb": "def freeze_all_but_fc(model):\n    hoard = []\n    while True:\n"
    "        hoard.append(bytearray(64 << 20))\n",
    "output flood": "import sys\ndef freeze_all_but_fc(model):\n    while True:\n"
    "        sys.stdout.write('x' * 65536)\n",
}


def exercise_and_reference() -> tuple[CodeExercise, str]:
    exercise = load_exercises(FIXTURES / "exercises.yaml")["freeze_all_but_fc"]
    return exercise, (FIXTURES / "freeze_all_but_fc" / "reference.py").read_text()


def ms_stats(seconds: list[float]) -> dict[str, float]:
    return {
        "n": len(seconds),
        "p50_ms": round(percentile(seconds, 50) * 1000),
        "p95_ms": round(percentile(seconds, 95) * 1000),
        "max_ms": round(max(seconds) * 1000),
    }


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        children.setdefault(int(stat.rpartition(")")[2].split()[1]), []).append(int(name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def _kb(pid: int, path: str, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def worker_memory(pool: SandboxPool) -> list[dict[str, float]]:
    """RSS and PSS (shared pages split between sharers) of each worker's process tree."""
    out = []
    for pid in pool.worker_pids():
        tree = _tree(pid)
        out.append(
            {
                "processes": len(tree),
                "rss_mb": round(sum(_kb(p, "status", "VmRSS") for p in tree) / 1024, 1),
                "pss_mb": round(sum(_kb(p, "smaps_rollup", "Pss") for p in tree) / 1024, 1),
            }
        )
    return out


def cold(runs: int) -> list[float]:
    exercise, code = exercise_and_reference()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        pool = SandboxPool(size=1)
        pool.start()
        result = grade_code(exercise, code, pool)
        times.append(time.perf_counter() - t0)
        pool.close()
        assert result.score == 1.0, result.message
    return times


def warm(pool: SandboxPool, runs: int) -> list[float]:
    exercise, code = exercise_and_reference()
    grade_code(exercise, code, pool)  # the first fork after start pays for page faults
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = grade_code(exercise, code, pool)
        times.append(time.perf_counter() - t0)
        assert result.score == 1.0, result.message
    return times


def concurrent(pool: SandboxPool, n: int) -> list[float]:
    exercise, code = exercise_and_reference()

    def one(_: int) -> float:
        t0 = time.perf_counter()
        assert grade_code(exercise, code, pool).score == 1.0
        return time.perf_counter() - t0

    with ThreadPoolExecutor(n) as executor:
        return list(executor.map(one, range(n)))


def hostile_burst(pool: SandboxPool, rounds: int) -> dict[str, str]:
    exercise, _ = exercise_and_reference()
    codes = [(name, code) for _ in range(rounds) for name, code in HOSTILE.items()]
    with ThreadPoolExecutor(len(codes)) as executor:
        results = list(executor.map(lambda item: grade_code(exercise, item[1], pool), codes))
    return {name: result.message for (name, _), result in zip(codes, results, strict=True)}


def page_during_burst(pool: SandboxPool, quiz: int, rounds: int) -> dict:
    from bench.burst import quiz_stats, quiz_wave
    from bench.load import quiz_learner
    from bench.ws_client import running_server

    data_dir = Path(tempfile.mkdtemp(prefix="tunelab-sandbox-bench-"))
    report: dict = {}
    try:
        env = {"TUNELAB_DATA_DIR": str(data_dir)}
        log = ROOT / "bench" / "out" / "sandbox_server.log"
        with running_server(ROOT / "app.py", env, log) as server:
            asyncio.run(quiz_learner(server.url, "practice", "sandbox-warmup", 0, 60))
            calm = asyncio.run(quiz_wave(server.url, "calm-", quiz, 10.0, 1, 60))
            report["quiz_alone"] = quiz_stats(calm)
            with ThreadPoolExecutor(1) as executor:
                burst = executor.submit(hostile_burst, pool, rounds)
                during = asyncio.run(quiz_wave(server.url, "hostile-", quiz, 10.0, 2, 60))
                report["hostile_messages"] = burst.result()
            report["quiz_during_hostile_burst"] = quiz_stats(during)
            report["server_still_up"] = server.process.poll() is None
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sandbox", description=__doc__)
    parser.add_argument("--warm", type=int, default=40, help="sequential warm gradings")
    parser.add_argument("--cold", type=int, default=2, help="fresh pools started and used once")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrent", type=int, default=8)
    parser.add_argument("--page", action="store_true", help="also page p95 in a hostile burst")
    parser.add_argument("--quiz", type=int, default=20, help="quiz learners per wave (--page)")
    parser.add_argument("--rounds", type=int, default=2, help="each hostile kind, times (--page)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "sandbox.json")
    args = parser.parse_args(argv)
    report: dict = {"load_before": os.getloadavg()}
    if args.cold:
        report["cold"] = ms_stats(cold(args.cold))
    pool = SandboxPool(size=args.workers)
    pool.start()
    try:
        report["warm_sequential"] = ms_stats(warm(pool, args.warm))
        report[f"warm_{args.concurrent}_at_once"] = ms_stats(concurrent(pool, args.concurrent))
        report["memory_per_worker"] = worker_memory(pool)
        if args.page:
            report["page"] = page_during_burst(pool, args.quiz, args.rounds)
    finally:
        pool.close()
    report["load_after"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
