"""Wrong-guess gates kept in the database, so every server counts the same guesses.

Two rules. `Escalating` is the instructor passcode's (a few free tries, then a lock that
doubles, see engine.identity.instructor); it also holds per learner name for browsers that
never signed in as that name, and per trusted browser. `Slowdown` makes one address that
keeps guessing (or making new names) wait longer and longer, never forever and never
anyone else.

No gate is server-wide: a server-wide lock let one guesser (with a few throwaway accounts)
refuse the right PIN or passcode to everyone. The bound on guessing is per name (about a
dozen PINs checked per name per hour, tests/identity/test_identity_lockout.py) and per address.

An escalating try is counted *before* the secret is checked and forgiven if it was right,
so concurrent tries at one name (several sessions, several servers) cannot all spend the
same free try. A slowdown try is counted only once it proved wrong: counted before, the
class signing in at nine o'clock behind one router (40 right PINs being hashed at once)
would fill its address's count with tries in flight and slow the rest, all of them right.
The cost is that wrong guesses in flight together may pass the slowdown by as many as are
in flight, each still bounded by its own name's escalating gate. Time is seconds since the
epoch, passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from engine.identity.instructor import FREE_TRIES, Outcome, Verdict, lock_seconds
from engine.store.accounts import Accounts, GateState

# One address's wrong PINs: this many in an hour cost nothing (a class behind one school
# router mistypes too), then each makes the next try from there wait 2 s, 4 s ... 60 s.
ADDRESS_FREE_FAILURES = 10
ADDRESS_MAX_WAIT_S = 60.0
ADDRESS_MEMORY_S = 3600.0  # an hour without a wrong PIN from there and it starts afresh
# New names made from one address: this many an hour cost nothing (a whole class's first
# lesson behind one router fits), then each makes the next wait 2 s, 4 s ... 60 s.
SIGNUPS_FREE_PER_ADDRESS = 50
SIGNUP_MAX_WAIT_S = 60.0


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
class Slowdown:
    """Failures counted after the check (right tries in flight never fill it) and never
    forgiven by a right one (a guesser's own account would wipe its count): the wait grows
    with the failures and is capped, so an address is slowed, never shut out for long.

    ``enforced=False`` counts without holding anyone back (see engine.identity.signin)."""

    free_failures: int = ADDRESS_FREE_FAILURES
    max_wait_s: float = ADDRESS_MAX_WAIT_S
    memory_s: float = ADDRESS_MEMORY_S
    enforced: bool = True
    counted_before_check: bool = False

    def wait_s(self, state: GateState, now: float) -> float:
        if not self.enforced or now >= state.window_start + self.memory_s:
            return 0.0
        return max(0.0, state.locked_until - now)

    def fail(self, state: GateState, now: float) -> GateState:
        # window_start holds the time of the last failure: the count fades after silence.
        fresh = now >= state.window_start + self.memory_s
        failures = 1 if fresh else state.failures + 1
        over = failures - self.free_failures
        wait = 0.0 if over <= 0 else min(float(2**over), self.max_wait_s)
        return GateState(failures, now + wait, now)

    def forgive(self, state: GateState) -> GateState:
        return state


def signup_rule() -> Slowdown:
    return Slowdown(free_failures=SIGNUPS_FREE_PER_ADDRESS, max_wait_s=SIGNUP_MAX_WAIT_S)


def name_gate(name_key: str) -> str:
    return f"pin:name:{name_key}"[:200]


def device_gate(device_id: str) -> str:
    return f"pin:device:{device_id}"[:200]


def address_gate(address: str) -> str:
    return f"pin:address:{address}"[:200]


def signup_gate(address: str) -> str:
    return f"signup:address:{address}"[:200]


def pin_rules(
    name_key: str,
    *,
    address: str | None = None,
    device_id: str | None = None,
    slow_address: bool = True,
) -> dict[str, Rule]:
    """The gates one PIN try passes, the one whose count is reported first.

    A browser that signed in as this learner before (``device_id``, from its device
    token) has a gate of its own, so a stranger's guesses at the name never hold it back
    (OWASP's "device cookies"); any other browser shares the name's gate. The address's
    slowdown counts every wrong PIN from there and, with ``slow_address``, holds tries back.
    ``address`` None: a caller that is not a browser (the command line, tests, benches)."""
    first = device_gate(device_id) if device_id else name_gate(name_key)
    rules: dict[str, Rule] = {first: Escalating()}
    if address is not None:
        rules[address_gate(address)] = Slowdown(enforced=slow_address and not device_id)
    return rules


def passcode_rules(address: str) -> dict[str, Rule]:
    # Per address only: a long generated passcode (README) makes guessing it hopeless
    # without a server-wide lock, which let ten addresses lock the instructor out.
    return {f"passcode:address:{address}"[:200]: Escalating()}


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
