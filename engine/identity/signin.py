"""Name + PIN sign-in and the tokens that keep a learner signed in across reloads.

Typing a name proves nothing: a name with a PIN needs that PIN; a new name is created with
the PIN typed; a name recorded before PINs existed (or whose PIN an instructor reset) is
claimed by the first sign-in that sets a PIN, and the page says so.

Wrong guesses are throttled so that they never refuse the innocent (issue 19): the right
PIN for a name without recent failures is always checked; a browser that signed in as the
name before (its device token) has its own gate, so a stranger's guesses never keep the
owner out there; one address that keeps guessing is slowed, not the class behind the same
router; and an instructor can clear a name's lock. New names are throttled per address.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import ParamSpec

from engine.identity.addresses import is_this_machine
from engine.identity.instructor import Outcome
from engine.identity.pins import check_new_pin, hash_pin, pin_matches
from engine.identity.throttle import (
    ADDRESS_MEMORY_S,
    Escalating,
    guarded,
    name_gate,
    pin_rules,
    signup_gate,
    signup_rule,
    wait_s,
)
from engine.identity.tokens import (
    TokenRefused,
    read_device_token,
    read_token,
    sign_device_token,
    sign_token,
)
from engine.store import Learner, Store
from engine.store.accounts import NO_PIN
from engine.store.models import clean_display_name, display_name_key

P = ParamSpec("P")
log = logging.getLogger(__name__)

TOKEN_SECRET_ENV = "TUNELAB_TOKEN_SECRET"
TOKEN_SECRET_KEY = "token_secret"  # in .streamlit/secrets.toml
_STORED_SECRET = "token_signing_key"


class SignInOutcome(StrEnum):
    WELCOME_BACK = "welcome_back"  # the right PIN for a name that has one
    CREATED = "created"  # a new name, with the PIN just chosen
    CLAIMED = "claimed"  # a name without a PIN (older record or a reset) now has one
    WRONG_PIN = "wrong_pin"
    LOCKED = "locked"  # not even checked: too many wrong PINs at this name for now
    SLOWED = "slowed"  # not even checked: too many wrong PINs from this address for now
    TOO_MANY_NEW_NAMES = "too_many_new_names"  # from this address, for now


@dataclass(frozen=True)
class SignIn:
    outcome: SignInOutcome
    learner: Learner | None = None
    failures: int = 0
    wait_s: float = 0.0

    @property
    def signed_in(self) -> bool:
        return self.learner is not None


def token_secret(
    db: Store, configured: Mapping[str, object] | None = None, env: Mapping[str, str] = os.environ
) -> str:
    """The signing key: secrets.toml's `token_secret`, else $TUNELAB_TOKEN_SECRET, else one
    generated once and kept in the database so every server signs and checks alike."""
    for value in ((configured or {}).get(TOKEN_SECRET_KEY), env.get(TOKEN_SECRET_ENV)):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return db.accounts().server_secret(_STORED_SECRET, lambda: secrets.token_urlsafe(32))


def _logged(sign_in: Callable[P, SignIn]) -> Callable[P, SignIn]:
    """The sign-in's outcome in the log: who and from where, never the PIN or a token."""

    @functools.wraps(sign_in)
    def logged(*args: P.args, **kwargs: P.kwargs) -> SignIn:
        result = sign_in(*args, **kwargs)
        learner = result.learner.id if result.learner else None
        level = logging.INFO if learner is not None else logging.WARNING
        address = kwargs.get("address")
        log.log(level, "sign-in %s: learner %s from %s", result.outcome.value, learner, address)
        return result

    return logged


@_logged
def sign_in_with_pin(
    db: Store,
    name: str,
    pin: str,
    *,
    now: float,
    address: str | None = None,
    device: str | None = None,
    secret: str | None = None,
) -> SignIn:
    """Check (or, for a name without one, set) the PIN; ValueError for an unusable name or
    new PIN, with what to change.

    ``address`` is the browser's (engine.identity.addresses); None for callers that are no
    browser (the command line, tests, benches), which pass no per-address gate.
    ``device`` is the device token the browser holds, if any, checked with ``secret``."""
    cleaned = clean_display_name(name)
    key = display_name_key(cleaned)
    accounts = db.accounts()
    found: dict[str, SignIn] = {}
    existing = db.learner_by_key(key)
    # This machine's address is exempt: there it stands for every browser behind an
    # untrusted proxy, and slowing it would slow the whole class's first sign-in.
    count_signups = address is not None and not is_this_machine(address)
    if existing is None and count_signups:
        assert address is not None
        wait = wait_s(accounts, {signup_gate(address): signup_rule()}, now=now)
        if wait > 0:
            return SignIn(SignInOutcome.TOO_MANY_NEW_NAMES, None, 0, wait)

    def check() -> bool:
        learner = db.learner_by_key(key)
        credential = None if learner is None else accounts.credential(learner.id)
        if learner is not None and credential is not None and credential.pin_hash != NO_PIN:
            ok = pin_matches(pin, credential.pin_hash)
            if ok:
                found["result"] = SignIn(SignInOutcome.WELCOME_BACK, learner)
            return ok
        new_hash = hash_pin(check_new_pin(pin))
        outcome = SignInOutcome.CREATED if learner is None else SignInOutcome.CLAIMED
        learner = learner or db.learner(cleaned)
        if accounts.claim(learner.id, new_hash) is None:
            return False  # another browser claimed it a moment ago, with its own PIN
        found["result"] = SignIn(outcome, learner)
        return True

    device_id = _trusted_device(device, secret, existing)
    rules = pin_rules(
        key,
        address=address,
        device_id=device_id,
        slow_address=_recently_failed(db, key, now),
    )
    verdict = guarded(accounts, rules, check, now=now)
    if verdict.outcome is Outcome.ACCEPTED:
        result = found["result"]
        if result.outcome is SignInOutcome.CREATED and count_signups:
            assert address is not None
            _count_signup(db, address, now)
        return result
    if verdict.outcome is Outcome.LOCKED:
        held_by_name = wait_s(accounts, {next(iter(rules)): Escalating()}, now=now) > 0
        outcome = SignInOutcome.LOCKED if held_by_name else SignInOutcome.SLOWED
        return SignIn(outcome, None, verdict.failures, verdict.wait_s)
    return SignIn(SignInOutcome.WRONG_PIN, None, verdict.failures, verdict.wait_s)


def _trusted_device(device: str | None, secret: str | None, learner: Learner | None) -> str | None:
    """The device id of a device token signed for this very learner, else None."""
    if device is None or secret is None or learner is None:
        return None
    claims = read_device_token(device, secret=secret)
    return claims.device_id if claims is not None and claims.learner_id == learner.id else None


def _recently_failed(db: Store, key: str, now: float) -> bool:
    # A name without a wrong PIN in the last hour is never slowed down by its address: the
    # class behind one router signs in whatever a classmate there is guessing.
    # Read without the write lock: at worst a try in flight with the first failure at this
    # name skips the address's slowdown once; the name's own gate still counts it exactly.
    state = db.accounts().gate_state(name_gate(key))
    return state.failures > 0 and now < state.window_start + ADDRESS_MEMORY_S


def _count_signup(db: Store, address: str, now: float) -> None:
    gate, rule = signup_gate(address), signup_rule()
    db.accounts().update_gates([gate], lambda states: (None, {gate: rule.fail(states[gate], now)}))


def device_token(learner: Learner, secret: str, held: str | None = None) -> str:
    """The device token this browser keeps for ``learner``: the one it holds when that was
    signed for them (its gate keeps its count), else a new one."""
    claims = None if held is None else read_device_token(held, secret=secret)
    if held is not None and claims is not None and claims.learner_id == learner.id:
        return held
    return sign_device_token(learner.id, secrets.token_urlsafe(16), secret=secret)


@dataclass(frozen=True)
class LockedName:
    learner: Learner
    failures: int
    wait_s: float


def locked_names(db: Store, *, now: float) -> list[LockedName]:
    """The names that browsers which never signed in with them must wait for, longest
    wait first (for the instructor's Learners page)."""
    prefix = name_gate("")
    locked = db.accounts().locked_gates(prefix, now)
    found = []
    for gate, state in locked.items():
        learner = db.learner_by_key(gate.removeprefix(prefix))
        if learner is not None:
            found.append(LockedName(learner, state.failures, state.locked_until - now))
    return sorted(found, key=lambda locked: -locked.wait_s)


def clear_pin_lock(db: Store, name: str) -> Learner | None:
    """An instructor's unlock: the name's wrong-PIN count starts afresh (a stranger's
    guesses, or a learner who forgot and has remembered). None when no learner has that
    name."""
    key = display_name_key(clean_display_name(name))
    learner = db.learner_by_key(key)
    if learner is not None:
        db.accounts().forget_gate(name_gate(key))
    return learner


def issue_token(db: Store, learner: Learner, secret: str, *, now: float) -> str:
    credential = db.accounts().credential(learner.id)
    if credential is None or credential.pin_hash == NO_PIN:
        raise ValueError(f"Learner {learner.id} has no PIN, so no token can stand for them.")
    return sign_token(learner.id, credential.generation, secret=secret, now=now)


def learner_from_token(db: Store, token: str, secret: str, *, now: float) -> Learner:
    """The learner a valid token stands for, else TokenRefused (a PIN reset revokes)."""
    try:
        claims = read_token(token, secret=secret, now=now)
    except TokenRefused as refused:
        log.info("sign-in token refused: %s", refused)
        raise
    credential = db.accounts().credential(claims.learner_id)
    if credential is None or credential.generation != claims.generation:
        log.info("sign-in token refused: learner %s's links were revoked", claims.learner_id)
        raise TokenRefused(
            "The sign-in link was revoked (signed out, or the PIN was reset): sign in again."
        )
    learner = db.get_learner(claims.learner_id)
    if learner is None:
        raise TokenRefused("The sign-in link names nobody this server knows.")
    return learner


def reset_pin(db: Store, name: str) -> Learner | None:
    """An instructor's reset: the learner's next sign-in chooses a new PIN; old tokens stop
    working. None when no learner has that name."""
    learner = db.learner_by_key(display_name_key(clean_display_name(name)))
    if learner is not None:
        db.accounts().reset_pin(learner.id)
    return learner


def revoke_tokens(db: Store, learner_id: int) -> None:
    """Revoke the learner's tokens, so a copied or bookmarked link signs nobody in any more
    (on every device: one generation counter per learner, kept in the database)."""
    db.accounts().revoke_tokens(learner_id)
