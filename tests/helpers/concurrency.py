"""Threads started together at one barrier, for tests of concurrent sign-ins and writes."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_together(
    count: int, work: Callable[[int], object]
) -> tuple[list[object], list[BaseException]]:
    """Start ``count`` threads at one barrier; return their results and any exceptions."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count
    errors: list[BaseException] = []

    def body(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except BaseException as exc:  # collected: a thread's error must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
