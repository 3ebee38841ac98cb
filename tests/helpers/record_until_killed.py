"""Child process for the durability test: records answers and prints each id once committed.

Usage: python tests/helpers/record_until_killed.py DATABASE_URL
Prints "attempt <id>" first, then "committed <answer id>" after every record_answer
returns, forever (the parent kills it with SIGKILL).
"""

from __future__ import annotations

import sys
from itertools import count
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from engine.learners import leitner
from engine.store import Store


def main(url: str) -> None:
    store = Store.open(url)
    learner = store.learner("Killed Mid-Stream")
    attempt = store.start_attempt(
        learner.id, bank_id="durability", bank_version="v1", mode="practice", seed=1, plan={}
    )
    print(f"attempt {attempt.id}", flush=True)
    for n in count():
        answer = store.record_answer(
            attempt.id,
            question_id=f"q{n % 40}",
            question_fingerprint="fp",
            response=["a", "b"],
            score=float(n % 2),
            max_score=1.0,
            correct=bool(n % 2),
            used_hint=False,
            seconds=0.5,
            card=leitner.card_move(correct=bool(n % 2), used_hint=False),
        )
        # Only now is the answer acknowledged: record_answer returned after COMMIT.
        print(f"committed {answer.id}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
