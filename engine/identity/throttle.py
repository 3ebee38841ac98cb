"""Wrong-guess gates kept in the database, so every server counts the same guesses.

Two rules: `Escalating` is the instructor passcode's (a few free tries, then a lock that
doubles, see engine.identity.instructor) and also holds per learner name; `Windowed` bounds a
whole server to a number of wrong guesses per window, however many names or addresses
they are spread over.

An escalating try is counted *before* the secret is checked and forgiven if it was right,
so concurrent tries at one name (several sessions, several servers) cannot all spend the
same free try. A windowed try is counted only once it proved wrong: counted before, the
class signing in at nine o'clock (40 right PINs being hashed at once) would fill the
server's window with tries in flight and lock out the rest, all of them right. The cost is
that wrong guesses in flight together may pass the window by as many as are in flight,
each still bounded by its own name's escalating gate. Time is seconds since the epoch,
passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from engine.identity.instructor import FREE_TRIES, SERVER_FREE_TRIES, Outcome, Verdict, lock_seconds
from engine.store.accounts import Accounts, GateState

SERVER_PIN_FAILURES = 30  # wrong PINs per window, all names together
SERVER_PIN_WINDOW_S = 60.0


class Rule(Protocol):
    @property
    def counted_before_check(self) -> bool: ...
    def wait_s(self, state: GateState, now: float) -> float: ...
    def fail(self, state: GateState, now: float) -> GateState: ...
    def forgive(self, state: GateState) -> GateState: ...


@dataclass(frozen=True)
class Escalating:
    free_tries: int = FREE_TRIES
    counted_before_check: bool = True

    def wait_s(self, state: GateState, now: float) -> float:
        return max(0.0, state.locked_until - now)

    def fail(self, state: GateState, now: float) -> GateState:
        failures = state.failures + 1
        return GateState(failures, now + lock_seconds(failures, self.free_tries), now)

    def forgive(self, state: GateState) -> GateState:
        return GateState()


@dataclass(frozen=True)
class Windowed:
    limit: int = SERVER_PIN_FAILURES
    window_s: float = SERVER_PIN_WINDOW_S
    counted_before_check: bool = False

    def _current(self, state: GateState, now: float) -> GateState:
        return state if now < state.window_start + self.window_s else GateState(0, 0.0, now)

    def wait_s(self, state: GateState, now: float) -> float:
        current = self._current(state, now)
        if current.failures < self.limit:
            return 0.0
        return current.window_start + self.window_s - now

    def fail(self, state: GateState, now: float) -> GateState:
        current = self._current(state, now)
        return GateState(current.failures + 1, 0.0, current.window_start)

    def forgive(self, state: GateState) -> GateState:
        return GateState(max(0, state.failures - 1), state.locked_until, state.window_start)


def pin_rules(name_key: str) -> dict[str, Rule]:
    return {f"pin:name:{name_key}": Escalating(), "pin:server": Windowed()}


def passcode_rules(address: str) -> dict[str, Rule]:
    return {
        f"passcode:address:{address}"[:200]: Escalating(),
        "passcode:server": Escalating(SERVER_FREE_TRIES),
    }


def guarded(
    accounts: Accounts, rules: Mapping[str, Rule], check: Callable[[], bool], *, now: float
) -> Verdict:
    """Run ``check`` unless a gate is locked; count it as a failure unless it passes.

    The first rule is the one whose count the verdict reports (the name's, the address's)."""
    first = next(iter(rules))
    before = {gate: rule for gate, rule in rules.items() if rule.counted_before_check}
    after = {gate: rule for gate, rule in rules.items() if not rule.counted_before_check}

    def waiting(states: Mapping[str, GateState]) -> float:
        return max(rule.wait_s(states[gate], now) for gate, rule in rules.items())

    def reserve(states: dict[str, GateState]) -> tuple[Verdict, dict[str, GateState]]:
        wait = waiting(states)
        if wait > 0:
            return Verdict(Outcome.LOCKED, states[first].failures, wait), {}
        counted = {gate: rule.fail(states[gate], now) for gate, rule in before.items()}
        failures = counted[first].failures if first in counted else states[first].failures
        return Verdict(Outcome.REFUSED, failures, waiting(states | counted)), counted

    def record_failure(states: dict[str, GateState]) -> tuple[float, dict[str, GateState]]:
        counted = {gate: rule.fail(states[gate], now) for gate, rule in after.items()}
        return waiting(states | counted), counted

    def forgive(states: dict[str, GateState]) -> tuple[None, dict[str, GateState]]:
        return None, {gate: rule.forgive(states[gate]) for gate, rule in before.items()}

    verdict = accounts.update_gates(rules, reserve)
    if verdict.outcome is Outcome.LOCKED:
        return verdict
    try:
        passed = check()
    except ValueError:
        # Not a guess (an unusable new PIN, say): give the reserved try back.
        accounts.update_gates(rules, forgive)
        raise
    if passed:
        accounts.update_gates(rules, forgive)
        return Verdict(Outcome.ACCEPTED, 0, 0.0)
    if not after:
        return verdict
    wait = accounts.update_gates(rules, record_failure)
    failures = verdict.failures + (1 if first in after else 0)
    return Verdict(Outcome.REFUSED, failures, max(verdict.wait_s, wait))


def wait_s(accounts: Accounts, rules: Mapping[str, Rule], *, now: float) -> float:
    """Seconds until the next try is looked at (0: now), changing nothing."""

    def peek(states: dict[str, GateState]) -> tuple[float, dict[str, GateState]]:
        return max(rule.wait_s(states[gate], now) for gate, rule in rules.items()), {}

    return accounts.update_gates(rules, peek)
