"""The instructor passcode: where it comes from, a constant-time check, and a lockout.

The rule: the first ``FREE_TRIES - 1`` wrong passcodes cost nothing; from the
``FREE_TRIES``-th failure on, every failure locks the gate for ``2 ** failures`` seconds
(8 s, 16 s, 32 s, ... capped at ``MAX_LOCK_S``). While locked, a try is refused without
looking at it (and does not count), so guessing is no faster than the lock allows. A
right passcode resets the count. Time is passed in (``now``, seconds on a monotonic
clock), so the rule is tested without sleeping and pages never sleep either.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

PASSCODE_ENV = "TUNELAB_INSTRUCTOR_PASSCODE"
PASSCODE_SECRET = "instructor_passcode"
FREE_TRIES = 3
MAX_LOCK_S = 900.0


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"  # wrong passcode
    LOCKED = "locked"  # not even checked: the gate is locked for a while


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    failures: int
    wait_s: float  # seconds until the next try will be looked at (0: now)


def configured_passcode(
    secrets: Mapping[str, object] | None, env: Mapping[str, str] = os.environ
) -> str | None:
    """The passcode from Streamlit secrets, else the environment; None if neither is set."""
    for value in ((secrets or {}).get(PASSCODE_SECRET), env.get(PASSCODE_ENV)):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def passcode_matches(given: str, expected: str) -> bool:
    """Compare in constant time, so response timing does not leak how much was right."""
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def lock_seconds(failures: int) -> float:
    """How long the gate stays locked after ``failures`` consecutive wrong passcodes."""
    if failures < FREE_TRIES:
        return 0.0
    return min(float(2**failures), MAX_LOCK_S)


@dataclass
class PasscodeGate:
    """One session's failure count and lock; kept server-side (never sent to the browser)."""

    failures: int = 0
    locked_until: float = 0.0

    def wait_s(self, now: float) -> float:
        return max(0.0, self.locked_until - now)

    def attempt(self, given: str, expected: str, *, now: float) -> Verdict:
        """Check ``given`` unless locked; a failure may start (or lengthen) the lock."""
        if self.wait_s(now) > 0:
            return Verdict(Outcome.LOCKED, self.failures, self.wait_s(now))
        if passcode_matches(given, expected):
            self.failures, self.locked_until = 0, 0.0
            return Verdict(Outcome.ACCEPTED, 0, 0.0)
        self.failures += 1
        self.locked_until = now + lock_seconds(self.failures)
        return Verdict(Outcome.REFUSED, self.failures, self.wait_s(now))
