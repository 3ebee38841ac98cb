"""Wrong-guess gates kept in the database, so every server counts the same guesses.

Two rules: `Escalating` is the instructor passcode's (a few free tries, then a lock that
doubles, see engine.instructor_auth) and also holds per learner name; `Windowed` bounds a
whole server to a number of wrong guesses per window, however many names or addresses
they are spread over. A try is counted *before* the secret is checked and forgiven if it
was right, so concurrent tries (several sessions, several servers) cannot all spend the
same free try. Time is seconds since the epoch, passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from engine.instructor_auth import FREE_TRIES, SERVER_FREE_TRIES, Outcome, Verdict, lock_seconds
from engine.store.accounts import Accounts, GateState

SERVER_PIN_FAILURES = 30  # wrong PINs per window, all names together
SERVER_PIN_WINDOW_S = 60.0


class Rule(Protocol):
    def wait_s(self, state: GateState, now: float) -> float: ...
    def fail(self, state: GateState, now: float) -> GateState: ...
    def forgive(self, state: GateState) -> GateState: ...


@dataclass(frozen=True)
class Escalating:
    free_tries: int = FREE_TRIES

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

    def reserve(states: dict[str, GateState]) -> tuple[Verdict, dict[str, GateState]]:
        wait = max(rule.wait_s(states[gate], now) for gate, rule in rules.items())
        if wait > 0:
            return Verdict(Outcome.LOCKED, states[first].failures, wait), {}
        after = {gate: rule.fail(states[gate], now) for gate, rule in rules.items()}
        wait_after = max(rule.wait_s(after[gate], now) for gate, rule in rules.items())
        return Verdict(Outcome.REFUSED, after[first].failures, wait_after), after

    def forgive(states: dict[str, GateState]) -> tuple[None, dict[str, GateState]]:
        return None, {gate: rule.forgive(states[gate]) for gate, rule in rules.items()}

    verdict = accounts.update_gates(rules, reserve)
    if verdict.outcome is Outcome.LOCKED:
        return verdict
    try:
        passed = check()
    except ValueError:
        # Not a guess (an unusable new PIN, say): give the reserved try back.
        accounts.update_gates(rules, forgive)
        raise
    if not passed:
        return verdict
    accounts.update_gates(rules, forgive)
    return Verdict(Outcome.ACCEPTED, 0, 0.0)


def wait_s(accounts: Accounts, rules: Mapping[str, Rule], *, now: float) -> float:
    """Seconds until the next try is looked at (0: now), changing nothing."""

    def peek(states: dict[str, GateState]) -> tuple[float, dict[str, GateState]]:
        return max(rule.wait_s(states[gate], now) for gate, rule in rules.items()), {}

    return accounts.update_gates(rules, peek)
