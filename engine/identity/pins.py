"""PINs and passphrases, kept only as salted scrypt hashes that carry their own parameters.

A stored hash reads ``scrypt$<n>$<r>$<p>$<salt>$<hash>`` (base64url), so the cost can be
raised later: old hashes still verify with the parameters they were made with.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass

PIN_MIN = 4
PIN_MAX = 128


@dataclass(frozen=True)
class ScryptCost:
    # n=2**14, r=8: 16 MiB and tens of milliseconds per guess, OWASP's floor for scrypt.
    n: int = 2**14
    r: int = 8
    p: int = 1


DEFAULT_COST = ScryptCost()


def check_new_pin(pin: str) -> str:
    """The PIN as it will be hashed, or ValueError saying what to change."""
    if not isinstance(pin, str) or len(pin) < PIN_MIN:
        raise ValueError(f"Choose a PIN or passphrase of at least {PIN_MIN} characters.")
    if len(pin) > PIN_MAX:
        raise ValueError(f"Use at most {PIN_MAX} characters for the PIN or passphrase.")
    if len(set(pin)) == 1:
        raise ValueError("A PIN of one repeated character is the first thing a guesser tries.")
    return _normal(pin)


def _normal(pin: str) -> str:
    # The same passphrase typed on two keyboards may differ in Unicode form; not in meaning.
    return unicodedata.normalize("NFKC", pin)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(pin: str, salt: bytes, cost: ScryptCost) -> bytes:
    return hashlib.scrypt(
        _normal(pin).encode(),
        salt=salt,
        n=cost.n,
        r=cost.r,
        p=cost.p,
        maxmem=256 * cost.n * cost.r * cost.p,
        dklen=32,
    )


def hash_pin(pin: str, cost: ScryptCost = DEFAULT_COST) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(pin, salt, cost)
    return f"scrypt${cost.n}${cost.r}${cost.p}${_b64(salt)}${_b64(digest)}"


def pin_matches(pin: str, stored: str) -> bool:
    """True when ``pin`` hashes to ``stored``; compared in constant time. A malformed stored
    value (or the empty one a reset leaves) matches nothing."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        given = _scrypt(pin, _unb64(salt), ScryptCost(int(n), int(r), int(p)))
    except ValueError:
        return False
    return hmac.compare_digest(given, expected)


def cost_of(stored: str) -> ScryptCost:
    """The parameters a stored hash was made with (to decide whether to re-hash)."""
    _, n, r, p, *_ = stored.split("$")
    return ScryptCost(int(n), int(r), int(p))
