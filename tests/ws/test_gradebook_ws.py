"""A learner who opens the gradebook's URL receives nothing of it, frame by frame, while an
instructor who unlocks it does (so the check could fail)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.arrival import session_token
from helpers.st_ws import StreamlitSession, quiz_folder, serving_app, trigger
from streamlit.proto.WidgetStates_pb2 import WidgetState

from engine.quiz.bank import load_bank
from engine.store import Store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "quizzes" / "_example.yaml"
PASSCODE = "gradebook passcode 9d1e"
CLASSMATE = "Zephyrine Classmate"
# What only the unlocked gradebook shows: the classmate's name, its widgets, their answer.
GRADEBOOK_ONLY = (CLASSMATE, "Learner name contains", "Gradebook (CSV)", "Learner and bank")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    base = tmp_path_factory.mktemp("gradebook-ws")
    shutil.copy(EXAMPLE, quiz_folder(base) / "example.yaml")
    db_path = base / "data" / "tunelab.db"
    db_path.parent.mkdir()
    bank = load_bank(EXAMPLE)
    with Store.open(f"sqlite:///{db_path}") as db:
        attempt = db.start_attempt(
            db.learner(CLASSMATE).id,
            bank_id=bank.id,
            bank_version=bank.version,
            mode="test",
            seed=1,
            plan={},
        )
        db.finish_attempt(attempt.id)
    with serving_app(base, {"TUNELAB_INSTRUCTOR_PASSCODE": PASSCODE}) as url:
        yield url, db_path


def test_a_signed_in_learner_on_the_gradebook_url_receives_none_of_it(server):
    url, db_path = server
    token = session_token("Eve Learner", f"sqlite:///{db_path}")
    with StreamlitSession(url, f"session={token}") as session:
        render = session.rerun("gradebook")
        frames = render.raw + session.rerun("gradebook").raw
    assert b"Instructor passcode" in render.raw  # the gate, and nothing behind it
    for secret in GRADEBOOK_ONLY:
        assert secret.encode() not in frames, f"gradebook text reached a learner: {secret}"


def test_the_instructor_who_unlocks_it_does_receive_the_class(server):
    url, _ = server
    with StreamlitSession(url) as session:
        first = session.rerun("gradebook")
        field = next(e for e in first.of_kind("text_input") if e.text_input.label.startswith("Ins"))
        render = session.rerun(
            "gradebook",
            [
                WidgetState(id=field.text_input.id, string_value=PASSCODE),
                trigger(first.button("Unlock")),
            ],
        )
    for text in GRADEBOOK_ONLY:
        assert text.encode() in render.raw, text
