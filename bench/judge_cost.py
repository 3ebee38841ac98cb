"""What the judge costs: CPU seconds of the app-side judge per grading (in this process, on a
trusted report of the freeze exercise's reference), and CPU seconds of the jailed child per
submission (from the worker's rusage). CPU time, unlike wall time, barely moves with the
load other jobs put on a shared machine.

Run: python -m bench.judge_cost [--n 40] [--out bench/runs/judge_cost.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from bench.ws_client import ROOT, percentile
from engine.codecheck.judge import judge
from engine.codecheck.runner import child_request, observe_run
from engine.codecheck.snapshot import LearnerReport
from engine.codecheck.spec import load_exercises
from engine.sandbox.pool import SandboxPool

FIXTURES = ROOT / "tests" / "fixtures" / "codecheck"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.judge_cost", description=__doc__)
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "runs" / "judge_cost.json")
    args = parser.parse_args(argv)
    exercise = load_exercises(FIXTURES / "exercises.yaml")["freeze_all_but_fc"]
    code = (FIXTURES / "freeze_all_but_fc" / "reference.py").read_text()
    request = child_request(exercise, code)
    report = LearnerReport.model_validate(
        observe_run(request["code"], request["function"], request["setups"])
    )
    judge(exercise, report)  # first use: the template model
    judge_cpu = []
    for _ in range(args.n):
        started = time.process_time()
        assert judge(exercise, report).score == 1.0
        judge_cpu.append(time.process_time() - started)
    pool = SandboxPool(size=1)
    pool.start()
    try:
        pool.run(request)
        child_cpu = [pool.run(request).cpu_seconds for _ in range(args.n)]
    finally:
        pool.close()
    result = {
        "n": args.n,
        "judge_cpu_ms": {
            "p50": round(statistics.median(judge_cpu) * 1000, 1),
            "p95": round(percentile(judge_cpu, 95) * 1000, 1),
        },
        "child_cpu_ms": {
            "p50": round(statistics.median(child_cpu) * 1000, 1),
            "p95": round(percentile(child_cpu, 95) * 1000, 1),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
