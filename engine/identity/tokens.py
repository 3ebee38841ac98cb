"""Signed, expiring session tokens: what lets a reload keep a learner signed in.

A token reads ``v1.<learner id>.<generation>.<expires, epoch s>.<HMAC-SHA256>``. It names
no one by name; the signature (a server secret's HMAC over everything before it) is
compared in constant time, and anything malformed, altered, forged or expired is refused.
The generation lets a PIN reset revoke every token signed before it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

TOKEN_LIFETIME_S = 12 * 3600  # a school day; sign in again tomorrow
_SHAPE = re.compile(r"v1\.(\d{1,12})\.(\d{1,9})\.(\d{1,12})\.([A-Za-z0-9_-]{43})")


class TokenRefused(ValueError):
    """The token is not one this server signed, or no longer valid; the message says which."""


@dataclass(frozen=True)
class TokenClaims:
    learner_id: int
    generation: int
    expires_at: int


def _signature(payload: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign_token(
    learner_id: int, generation: int, *, secret: str, now: float, lifetime_s: int = TOKEN_LIFETIME_S
) -> str:
    payload = f"v1.{learner_id}.{generation}.{int(now) + lifetime_s}"
    return f"{payload}.{_signature(payload, secret)}"


def read_token(token: str, *, secret: str, now: float) -> TokenClaims:
    """The claims of a valid token, else TokenRefused."""
    match = _SHAPE.fullmatch(token) if isinstance(token, str) else None
    if match is None:
        raise TokenRefused("The sign-in link is malformed.")
    payload = token.rsplit(".", 1)[0]
    if not hmac.compare_digest(_signature(payload, secret), match.group(4)):
        raise TokenRefused("The sign-in link was not signed by this server.")
    claims = TokenClaims(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if now >= claims.expires_at:
        raise TokenRefused("The sign-in link has expired: sign in again.")
    return claims


# Device tokens -----------------------------------------------------------------------
# A browser that signed in as a learner keeps one (a cookie): ``d1.<learner id>.<device
# id>.<HMAC-SHA256>``. It lets nobody in by itself; it only says which wrong-guess gate a
# PIN try from that browser passes (engine.identity.throttle.pin_rules), so a stranger's
# guesses at the name cannot keep its owner out. It never expires and survives sign-out.
_DEVICE_SHAPE = re.compile(r"d1\.(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})")


@dataclass(frozen=True)
class DeviceClaims:
    learner_id: int
    device_id: str


def sign_device_token(learner_id: int, device_id: str, *, secret: str) -> str:
    payload = f"d1.{learner_id}.{device_id}"
    return f"{payload}.{_signature(payload, secret)}"


def read_device_token(token: object, *, secret: str) -> DeviceClaims | None:
    """The claims of a device token this server signed, else None (a device token that
    does not check out only means an unknown browser)."""
    if not isinstance(token, str) or (match := _DEVICE_SHAPE.fullmatch(token)) is None:
        return None
    payload = token.rsplit(".", 1)[0]
    if not hmac.compare_digest(_signature(payload, secret), match.group(3)):
        return None
    return DeviceClaims(int(match.group(1)), match.group(2))
