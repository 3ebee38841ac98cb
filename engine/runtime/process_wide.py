"""One object per server process, made on first use: the CPU budget, the training queue and
the sandbox pool are each shared by every session the process serves."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

Shared = TypeVar("Shared")


def process_wide(make: Callable[[], Shared]) -> Callable[[], Shared]:
    """`make` wrapped so that every call in this process returns what its first call made.

    Under a lock rather than functools.cache, which may call `make` twice when two sessions
    ask at once: two CPU budgets would each believe every core was theirs.
    """
    lock = threading.Lock()
    made: list[Shared] = []

    @functools.wraps(make)
    def shared() -> Shared:
        with lock:
            if not made:
                made.append(make())
            return made[0]

    return shared
