"""Many threads recording at once: every acknowledged answer is stored exactly once."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from helpers.concurrency import run_together
from helpers.seeded_answers import record_scored_answer, start_attempt
from helpers.store_backends import store_url  # noqa: F401  (fixture)

from engine.store import AnswerRefused, Store
from engine.store.reports import responses_frame

THREADS = 16
ANSWERS_PER_THREAD = 50
# Several threads share one attempt (fewer answers each: the point is the interleaving).
SHARED_THREADS = 8
SHARED_ANSWERS_PER_THREAD = 25


def record(store: Store, attempt_id: int, question_id: str) -> int:
    return record_scored_answer(store, attempt_id, question_id, 1.0, response=["a"]).id


@pytest.mark.slow
def test_sixteen_threads_recording_at_once_lose_and_duplicate_nothing(store_url, capsys):  # noqa: F811
    with Store.open(store_url) as store:
        started = time.perf_counter()

        # 1. Each thread: its own learner (all created at the same instant) and attempt.
        def own_attempt(index: int) -> list[int]:
            attempt = start_attempt(
                store, f"Learner {index}", bank_id="bank", bank_version="v1", seed=index
            )
            return [record(store, attempt.id, f"q{n}") for n in range(ANSWERS_PER_THREAD)]

        own_ids, own_errors = run_together(THREADS, own_attempt)

        # 2. All threads on ONE test attempt, each with its own questions.
        shared = start_attempt(store, "Shared", bank_id="bank", bank_version="v1", seed=0)

        def shared_attempt(index: int) -> list[int]:
            return [
                record(store, shared.id, f"t{index}-q{n}") for n in range(SHARED_ANSWERS_PER_THREAD)
            ]

        shared_ids, shared_errors = run_together(SHARED_THREADS, shared_attempt)

        # 3. All threads answer the SAME test question: the unique constraint admits one.
        race = start_attempt(store, "Racer", bank_id="bank", bank_version="v1", seed=0)

        def same_question(_index: int) -> str:
            try:
                record(store, race.id, "only-once")
            except AnswerRefused:
                return "refused"
            return "accepted"

        outcomes, race_errors = run_together(THREADS, same_question)

        # 4. The same new name from every thread at once: one learner.
        learners, name_errors = run_together(THREADS, lambda _i: store.learner("Same Name").id)
        wall = time.perf_counter() - started

        assert own_errors == shared_errors == race_errors == name_errors == []
        acknowledged = [i for ids in own_ids + shared_ids for i in ids]  # type: ignore[union-attr]
        found = [a.id for a in store.answers(shared.id)]
        for attempt in store.attempts(store.learner("Learner 0").id):
            found += [a.id for a in store.answers(attempt.id)]
        for index in range(1, THREADS):
            for attempt in store.attempts(store.learner(f"Learner {index}").id):
                found += [a.id for a in store.answers(attempt.id)]
        assert (
            len(acknowledged)
            == THREADS * ANSWERS_PER_THREAD + SHARED_THREADS * SHARED_ANSWERS_PER_THREAD
        )
        assert sorted(found) == sorted(acknowledged)
        assert max(Counter(found).values()) == 1
        assert len(responses_frame(store, "bank")) == len(acknowledged) + 1
        assert Counter(outcomes) == {"accepted": 1, "refused": THREADS - 1}
        assert len(store.answers(race.id)) == 1
        assert len(set(learners)) == 1

    with capsys.disabled():
        print(
            f"\n[concurrency/{store_url.split(':')[0]}] {THREADS} threads x {ANSWERS_PER_THREAD} "
            f"+ {SHARED_THREADS} x {SHARED_ANSWERS_PER_THREAD} on one attempt: acknowledged "
            f"{len(acknowledged)}, found {len(found)} (each once), same-question race 1 accepted "
            f"/ {THREADS - 1} refused, wall {wall:.2f} s"
        )
