"""Nobody locks anybody out (issue 19): the red team's lock-out attacks, replayed against the
sign-in engine on a simulated clock, and the bound on guessing they must not loosen."""

from __future__ import annotations

import pytest
from helpers.concurrency import run_together
from helpers.store_backends import store_url  # noqa: F401  (fixture)

import engine.identity.signin as signin
from engine.identity.pins import ScryptCost, hash_pin
from engine.identity.signin import (
    SignIn,
    SignInOutcome,
    clear_pin_lock,
    device_token,
    locked_names,
    sign_in_with_pin,
)
from engine.identity.throttle import (
    ADDRESS_FREE_FAILURES,
    ADDRESS_MAX_WAIT_S,
    ADDRESS_MEMORY_S,
    SIGNUP_MAX_WAIT_S,
    SIGNUPS_FREE_PER_ADDRESS,
    Slowdown,
)
from engine.identity.tokens import sign_device_token
from engine.store import Learner, Store
from engine.store.accounts import GateState

NOW = 1_800_000_000.0
CHEAP = ScryptCost(n=2**10, r=8, p=1)
SECRET = "a test signing key"
SCHOOL = "198.51.100.20"  # the class's router: every learner's browser has this address
STRANGER = "203.0.113.66"


@pytest.fixture
def db(store_url, monkeypatch):  # noqa: F811
    """SQLite, and PostgreSQL when TUNELAB_TEST_PG_URL is set (its row locks are what keep
    the class's concurrent sign-ins apart on a cluster)."""
    # New PINs hash cheaply here: these tests count tries, not scrypt's cost.
    monkeypatch.setattr(signin, "hash_pin", lambda pin: hash_pin(pin, CHEAP))
    with Store.open(store_url) as store:
        yield store


def learner_with_pin(db: Store, name: str, pin: str) -> Learner:
    learner = db.learner(name)
    db.accounts().claim(learner.id, hash_pin(pin, CHEAP))
    return learner


def try_pin(
    db: Store, name: str, pin: str, now: float, *, at: str = STRANGER, device: str | None = None
) -> SignIn:
    return sign_in_with_pin(db, name, pin, now=now, address=at, device=device, secret=SECRET)


def owner_device(db: Store, learner: Learner) -> str:
    """The device token the owner's browser got when they signed in there last week."""
    return device_token(learner, SECRET)


# A classmate locked out ------------------------------------------------------------


def test_a_strangers_guesses_never_keep_the_owner_out_of_a_browser_they_signed_in_on(db):
    ada = learner_with_pin(db, "Ada", "ada's pin")
    device = owner_device(db, ada)
    now = NOW
    # The red team's attack: a guess each time the name's lock runs out, for a whole day.
    for _ in range(40):
        guess = try_pin(db, "Ada", "a guess", now)
        now += max(guess.wait_s, 1.0)
        assert try_pin(db, "Ada", "ada's pin", now, at=SCHOOL, device=device).signed_in
    # A browser that never signed in as Ada is held back by the stranger's guesses.
    assert try_pin(db, "Ada", "a guess", now).wait_s == 900.0
    assert try_pin(db, "Ada", "ada's pin", now, at=SCHOOL).outcome is SignInOutcome.LOCKED


def test_the_owners_right_pin_on_their_browser_leaves_the_strangers_count_in_place(db):
    ada = learner_with_pin(db, "Ada", "ada's pin")
    for i in range(3):
        try_pin(db, "Ada", f"guess {i}", NOW)
    assert try_pin(db, "Ada", "ada's pin", NOW + 1, device=owner_device(db, ada)).signed_in
    # Otherwise each of the owner's sign-ins would hand the stranger three fresh tries.
    assert try_pin(db, "Ada", "guess 4", NOW + 2).outcome is SignInOutcome.LOCKED


def test_a_device_token_signed_for_another_learner_or_forged_is_an_unknown_browser(db):
    learner_with_pin(db, "Ada", "ada's pin")
    mallory = learner_with_pin(db, "Mallory", "mallory's pin")
    for i in range(3):
        try_pin(db, "Ada", f"guess {i}", NOW)
    for device in (
        owner_device(db, mallory),  # Mallory's own browser, trusted for Mallory only
        sign_device_token(1, "A" * 22, secret="a guessed key"),
        "d1.1.AAAAAAAAAAAAAAAAAAAAAA.not-a-signature",
    ):
        refused = try_pin(db, "Ada", "another guess", NOW + 1, device=device)
        assert refused.outcome is SignInOutcome.LOCKED


def test_a_device_that_guesses_wrong_is_locked_on_its_own(db):
    ada = learner_with_pin(db, "Ada", "ada's pin")
    device = owner_device(db, ada)
    results = [try_pin(db, "Ada", f"typo {i}", NOW, device=device) for i in range(4)]
    assert [r.outcome for r in results][-1] is SignInOutcome.LOCKED
    # ... and that lock is the device's: another browser's right PIN is not held back.
    assert try_pin(db, "Ada", "ada's pin", NOW + 1, at=SCHOOL).signed_in


def test_an_instructor_clears_a_names_lock_and_the_owner_signs_in_anywhere(db):
    learner_with_pin(db, "Ada", "ada's pin")
    for i in range(3):
        try_pin(db, "Ada", f"guess {i}", NOW)
    assert try_pin(db, "Ada", "ada's pin", NOW + 1, at=SCHOOL).outcome is SignInOutcome.LOCKED
    assert clear_pin_lock(db, " ada ") is not None
    assert try_pin(db, "Ada", "ada's pin", NOW + 1, at=SCHOOL).signed_in
    assert clear_pin_lock(db, "Nobody") is None


def test_the_instructor_sees_which_names_are_locked_and_for_how_long(db):
    for name in ("Ada", "Bob", "Cy"):
        learner_with_pin(db, name, "their pin")
    for i in range(3):
        try_pin(db, "Bob", f"guess {i}", NOW)
    try_pin(db, "Cy", "one slip", NOW)  # a free try: no lock
    for i in range(3):
        try_pin(db, "Ada", f"guess {i}", NOW + 5)  # locked 8 s, until NOW + 13
    try_pin(db, "Bob", "guess 4", NOW + 8)  # a fourth failure: 16 s, until NOW + 24
    locked = locked_names(db, now=NOW + 9)
    assert [(e.learner.name, e.failures, e.wait_s) for e in locked] == [
        ("Bob", 4, 15.0),
        ("Ada", 3, 4.0),
    ]
    clear_pin_lock(db, "Ada")
    assert [e.learner.name for e in locked_names(db, now=NOW + 9)] == ["Bob"]
    assert locked_names(db, now=NOW + 24) == []


# The bound on guessing ---------------------------------------------------------------


def pins_checked_in_an_hour(db: Store, monkeypatch, attack) -> int:
    """How many PINs an optimal guesser gets looked at in one simulated hour: it tries
    again the moment it is allowed to, and ``attack(n)`` says from where and with what."""
    checked: list[str] = []
    real = signin.pin_matches

    def counting(pin: str, stored: str) -> bool:
        checked.append(pin)
        return real(pin, stored)

    monkeypatch.setattr(signin, "pin_matches", counting)
    now, tries = NOW, 0
    while now < NOW + 3600:
        address, device = attack(tries)
        result = try_pin(db, "Ada", f"guess {tries}", now, at=address, device=device)
        tries += 1
        now += result.wait_s if result.wait_s > 0 else 0.001
    return len(checked)


def test_an_optimal_guesser_gets_twelve_pins_checked_per_name_per_hour(db, monkeypatch):
    learner_with_pin(db, "Ada", "ada's pin")
    # From one address; the red team measured 12 before issue 19, and the bound stays.
    assert pins_checked_in_an_hour(db, monkeypatch, lambda n: (STRANGER, None)) == 12


def test_new_addresses_and_the_guessers_own_device_token_buy_no_extra_guesses(db, monkeypatch):
    learner_with_pin(db, "Ada", "ada's pin")
    theirs = owner_device(db, learner_with_pin(db, "Mallory", "mallory's pin"))
    checked = pins_checked_in_an_hour(
        db, monkeypatch, lambda n: (f"10.0.{n // 250}.{n % 250}", theirs if n % 2 else None)
    )
    assert checked == 12


# The whole class locked out -------------------------------------------------------------


def test_throwaway_accounts_with_wrong_pins_refuse_no_classmate(db):
    bob = learner_with_pin(db, "Bob", "bob's pin")
    # The red team's attack: 15 new accounts, two wrong PINs each, from one address.
    for n in range(15):
        assert try_pin(db, f"Throwaway {n}", f"pin of {n}", NOW).outcome is SignInOutcome.CREATED
        for guess in ("wrong 1", "wrong 2"):
            assert not try_pin(db, f"Throwaway {n}", guess, NOW).signed_in  # later ones slowed
    assert try_pin(db, "Bob", "bob's pin", NOW + 1, at=SCHOOL).signed_in
    # Even on the guesser's own network, a name nobody guessed at gets straight in.
    assert try_pin(db, "Bob", "bob's pin", NOW + 1, at=STRANGER).signed_in
    assert bob is not None


def test_an_address_that_keeps_guessing_waits_longer_each_time_up_to_a_minute():
    rule, state, waits = Slowdown(), GateState(), []
    for _ in range(20):
        state = rule.fail(state, NOW)
        waits.append(rule.wait_s(state, NOW))
    assert waits[:ADDRESS_FREE_FAILURES] == [0.0] * ADDRESS_FREE_FAILURES
    assert waits[ADDRESS_FREE_FAILURES:][:6] == [2.0, 4.0, 8.0, 16.0, 32.0, ADDRESS_MAX_WAIT_S]
    assert max(waits) == ADDRESS_MAX_WAIT_S
    assert rule.wait_s(state, NOW + ADDRESS_MEMORY_S) == 0.0  # an hour's silence forgets


def test_a_slowed_address_holds_back_its_guesses_not_its_classmates_or_other_networks(db):
    names = [learner_with_pin(db, f"Target {n}", "their pin").name for n in range(12)]
    for name in names:  # one guess each: 12 wrong PINs from the stranger's address
        assert try_pin(db, name, "a guess", NOW).outcome is SignInOutcome.WRONG_PIN
    slowed = try_pin(db, names[0], "another guess", NOW + 1)
    assert slowed.outcome is SignInOutcome.SLOWED and 0 < slowed.wait_s <= ADDRESS_MAX_WAIT_S
    # Another network guessing at the same name is not slowed by the stranger's address ...
    assert try_pin(db, names[0], "a guess", NOW + 1, at=SCHOOL).outcome is SignInOutcome.WRONG_PIN
    # ... and on the stranger's own network a name without recent failures gets straight in.
    learner_with_pin(db, "Cy", "cy's pin")
    assert try_pin(db, "Cy", "cy's pin", NOW + 1).signed_in
    assert try_pin(db, names[1], "their pin", NOW + 1, at=SCHOOL).signed_in


def test_new_names_from_one_address_are_slowed_after_a_classful_never_refused_for_long(db):
    for n in range(SIGNUPS_FREE_PER_ADDRESS + 1):
        assert try_pin(db, f"New {n}", "a fine pin", NOW).outcome is SignInOutcome.CREATED
    slowed = try_pin(db, "One Too Many", "a fine pin", NOW)
    assert slowed.outcome is SignInOutcome.TOO_MANY_NEW_NAMES and slowed.wait_s == 2.0
    assert try_pin(db, "One Too Many", "a fine pin", NOW, at=SCHOOL).signed_in
    # Names that exist still sign in from the busy address; a new one after the wait.
    assert try_pin(db, "New 0", "a fine pin", NOW).signed_in
    assert try_pin(db, "Patient", "a fine pin", NOW + 2).outcome is SignInOutcome.CREATED
    waits = []
    for n in range(10):
        now = NOW + 1000 * (n + 1)
        waits.append(try_pin(db, f"Spam {n}", "a fine pin", now).wait_s)
        assert try_pin(db, f"Spam {n}", "a fine pin", now + SIGNUP_MAX_WAIT_S).signed_in
    assert max(waits) <= SIGNUP_MAX_WAIT_S


def test_the_servers_own_machine_is_never_slowed_making_names(db):
    # Behind a proxy that is not trusted every browser has this address: a rule for it
    # would be a rule for the whole class.
    for n in range(SIGNUPS_FREE_PER_ADDRESS + 20):
        assert try_pin(db, f"Local {n}", "a fine pin", NOW, at="127.0.0.1").signed_in


def test_a_class_of_40_signs_in_at_once_while_one_address_guesses(db):
    """40 right PINs behind the school's router, in flight together, while a classmate on
    the same router guesses at each of their names until it locks and makes throwaway
    accounts, and a stranger elsewhere guesses too: every one of the 40 gets in."""
    class_size = 40
    learners = [learner_with_pin(db, f"Pupil {n}", f"pin of pupil {n}") for n in range(class_size)]
    devices = [owner_device(db, learner) for learner in learners]
    for learner in learners:  # every name locked by the classmate, before the bell
        for guess in range(3):
            try_pin(db, learner.name, f"guess {guess}", NOW, at=SCHOOL)
    guessers = 20

    def work(index: int) -> SignIn:
        if index < class_size:
            name = f"Pupil {index}"
            return try_pin(
                db, name, f"pin of {name.lower()}", NOW + 1, at=SCHOOL, device=devices[index]
            )
        n = index - class_size
        where = SCHOOL if n % 2 else STRANGER
        return try_pin(
            db, f"Throwaway {n}" if n % 4 == 0 else f"Pupil {n}", "guess", NOW + 1, at=where
        )

    results, errors = run_together(class_size + guessers, work)
    assert errors == []
    assert [r.outcome for r in results[:class_size]] == [SignInOutcome.WELCOME_BACK] * class_size
    assert not any(
        r.signed_in for r in results[class_size:] if r.outcome is not SignInOutcome.CREATED
    )


def test_a_first_lesson_of_40_new_names_from_one_router_all_get_in_while_a_stranger_guesses(db):
    learner_with_pin(db, "Someone", "their pin")

    def work(index: int) -> SignIn:
        if index < 40:
            return try_pin(db, f"First Timer {index}", f"new pin {index}", NOW, at=SCHOOL)
        return try_pin(db, "Someone", f"guess {index}", NOW, at=STRANGER)

    results, errors = run_together(50, work)
    assert errors == []
    assert [r.outcome for r in results[:40]] == [SignInOutcome.CREATED] * 40
