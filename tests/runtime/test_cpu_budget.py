"""The server's CPU budget: lab training and the code sandbox each hold a slot while they
compute, so together they never ask for more cores than the budget has."""

from __future__ import annotations

import threading
import time

import pytest

from engine.codecheck.grade import grade_code
from engine.lab.running.run_queue import TrainingQueue
from engine.runtime.cpu_budget import CpuBudget
from engine.sandbox.pool import SandboxPool
from tests.helpers.sandbox_pool import TEST_LIMITS, exercises, solution


def test_a_budget_hands_out_at_most_its_slots_and_takes_them_back():
    budget = CpuBudget(2)
    assert budget.acquire(timeout=0) and budget.acquire(timeout=0)
    assert budget.in_use == 2
    assert not budget.acquire(timeout=0.01)
    budget.release()
    assert budget.in_use == 1
    assert budget.acquire(timeout=0)


def test_releasing_a_slot_never_taken_is_an_error():
    with pytest.raises(RuntimeError, match="never taken"):
        CpuBudget(1).release()


def test_a_budget_needs_a_slot():
    with pytest.raises(ValueError, match="at least 1 slot; got 0"):
        CpuBudget(0)


def test_a_training_run_holds_a_budget_slot_until_it_ends():
    budget = CpuBudget(2)
    queue = TrainingQueue(max_concurrent=1, budget=budget)
    with queue.slot("ada"):
        assert budget.in_use == 1
    assert budget.in_use == 0


@pytest.mark.slow
def test_code_waits_in_the_queue_while_training_holds_the_only_cpu_slot():
    budget = CpuBudget(1)
    queue = TrainingQueue(max_concurrent=1, budget=budget)
    pool = SandboxPool(size=1, limits=TEST_LIMITS, budget=budget)
    pool.start()
    try:
        exercise = exercises()["freeze_all_but_fc"]
        training_ends = threading.Event()
        training_started = threading.Event()

        def train() -> None:
            with queue.slot("ada"):
                training_started.set()
                training_ends.wait(60)

        trainer = threading.Thread(target=train)
        trainer.start()
        training_started.wait(10)
        ticket = pool.submit(
            {
                "exercise": exercise.model_dump(mode="json"),
                "code": solution(exercise.id, "reference"),
            }
        )
        time.sleep(1.5)  # several budget polls: the worker must still not have started it
        assert not ticket.running and ticket.position == 0
        training_ends.set()
        trainer.join(10)
        ticket.result(timeout=60)
        assert ticket.running
        # And the plain path grades once the slot is free.
        assert grade_code(exercise, solution(exercise.id, "reference"), pool).score == 1.0
    finally:
        pool.close()
    assert budget.in_use == 0
