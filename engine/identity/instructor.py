"""The instructor passcode: where it comes from, a constant-time check, and a lockout.

The rule, per client address: the first ``FREE_TRIES - 1`` wrong passcodes cost nothing;
from the ``FREE_TRIES``-th failure on, every failure locks that address out for
``2 ** failures`` seconds (8 s, 16 s, 32 s, ... capped at ``MAX_LOCK_S``). While locked, a
try is refused without looking at it (and does not count), so guessing is no faster than
the lock allows. A right passcode resets the count.

Why per address only: one gate for the whole server let anyone who guessed three times
keep the real instructor out for up to 15 minutes, and a server-wide gate with a larger
allowance let ten addresses do the same (issue 19). Per address, a guesser locks out only
themselves; behind a proxy the address is the browser's (engine.identity.addresses). What
bounds guessing from many addresses is the passcode itself: a long generated one (see the
README) is out of reach of any number of guessers at these rates. A new browser session
does not reset a count: it lives on the server (the database, or this process while the
database is unavailable), never in a session.

Time is passed in (``now``, seconds on a monotonic clock), so the rule is tested without
sleeping and pages never sleep either.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

PASSCODE_ENV = "TUNELAB_INSTRUCTOR_PASSCODE"
PASSCODE_SECRET = "instructor_passcode"
FREE_TRIES = 3
MAX_ADDRESSES = 10_000  # gates remembered at once; the oldest unlocked are forgotten first
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


def lock_seconds(failures: int, free_tries: int = FREE_TRIES) -> float:
    """How long a gate stays locked after ``failures`` consecutive wrong passcodes: nothing
    before ``free_tries``, then 8 s doubling with each failure, up to ``MAX_LOCK_S``."""
    if failures < free_tries:
        return 0.0
    return min(float(2 ** (failures - free_tries + FREE_TRIES)), MAX_LOCK_S)


@dataclass
class PasscodeGate:
    """One failure count and lock; kept server-side (never sent to the browser)."""

    failures: int = 0
    locked_until: float = 0.0
    free_tries: int = FREE_TRIES

    def wait_s(self, now: float) -> float:
        return max(0.0, self.locked_until - now)

    def fail(self, now: float) -> None:
        self.failures += 1
        self.locked_until = now + lock_seconds(self.failures, self.free_tries)

    def reset(self) -> None:
        self.failures, self.locked_until = 0, 0.0

    def attempt(self, given: str, expected: str, *, now: float) -> Verdict:
        """Check ``given`` unless locked; a failure may start (or lengthen) the lock."""
        if self.wait_s(now) > 0:
            return Verdict(Outcome.LOCKED, self.failures, self.wait_s(now))
        if passcode_matches(given, expected):
            self.reset()
            return Verdict(Outcome.ACCEPTED, 0, 0.0)
        self.fail(now)
        return Verdict(Outcome.REFUSED, self.failures, self.wait_s(now))


@dataclass
class GateKeeper:
    """A gate per client address (in this process, while the database is unavailable)."""

    by_address: dict[str, PasscodeGate] = field(default_factory=dict)
    max_addresses: int = MAX_ADDRESSES

    def wait_s(self, address: str, now: float) -> float:
        gate = self.by_address.get(address)
        return gate.wait_s(now) if gate else 0.0

    def attempt(self, address: str, given: str, expected: str, *, now: float) -> Verdict:
        """Check ``given`` from ``address`` unless that address is locked."""
        return self._gate(address, now).attempt(given, expected, now=now)

    def _gate(self, address: str, now: float) -> PasscodeGate:
        gate = self.by_address.get(address)
        if gate is None:
            if len(self.by_address) >= self.max_addresses:
                self._forget_one(now)
            gate = self.by_address[address] = PasscodeGate()
        return gate

    def _forget_one(self, now: float) -> None:
        # Oldest first (dicts keep insertion order); a locked gate is kept while any
        # unlocked one can go, so flooding addresses cannot free a locked guesser.
        victim = next(
            (a for a, g in self.by_address.items() if g.wait_s(now) == 0),
            next(iter(self.by_address)),
        )
        del self.by_address[victim]
