"""`python -m bench` (make bench): every benchmark in turn; results go in bench/RESULTS.md.

Each one is also runnable alone:
  python -m bench.render        first render of Home and quiz pages vs a bare page (browser)
  python -m bench.load          N websocket learners answering, TuneLab vs a bare page
  python -m bench.practice_load 100 learners sign in and practise a family variant vs a bare page
  python -m bench.burst         20 learners press Train at once; quiz latency meanwhile
  python -m bench.bank_scale    a 10 000-question bank: load time, bytes sent to the browser
  python -m bench.fuzz_loader   the loader fuzz at 10 000 documents (the suite runs 2 000)
  python -m bench.sandbox       grading learner code in the jail: latency, memory, page p95
  python bench/bench_lab.py     freezing-lab speeds (epoch times, cached probe, comparison)
Run them on a quiet machine: each prints the load average it saw.
"""

from __future__ import annotations

import subprocess
import sys

STEPS = [
    [sys.executable, "-m", "bench.render"],
    [sys.executable, "-m", "bench.bank_scale"],
    [sys.executable, "-m", "bench.fuzz_loader"],
    [sys.executable, "-m", "bench.load"],
    [sys.executable, "-m", "bench.practice_load"],
    [sys.executable, "-m", "bench.burst"],
    [sys.executable, "-m", "bench.sandbox", "--page"],
    [sys.executable, "bench/bench_lab.py", "--threads", "1"],
]


def main() -> int:
    failed = 0
    for step in STEPS:
        print(f"\n$ {' '.join(step[1:])}", flush=True)
        failed += subprocess.call(step) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
