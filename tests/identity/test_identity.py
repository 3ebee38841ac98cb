"""Sign-in engine: PIN hashes, tokens, claims of older names, resets and guess gates."""

from __future__ import annotations

import hashlib

import pytest

from engine.identity.oidc import (
    allowlist_from_config,
    is_instructor,
    learner_key,
    provider_learner,
)
from engine.identity.pins import ScryptCost, check_new_pin, cost_of, hash_pin, pin_matches
from engine.identity.signin import (
    SignInOutcome,
    issue_token,
    learner_from_token,
    reset_pin,
    revoke_tokens,
    sign_in_with_pin,
    token_secret,
)
from engine.identity.tokens import TokenRefused, read_token, sign_token
from engine.store import Store

NOW = 1_800_000_000.0
CHEAP = ScryptCost(n=2**10, r=8, p=1)


@pytest.fixture
def db(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'tunelab.db'}") as store:
        yield store


# PIN hashes ---------------------------------------------------------------------------


def test_a_pin_hash_is_scrypt_of_the_pin_with_its_salt_and_cost():
    stored = hash_pin("correct horse", CHEAP)
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2**10, 8, 1)
    assert "correct horse" not in stored
    import base64

    def unb64(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    expected = hashlib.scrypt(b"correct horse", salt=unb64(salt), n=2**10, r=8, p=1, dklen=32)
    assert unb64(digest) == expected


def test_the_same_pin_hashes_differently_each_time_and_both_verify():
    first, second = hash_pin("4821", CHEAP), hash_pin("4821", CHEAP)
    assert first != second
    assert pin_matches("4821", first) and pin_matches("4821", second)
    assert not pin_matches("4822", first)


def test_a_hash_made_with_an_older_cost_still_verifies_after_the_default_rises():
    old = hash_pin("passphrase", CHEAP)
    assert cost_of(old) == CHEAP
    assert cost_of(hash_pin("passphrase")).n > CHEAP.n
    assert pin_matches("passphrase", old)


@pytest.mark.parametrize("stored", ["", "plain", "bcrypt$1$2$3$aa$bb", "scrypt$x$8$1$aa$bb"])
def test_a_malformed_stored_hash_matches_nothing(stored):
    assert not pin_matches("anything", stored)


@pytest.mark.parametrize("pin", ["", "123", "1111", "x" * 129])
def test_a_short_repeated_or_huge_new_pin_is_refused_with_a_reason(pin):
    with pytest.raises(ValueError, match="PIN"):
        check_new_pin(pin)


# Tokens -------------------------------------------------------------------------------


def test_a_token_carries_no_name_and_reads_back_until_it_expires():
    token = sign_token(7, 2, secret="s" * 32, now=NOW, lifetime_s=60)
    claims = read_token(token, secret="s" * 32, now=NOW + 59)
    assert (claims.learner_id, claims.generation, claims.expires_at) == (7, 2, int(NOW) + 60)
    with pytest.raises(TokenRefused, match="expired"):
        read_token(token, secret="s" * 32, now=NOW + 60)


def test_a_token_signed_with_another_secret_is_refused():
    forged = sign_token(7, 1, secret="attacker's own secret", now=NOW)
    with pytest.raises(TokenRefused, match="not signed"):
        read_token(forged, secret="the server's secret", now=NOW)


def flip_last(text: str) -> str:
    return text[:-1] + ("A" if text[-1] != "A" else "B")


def test_changing_any_part_of_a_token_is_refused():
    token = sign_token(7, 1, secret="k" * 32, now=NOW)
    _, learner, generation, expiry, signature = token.split(".")
    altered = [
        f"v1.8.{generation}.{expiry}.{signature}",  # someone else
        f"v1.{learner}.{generation}.{int(expiry) + 10**6}.{signature}",  # longer life
        f"v1.{learner}.{int(generation) + 1}.{expiry}.{signature}",
        f"v1.{learner}.{generation}.{expiry}.{flip_last(signature)}",
        token + "x",
        "",
        "learner=Ada",
    ]
    for bad in altered:
        with pytest.raises(TokenRefused):
            read_token(bad, secret="k" * 32, now=NOW)


def test_the_generated_token_secret_is_kept_in_the_database_for_every_server(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    with Store.open(url) as one, Store.open(url) as two:
        first = token_secret(one, {}, env={})
        assert token_secret(two, {}, env={}) == first
        assert len(first) >= 40
    assert token_secret(one, {"token_secret": "from secrets"}, env={}) == "from secrets"
    assert token_secret(one, {}, env={"TUNELAB_TOKEN_SECRET": "from env"}) == "from env"


# Sign-in ------------------------------------------------------------------------------


def test_a_new_name_is_created_with_its_pin_and_then_needs_it(db):
    created = sign_in_with_pin(db, "Ada", "4821", now=NOW)
    assert created.outcome is SignInOutcome.CREATED and created.learner is not None
    again = sign_in_with_pin(db, "ADA ", "4821", now=NOW + 1)
    assert again.outcome is SignInOutcome.WELCOME_BACK and again.learner == created.learner
    impostor = sign_in_with_pin(db, "Ada", "1234", now=NOW + 2)
    assert impostor.outcome is SignInOutcome.WRONG_PIN and impostor.learner is None


def test_a_name_from_before_pins_keeps_its_records_and_is_claimed_once(db):
    older = db.learner("Grace")  # recorded under the name-only scheme
    claimed = sign_in_with_pin(db, "grace", "9 lives", now=NOW)
    assert claimed.outcome is SignInOutcome.CLAIMED and claimed.learner == older
    second = sign_in_with_pin(db, "Grace", "another", now=NOW + 1)
    assert second.outcome is SignInOutcome.WRONG_PIN


def test_a_reset_lets_the_next_sign_in_choose_a_pin_and_revokes_old_tokens(db):
    learner = sign_in_with_pin(db, "Lin", "first pin", now=NOW).learner
    assert learner is not None
    secret = token_secret(db, {}, env={})
    token = issue_token(db, learner, secret, now=NOW)
    assert learner_from_token(db, token, secret, now=NOW + 1) == learner
    assert reset_pin(db, "LIN") == learner
    with pytest.raises(TokenRefused, match="revoked"):
        learner_from_token(db, token, secret, now=NOW + 2)
    chosen = sign_in_with_pin(db, "Lin", "second pin", now=NOW + 3)
    assert chosen.outcome is SignInOutcome.CLAIMED and chosen.learner == learner
    assert sign_in_with_pin(db, "Lin", "first pin", now=NOW + 4).outcome is SignInOutcome.WRONG_PIN
    assert reset_pin(db, "Nobody") is None


def test_signing_out_revokes_every_earlier_token_at_once_but_keeps_the_pin(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    with Store.open(url) as first_server, Store.open(url) as second_server:
        learner = sign_in_with_pin(first_server, "Lin", "lin's pin", now=NOW).learner
        assert learner is not None
        secret = token_secret(first_server, {}, env={})
        on_phone = issue_token(first_server, learner, secret, now=NOW)
        on_laptop = issue_token(first_server, learner, secret, now=NOW)
        revoke_tokens(first_server, learner.id)
        for token in (on_phone, on_laptop):  # long before they expire, and on another server
            with pytest.raises(TokenRefused, match="signed out"):
                learner_from_token(second_server, token, secret, now=NOW + 1)
        again = sign_in_with_pin(second_server, "Lin", "lin's pin", now=NOW + 2)
        assert again.outcome is SignInOutcome.WELCOME_BACK
        fresh = issue_token(second_server, learner, secret, now=NOW + 2)
        assert learner_from_token(first_server, fresh, secret, now=NOW + 3) == learner


def test_a_token_stands_only_for_the_learner_it_was_signed_for(db):
    ada = sign_in_with_pin(db, "Ada", "ada-pin", now=NOW).learner
    bob = sign_in_with_pin(db, "Bob", "bob-pin", now=NOW).learner
    assert ada is not None and bob is not None
    secret = token_secret(db, {}, env={})
    assert learner_from_token(db, issue_token(db, ada, secret, now=NOW), secret, now=NOW) == ada
    assert learner_from_token(db, issue_token(db, bob, secret, now=NOW), secret, now=NOW) == bob


def test_wrong_pins_for_one_name_lock_that_name_with_a_doubling_wait(db):
    sign_in_with_pin(db, "Ada", "right pin", now=NOW)
    results = [sign_in_with_pin(db, "Ada", f"wrong {i}", now=NOW + 1) for i in range(3)]
    assert [r.outcome for r in results] == [SignInOutcome.WRONG_PIN] * 3
    assert results[-1].wait_s == 8.0
    # While locked even the right PIN is not looked at, and the try is not counted.
    locked = sign_in_with_pin(db, "Ada", "right pin", now=NOW + 5)
    assert locked.outcome is SignInOutcome.LOCKED and locked.failures == 3
    assert sign_in_with_pin(db, "Ada", "wrong 4", now=NOW + 9.5).wait_s == 16.0
    # Another name is not held back by Ada's guesser.
    assert sign_in_with_pin(db, "Bob", "bob's pin", now=NOW + 10).signed_in
    assert sign_in_with_pin(db, "Ada", "right pin", now=NOW + 26).signed_in


def test_wrong_pins_spread_over_many_names_refuse_nobody_else(db):
    # Issue 19: this used to fill a server-wide window and refuse everyone for a minute.
    names = [f"Learner {i}" for i in range(30)]
    for name in names:
        db.accounts().claim(db.learner(name).id, hash_pin("their own pin", CHEAP))
    refused = [sign_in_with_pin(db, name, "not it", now=NOW) for name in names]
    assert all(r.outcome is SignInOutcome.WRONG_PIN for r in refused)
    assert sign_in_with_pin(db, "Someone Else", "a fine pin", now=NOW + 1).signed_in


def test_the_counts_live_in_the_database_so_a_second_server_sees_them(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    with Store.open(url) as one, Store.open(url) as two:
        sign_in_with_pin(one, "Ada", "right pin", now=NOW)
        for i in range(3):
            sign_in_with_pin(one if i % 2 else two, "Ada", f"wrong {i}", now=NOW)
        assert sign_in_with_pin(two, "Ada", "right pin", now=NOW + 1).outcome is (
            SignInOutcome.LOCKED
        )


def test_an_unusable_new_pin_is_refused_without_costing_a_try(db):
    for _ in range(5):
        with pytest.raises(ValueError):
            sign_in_with_pin(db, "Mo", "12", now=NOW)
    assert sign_in_with_pin(db, "Mo", "1234", now=NOW).outcome is SignInOutcome.CREATED


# OpenID Connect -----------------------------------------------------------------------


def test_a_provider_learner_is_keyed_by_issuer_and_subject_not_by_name(db):
    claims = {"iss": "https://id.example", "sub": "u-1", "name": "Ada", "email": "a@x.org"}
    ada = provider_learner(db, claims)
    assert provider_learner(db, {**claims, "name": "Ada Lovelace"}) == ada
    other_issuer = provider_learner(db, {**claims, "iss": "https://evil.example"})
    assert other_issuer.id != ada.id
    # The typed name "Ada" is someone else entirely and can never claim the provider's Ada.
    typed = sign_in_with_pin(db, "Ada", "4821", now=NOW)
    assert typed.outcome is SignInOutcome.CREATED and typed.learner.id != ada.id
    with pytest.raises(ValueError):
        sign_in_with_pin(db, learner_key("https://id.example", "u-1"), "4821", now=NOW)


def test_instructors_come_from_a_verified_email_or_a_role_claim():
    allow = allowlist_from_config(
        {"emails": ["Prof@Uni.edu"], "role_claim": "roles", "role": "instructor"},
        env={"TUNELAB_INSTRUCTOR_EMAILS": "ta@uni.edu, "},
    )
    assert allow.emails == {"prof@uni.edu", "ta@uni.edu"}
    # Issue 19: an address counts only when the provider says it verified it.
    assert not is_instructor({"email": "prof@uni.edu"}, allow)
    assert is_instructor({"email": "TA@uni.edu", "email_verified": True}, allow)
    assert not is_instructor({"email": "prof@uni.edu", "email_verified": False}, allow)
    assert not is_instructor({"email": "prof@uni.edu", "email_verified": "true"}, allow)
    assert is_instructor({"email": "x@y", "roles": ["student", "instructor"]}, allow)
    assert not is_instructor({"email": "x@y", "roles": "student"}, allow)
    assert allowlist_from_config(None, env={}).empty
