"""Sign-in on the pages, as a learner (or an impostor) would meet it, through AppTest."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers.arrival import session_token
from helpers.page_forms import sign_in, submit_passcode
from helpers.seeded_answers import take_test
from streamlit.testing.v1 import AppTest

from engine.identity.signin import token_secret
from engine.identity.tokens import sign_token
from engine.store import Store

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
PROGRESS = str(LESSONS / "progress.py")
LEARNERS = str(LESSONS / "instructor_learners.py")


@pytest.fixture
def db(passcode: str, monkeypatch, db: Store) -> Store:
    """conftest's store and demo bank, with a passcode and the token secret left unset."""
    monkeypatch.delenv("TUNELAB_TOKEN_SECRET", raising=False)
    return db


def progress(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PROGRESS, default_timeout=60)
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, at.exception
    return at


def signed_in_as(at: AppTest) -> str | None:
    captions = [c.value for c in at.caption if c.value.startswith("Signed in as")]
    return captions[0] if captions else None


def test_a_name_in_the_url_signs_nobody_in(db):
    take_test(db, "Ada", {"e1": 1.0})
    session_token("Ada")  # Ada has a PIN now
    at = progress({"learner": "Ada"})
    assert signed_in_as(at) is None
    assert at.text_input(key="learner_pin")
    assert not at.dataframe


def test_typing_someone_elses_name_without_their_pin_shows_nothing_of_theirs(db):
    take_test(db, "Ada", {"e1": 1.0})
    session_token("Ada")
    at = sign_in(progress(), "ada", "a guess")
    assert "PIN does not match" in at.error[0].value
    assert signed_in_as(at) is None and not at.dataframe
    assert "session" not in at.query_params


def test_the_right_pin_signs_in_and_the_url_carries_a_token_not_the_name(db):
    session_token("Ada", pin="ada's own pin")
    at = sign_in(progress(), "Ada", "ada's own pin")
    assert signed_in_as(at).startswith("Signed in as **Ada** ·")
    token = at.query_params["session"]
    assert "Ada" not in str(token) and "learner" not in at.query_params
    reload = progress({"session": str(token)})
    assert signed_in_as(reload).startswith("Signed in as **Ada** ·")


def test_signing_out_makes_the_link_in_the_url_useless_at_once(db):
    at = sign_in(progress(), "Ada", "ada's own pin")
    token = str(at.query_params["session"])
    at.sidebar.button(key="sign_out").click().run()
    assert not at.exception, at.exception
    assert signed_in_as(at) is None and "session" not in at.query_params
    reopened = progress({"session": token})  # the link copied before signing out
    assert signed_in_as(reopened) is None
    assert "signed out" in reopened.warning[0].value


def test_a_name_recorded_before_pins_is_claimed_by_its_first_sign_in_which_says_so(db):
    take_test(db, "Grace", {"e1": 1.0})
    at = sign_in(progress(), "Grace", "grace's new pin")
    assert "had no PIN yet" in at.success[0].value
    assert at.dataframe  # her earlier test is still hers
    again = sign_in(progress(), "Grace", "not her pin")
    assert signed_in_as(again) is None


@pytest.mark.parametrize("how", ["forged", "altered", "expired", "garbage"])
def test_a_forged_altered_or_expired_token_is_refused(db, how):
    token = session_token("Ada")
    learner_id, generation = token.split(".")[1:3]
    bob_id = db.learner("Bob").id
    bad = {
        "forged": sign_token(int(learner_id), int(generation), secret="guessed", now=time.time()),
        "altered": token.replace(f"v1.{learner_id}.", f"v1.{bob_id}.", 1),
        "expired": sign_token(
            int(learner_id), int(generation), secret=token_secret(db), now=time.time() - 10**6
        ),
        "garbage": "Ada",
    }[how]
    at = progress({"session": bad})
    assert signed_in_as(at) is None
    assert at.warning and "sign-in link" in at.warning[0].value
    assert "session" not in at.query_params
    assert at.text_input(key="learner_pin")


def test_two_learners_each_see_only_their_own_tests(db):
    take_test(db, "Ada", {"e1": 1.0})
    take_test(db, "Bob", {"e1": 0.0})
    ada = progress({"session": session_token("Ada")})
    bob = progress({"session": session_token("Bob")})
    [ada_tests, *_] = (table.value for table in ada.dataframe)
    [bob_tests, *_] = (table.value for table in bob.dataframe)
    assert list(ada_tests["fraction"]) == [1.0]
    assert list(bob_tests["fraction"]) == [0.0]


def test_wrong_pins_on_the_page_lock_the_name_for_a_while(db):
    session_token("Ada", pin="the real one")
    at = progress()
    for guess in ("guess 1", "guess 2", "guess 3"):
        at = sign_in(at, "Ada", guess)
    assert any("Wait 8 s" in w.value for w in at.warning)
    at = sign_in(progress(), "Ada", "the real one")  # a fresh session does not help
    assert "Too many wrong PINs" in at.warning[0].value
    assert signed_in_as(at) is None


def test_an_instructor_resets_a_pin_and_the_old_link_stops_working(db, passcode):
    old_link = session_token("Lin", pin="forgotten")
    at = submit_passcode(AppTest.from_file(LEARNERS, default_timeout=60).run(), passcode)
    at.text_input(key="reset_pin_name").input("lin")
    at.button(key="reset_pin_submit").click().run()
    assert not at.exception, at.exception
    assert "The PIN of **Lin** is reset" in at.success[0].value
    assert "revoked" in progress({"session": old_link}).warning[0].value
    fresh = sign_in(progress(), "Lin", "a new one")
    assert "had no PIN yet" in fresh.success[0].value


def test_the_learners_page_is_closed_without_the_passcode(db):
    session_token("Lin")
    at = AppTest.from_file(LEARNERS, default_timeout=60).run()
    assert at.text_input(key="instructor_passcode")
    assert all(w.key != "reset_pin_name" for w in at.text_input)
