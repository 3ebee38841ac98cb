"""The instructor passcode: configuration, the check and the lockout rule."""

from __future__ import annotations

import pytest

from engine.identity.instructor import (
    FREE_TRIES,
    MAX_LOCK_S,
    GateKeeper,
    Outcome,
    PasscodeGate,
    configured_passcode,
    lock_seconds,
    passcode_matches,
)


def test_passcode_comes_from_secrets_before_the_environment():
    secrets = {"instructor_passcode": "from-secrets"}
    env = {"TUNELAB_INSTRUCTOR_PASSCODE": "from-env"}
    assert configured_passcode(secrets, env) == "from-secrets"
    assert configured_passcode({}, env) == "from-env"
    assert configured_passcode(None, env) == "from-env"


def test_no_passcode_or_a_blank_one_means_not_configured():
    assert configured_passcode(None, {}) is None
    assert configured_passcode({"instructor_passcode": "  "}, {}) is None
    assert configured_passcode({"instructor_passcode": 1234}, {}) is None


def test_passcode_matches_only_the_exact_text_ignoring_surrounding_spaces():
    assert passcode_matches(" open sesame ", "open sesame")
    assert not passcode_matches("open sesam", "open sesame")
    assert not passcode_matches("OPEN SESAME", "open sesame")
    assert passcode_matches("pässwörd", "pässwörd")


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [
        (0, 0),
        (1, 0),
        (2, 0),
        (3, 8),
        (4, 16),
        (5, 32),
        (9, 512),
        (10, MAX_LOCK_S),
        (60, MAX_LOCK_S),
    ],
)
def test_lock_grows_exponentially_after_the_free_tries(failures, seconds):
    assert FREE_TRIES == 3
    assert lock_seconds(failures) == seconds


def test_two_wrong_passcodes_leave_the_gate_open():
    gate = PasscodeGate()
    for n in (1, 2):
        verdict = gate.attempt("wrong", "right", now=100.0)
        assert (verdict.outcome, verdict.failures, verdict.wait_s) == (Outcome.REFUSED, n, 0.0)
    assert gate.attempt("right", "right", now=100.0).outcome is Outcome.ACCEPTED


def test_third_failure_locks_and_even_the_right_passcode_is_refused_until_it_expires():
    gate = PasscodeGate()
    for _ in range(3):
        last = gate.attempt("wrong", "right", now=10.0)
    assert (last.outcome, last.wait_s) == (Outcome.REFUSED, 8.0)
    locked = gate.attempt("right", "right", now=15.0)
    assert (locked.outcome, locked.wait_s, locked.failures) == (Outcome.LOCKED, 3.0, 3)
    assert gate.attempt("right", "right", now=18.0).outcome is Outcome.ACCEPTED


def test_tries_during_a_lock_do_not_count_and_a_later_failure_doubles_the_wait():
    gate = PasscodeGate()
    for _ in range(3):
        gate.attempt("wrong", "right", now=0.0)
    for _ in range(5):
        gate.attempt("wrong", "right", now=1.0)
    assert gate.failures == 3
    verdict = gate.attempt("wrong", "right", now=8.0)
    assert (verdict.failures, verdict.wait_s) == (4, 16.0)


def test_success_resets_the_failure_count():
    gate = PasscodeGate()
    for _ in range(2):
        gate.attempt("wrong", "right", now=0.0)
    gate.attempt("right", "right", now=0.0)
    assert gate.attempt("wrong", "right", now=0.0).failures == 1


# ---------------------------------------------------------------- per address, and the server


def guess_until_locked(keeper: GateKeeper, address: str, now: float) -> None:
    for _ in range(FREE_TRIES):
        keeper.attempt(address, "wrong", "right", now=now)
    assert keeper.wait_s(address, now) > 0


def test_a_guesser_locks_out_only_their_own_address():
    keeper = GateKeeper()
    guess_until_locked(keeper, "203.0.113.7", now=0.0)
    assert keeper.attempt("203.0.113.7", "right", "right", now=1.0).outcome is Outcome.LOCKED
    instructor = keeper.attempt("198.51.100.2", "right", "right", now=1.0)
    assert instructor.outcome is Outcome.ACCEPTED


def test_many_addresses_guessing_never_refuse_the_right_passcode_elsewhere():
    # Issue 19: a server-wide gate let 2 wrong passcodes from each of 10 addresses lock
    # the instructor out; a long generated passcode bounds guessing instead (README).
    keeper = GateKeeper()
    for n in range(10):
        for _ in range(FREE_TRIES - 1):
            assert keeper.attempt(f"10.0.0.{n}", "wrong", "right", now=0.0).outcome is (
                Outcome.REFUSED
            )
    assert keeper.wait_s("10.0.1.1", 0.0) == 0.0
    assert keeper.attempt("10.0.1.1", "right", "right", now=1.0).outcome is Outcome.ACCEPTED


def test_flooding_new_addresses_does_not_forget_a_locked_guesser():
    keeper = GateKeeper(max_addresses=4)
    guess_until_locked(keeper, "guesser", now=0.0)
    for n in range(50):
        keeper.attempt(f"flood-{n}", "wrong", "right", now=1.0)
    assert len(keeper.by_address) <= 4
    assert "guesser" in keeper.by_address
    assert keeper.attempt("guesser", "right", "right", now=2.0).outcome is Outcome.LOCKED
