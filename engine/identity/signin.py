"""Name + PIN sign-in and the tokens that keep a learner signed in across reloads.

Typing a name proves nothing: a name with a PIN needs that PIN; a new name is created with
the PIN typed; a name recorded before PINs existed (or whose PIN an instructor reset) is
claimed by the first sign-in that sets a PIN, and the page says so.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from engine.identity.instructor import Outcome
from engine.identity.pins import check_new_pin, hash_pin, pin_matches
from engine.identity.throttle import guarded, pin_rules
from engine.identity.tokens import TokenRefused, read_token, sign_token
from engine.store import Learner, Store
from engine.store.accounts import NO_PIN
from engine.store.models import clean_display_name, display_name_key

TOKEN_SECRET_ENV = "TUNELAB_TOKEN_SECRET"
TOKEN_SECRET_KEY = "token_secret"  # in .streamlit/secrets.toml
_STORED_SECRET = "token_signing_key"


class SignInOutcome(StrEnum):
    WELCOME_BACK = "welcome_back"  # the right PIN for a name that has one
    CREATED = "created"  # a new name, with the PIN just chosen
    CLAIMED = "claimed"  # a name without a PIN (older record or a reset) now has one
    WRONG_PIN = "wrong_pin"
    LOCKED = "locked"  # not even checked: too many wrong PINs for now


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


def sign_in_with_pin(db: Store, name: str, pin: str, *, now: float) -> SignIn:
    """Check (or, for a name without one, set) the PIN; ValueError for an unusable name or
    new PIN, with what to change. Every try passes the per-name and server-wide gates."""
    cleaned = clean_display_name(name)
    key = display_name_key(cleaned)
    accounts = db.accounts()
    found: dict[str, SignIn] = {}

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

    verdict = guarded(accounts, pin_rules(key), check, now=now)
    if verdict.outcome is Outcome.ACCEPTED:
        return found["result"]
    outcome = SignInOutcome.LOCKED if verdict.outcome is Outcome.LOCKED else SignInOutcome.WRONG_PIN
    return SignIn(outcome, None, verdict.failures, verdict.wait_s)


def issue_token(db: Store, learner: Learner, secret: str, *, now: float) -> str:
    credential = db.accounts().credential(learner.id)
    if credential is None or credential.pin_hash == NO_PIN:
        raise ValueError(f"Learner {learner.id} has no PIN, so no token can stand for them.")
    return sign_token(learner.id, credential.generation, secret=secret, now=now)


def learner_from_token(db: Store, token: str, secret: str, *, now: float) -> Learner:
    """The learner a valid token stands for, else TokenRefused (a PIN reset revokes)."""
    claims = read_token(token, secret=secret, now=now)
    credential = db.accounts().credential(claims.learner_id)
    if credential is None or credential.generation != claims.generation:
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
