"""The server-wide training queue: bounded concurrency, FIFO order, positions, cancelling."""

import threading
import time

import pytest

from engine.lab.running import run_queue as jobs
from engine.lab.running.run_queue import QueueCancelled, TrainingQueue


def test_second_ticket_waits_in_line_until_the_first_finishes():
    queue = TrainingQueue(max_concurrent=1)
    first, second = queue.enqueue("ann"), queue.enqueue("bob")
    assert queue.try_start(first)
    assert not queue.try_start(second)
    assert (queue.position(first), queue.position(second)) == (0, 1)
    queue.finish(first)
    assert queue.try_start(second)
    assert queue.position(first) == -1


def test_line_is_first_come_first_served_even_when_a_later_ticket_polls_first():
    queue = TrainingQueue(max_concurrent=1)
    a, b, c = (queue.enqueue(o) for o in "abc")
    assert queue.try_start(a)
    queue.finish(a)
    assert not queue.try_start(c)
    assert queue.position(c) == 2
    assert queue.try_start(b)


def test_never_more_than_max_concurrent_run_at_once():
    queue = TrainingQueue(max_concurrent=2)
    active, peak, lock = [0], [0], threading.Lock()

    def learner(name: str) -> None:
        with queue.slot(name):
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            time.sleep(0.02)
            with lock:
                active[0] -= 1

    threads = [threading.Thread(target=learner, args=(f"l{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert peak[0] == 2 and queue.counts() == (0, 0)


def test_cancelling_a_waiting_ticket_removes_it_and_stops_its_wait():
    queue = TrainingQueue(max_concurrent=1)
    running, waiting = queue.enqueue("ann"), queue.enqueue("bob")
    assert queue.try_start(running)
    queue.cancel(waiting)
    assert queue.position(waiting) == -1
    with pytest.raises(QueueCancelled, match="training job 2 was cancelled before it started"):
        queue.wait_turn(waiting)


def test_cancelling_a_running_ticket_raises_its_stop_flag():
    queue = TrainingQueue(max_concurrent=1)
    with queue.slot("ann") as ticket:
        assert not ticket.cancel_requested.is_set()
        queue.cancel(ticket)
        assert ticket.cancel_requested.is_set()


def test_wait_turn_reports_the_position_while_waiting():
    queue = TrainingQueue(max_concurrent=1)
    holder = queue.enqueue("ann")
    queue.try_start(holder)
    seen: list[int] = []
    waiter = queue.enqueue("bob")
    threading.Timer(0.1, queue.finish, args=(holder,)).start()
    queue.wait_turn(waiter, on_wait=seen.append, poll_s=0.02)
    assert seen and set(seen) == {1}
    assert queue.position(waiter) == 0


def test_a_waiting_ticket_nobody_polls_expires():
    queue = TrainingQueue(max_concurrent=1)
    abandoned, live = queue.enqueue("gone"), queue.enqueue("here")
    abandoned.last_seen -= jobs.STALE_AFTER_S + 1  # its tab closed long ago
    assert queue.try_start(live)
    assert queue.position(abandoned) == -1


def test_zero_slots_is_refused():
    with pytest.raises(ValueError, match="max_concurrent must be at least 1; got -1"):
        TrainingQueue(max_concurrent=-1)
