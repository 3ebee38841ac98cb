"""An open, signed-in session asks the database about its learner at most every
LEARNER_RECHECK_S seconds, and a link revoked meanwhile ends it within that bound."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.arrival import arrive
from streamlit.testing.v1 import AppTest

from engine.identity.signin import revoke_tokens
from engine.store import Store
from engine.store.models import clean_display_name, display_name_key
from lessons.components import learner as learner_component

TEST_PAGE = str(Path(__file__).resolve().parents[2] / "lessons" / "test_pattern.py")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    clock = FakeClock()
    monkeypatch.setattr(learner_component, "clock", clock)
    return clock


def open_signed_in(name: str) -> AppTest:
    at = arrive(AppTest.from_file(TEST_PAGE, default_timeout=60), name)
    at.run()
    assert not at.exception, at.exception
    return at


def learner_id(db: Store, name: str) -> int:
    learner = db.learner_by_key(display_name_key(clean_display_name(name)))
    assert learner is not None
    return learner.id


def signed_in(at: AppTest) -> bool:
    return any(c.value.startswith("Signed in as") for c in at.caption)


def test_a_revoked_link_still_shows_the_page_until_the_recheck_is_due(db: Store, fake_clock):
    at = open_signed_in("Ines")
    revoke_tokens(db, learner_id(db, "Ines"))
    fake_clock.now += learner_component.LEARNER_RECHECK_S - 1
    at.run()
    assert signed_in(at)


def test_a_revoked_link_signs_the_open_session_out_within_the_bound(db: Store, fake_clock):
    at = open_signed_in("Ines")
    revoke_tokens(db, learner_id(db, "Ines"))
    fake_clock.now += learner_component.LEARNER_RECHECK_S
    at.run()
    assert not at.exception, at.exception
    assert not signed_in(at)
    assert any("revoked" in w.value for w in at.warning)
    assert any(t.label.startswith("Your name") for t in at.text_input)  # the sign-in form


def test_a_session_whose_link_stands_stays_signed_in_across_rechecks(db: Store, fake_clock):
    at = open_signed_in("Ines")
    for _ in range(3):
        fake_clock.now += learner_component.LEARNER_RECHECK_S * 2
        at.run()
        assert signed_in(at)
        assert not at.warning
