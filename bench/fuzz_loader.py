"""The full loader fuzz: 10 000 derandomized documents through tests/quiz/test_fuzz_loader.py.

The suite runs 2 000 of the same documents on every commit; this runs all of them.
Run: python -m bench.fuzz_loader [--documents N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    args = parser.parse_args(argv)
    env = {**os.environ, "TUNELAB_FUZZ_DOCUMENTS": str(args.documents)}
    test = ROOT / "tests" / "quiz" / "test_fuzz_loader.py"
    return subprocess.call([sys.executable, "-m", "pytest", "-q", str(test)], cwd=ROOT, env=env)


if __name__ == "__main__":
    raise SystemExit(main())
