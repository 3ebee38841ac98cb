"""Learners known by an OpenID Connect provider, and who among them is an instructor.

The identity is the provider's issuer and subject (never a name or email a person can
change). Its learner key starts with a tab, which `clean_display_name` refuses, so no
typed name can ever reach (or claim) a provider's learner.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from engine.store import Learner, Store
from engine.store.models import DISPLAY_NAME_MAX

INSTRUCTORS_SECTION = "instructors"  # [instructors] in .streamlit/secrets.toml
INSTRUCTOR_EMAILS_ENV = "TUNELAB_INSTRUCTOR_EMAILS"  # comma-separated
# For a provider that only ever issues addresses it verified and so sends no
# `email_verified` claim: "1" (or `trust_unverified_email = true` under [instructors]).
TRUST_UNVERIFIED_EMAIL_ENV = "TUNELAB_TRUST_UNVERIFIED_EMAIL"


@dataclass(frozen=True)
class InstructorAllowlist:
    emails: frozenset[str] = frozenset()
    role_claim: str | None = None  # e.g. "roles" or "groups"
    role: str | None = None  # the value in that claim that makes an instructor
    # False: an email counts only with `email_verified` true. True: only an explicit
    # `email_verified: false` refuses it (providers that never send the claim).
    trust_unverified_email: bool = False

    @property
    def empty(self) -> bool:
        return not self.emails and not (self.role_claim and self.role)


def allowlist_from_config(
    section: Mapping[str, object] | None, env: Mapping[str, str] = os.environ
) -> InstructorAllowlist:
    """`[instructors] emails = [...]`, `role_claim = "roles"`, `role = "instructor"`,
    `trust_unverified_email = true`, plus $TUNELAB_INSTRUCTOR_EMAILS and
    $TUNELAB_TRUST_UNVERIFIED_EMAIL; emails compare case-insensitively."""
    section = section or {}
    listed = section.get("emails") or []
    emails = [e for e in listed if isinstance(e, str)] if isinstance(listed, list) else []
    emails += env.get(INSTRUCTOR_EMAILS_ENV, "").split(",")
    role_claim, role = section.get("role_claim"), section.get("role")
    trust = section.get("trust_unverified_email") is True or env.get(
        TRUST_UNVERIFIED_EMAIL_ENV, ""
    ).strip().lower() in {"1", "true", "yes"}
    return InstructorAllowlist(
        frozenset(e.strip().casefold() for e in emails if e.strip()),
        role_claim if isinstance(role_claim, str) and role_claim else None,
        role if isinstance(role, str) and role else None,
        trust,
    )


def is_instructor(claims: Mapping[str, object], allowlist: InstructorAllowlist) -> bool:
    email = claims.get("email")
    # An address the provider has not said it verified proves nothing about who typed it:
    # many providers let anyone put any address on an account.
    verified = claims.get("email_verified")
    vouched = verified is not False if allowlist.trust_unverified_email else verified is True
    if isinstance(email, str) and vouched and email.strip().casefold() in allowlist.emails:
        return True
    if allowlist.role_claim and allowlist.role:
        held = claims.get(allowlist.role_claim)
        values = held if isinstance(held, list) else [held]
        return allowlist.role in values
    return False


def learner_key(issuer: str, subject: str) -> str:
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()
    return f"\toidc:{digest}"


def display_name(claims: Mapping[str, object]) -> str:
    """What the pages call a provider's learner: name, else username, else email."""
    for claim in ("name", "preferred_username", "email"):
        value = claims.get(claim)
        if isinstance(value, str):
            shown = "".join(ch for ch in value if unicodedata.category(ch) not in ("Cc", "Cf"))
            if shown.strip():
                return shown.strip()[:DISPLAY_NAME_MAX]
    return "Learner"


def provider_learner(db: Store, claims: Mapping[str, object]) -> Learner:
    """The learner for the provider's ``iss`` + ``sub``, created on first sign-in."""
    issuer, subject = claims.get("iss"), claims.get("sub")
    if not (isinstance(issuer, str) and issuer and isinstance(subject, str) and subject):
        raise ValueError("The identity provider sent no issuer and subject for this account.")
    return db.accounts().learner_by_key(learner_key(issuer, subject), display_name(claims))
