"""Faults on the server's side: an unusable data folder, a corrupt or locked database, a
broken lab checkpoint. The affected page says what is wrong; the rest keeps working.

Tests run as root, where chmod stops nothing; an uncreatable folder is made by asking for
one *under a regular file*, which fails for root too.
"""

from __future__ import annotations

import functools
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import bank_yaml
from helpers.arrival import TEST_PIN, session_token, signed_in, sqlite_url
from helpers.st_ws import (
    StreamlitSession,
    start_server,
    stop_server,
    trigger,
)
from helpers.template_bank import write_widget_answered_template
from helpers.ws_answers import legit_answer
from streamlit.testing.v1 import AppTest

from engine.lab import checkpoint
from engine.store import Store
from engine.store import store as store_module
from engine.store.connect import with_retries
from lessons.components import learner as learner_component

RIGHT = {"e1": "a", "h2": "true"}


@pytest.fixture
def quizzes(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "quizzes"
    folder.mkdir()
    (folder / "demo.yaml").write_text(bank_yaml())
    monkeypatch.setenv("TUNELAB_QUIZ_DIR", str(folder))
    monkeypatch.delenv("TUNELAB_DATABASE_URL", raising=False)
    return folder


def app(page: str) -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def warnings(at: AppTest) -> str:
    return "\n".join(w.value for w in at.warning)


def answer_current(at: AppTest, right: bool = True) -> None:
    keys = [w.key for w in (*at.radio, *at.checkbox, *at.text_input) if w.key]
    qid = keys[0].split("_")[1]
    radios = [r for r in at.radio if r.key and r.key.startswith(f"answer_{qid}")]
    if radios:
        radios[0].set_value(RIGHT[qid] if right else ("b" if qid == "e1" else "false"))
    elif qid == "m1":
        for cid in ("a", "c"):
            next(c for c in at.checkbox if c.key.endswith(f"_{cid}")).check()
    else:
        at.text_input[0].input("0.871")


def practice_still_works(at: AppTest) -> None:
    answer_current(at)
    at.button(key="submit").click().run()
    assert not at.exception, at.exception
    assert at.success and at.success[0].value.startswith("Correct"), [e.value for e in at.error]


def a_whole_test_still_works(at: AppTest) -> None:
    at.button(key="start").click().run()
    for _ in range(3):
        answer_current(at)
        at.button(key="submit").click().run()
        assert not at.exception, at.exception
    assert at.success[0].value.startswith("**Pattern strong**"), [e.value for e in at.error]


# ---------------------------------------------------------------- the data folder


def test_a_data_dir_that_cannot_be_created_is_reported_and_practice_still_works(
    quizzes, tmp_path, monkeypatch
):
    blocker = tmp_path / "file.txt"
    blocker.write_text("a regular file, so nothing can be created under it")
    monkeypatch.setenv("TUNELAB_DATA_DIR", str(blocker / "sub"))
    at = app("lessons/practice.py")
    assert "Progress is not being saved" in warnings(at)
    assert "Cannot create the data folder" in warnings(at)
    assert str(blocker / "sub") in warnings(at)
    practice_still_works(at)


def test_without_a_store_the_test_runs_unsaved_instead_of_failing(quizzes, tmp_path, monkeypatch):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    monkeypatch.setenv("TUNELAB_DATA_DIR", str(blocker / "sub"))
    at = app("lessons/test_pattern.py")
    assert "Progress is not being saved" in warnings(at)
    a_whole_test_still_works(at)


def test_a_database_path_that_is_a_folder_is_reported(quizzes, tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "tunelab.db").mkdir(parents=True)  # "gone", with something else in its place
    monkeypatch.setenv("TUNELAB_DATA_DIR", str(data))
    at = app("lessons/practice.py")
    assert "Cannot open the TuneLab database" in warnings(at), warnings(at)
    practice_still_works(at)


def test_a_database_server_that_is_gone_is_reported_and_the_quiz_still_works(quizzes, monkeypatch):
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    monkeypatch.setenv("TUNELAB_DATABASE_URL", "postgresql+psycopg://t:t@127.0.0.1:1/gone")
    at = app("lessons/test_pattern.py")
    assert "Progress is not being saved" in warnings(at), warnings(at)
    assert "127.0.0.1" in warnings(at)
    a_whole_test_still_works(at)


# ---------------------------------------------------------------- a corrupt database


def test_a_database_file_of_garbage_is_reported_and_practice_still_works(
    quizzes, tmp_path, monkeypatch
):
    data = tmp_path / "data"
    data.mkdir()
    (data / "tunelab.db").write_bytes(b"\x00\xffnot sqlite at all\x13\x37" * 4096)
    monkeypatch.setenv("TUNELAB_DATA_DIR", str(data))
    at = app("lessons/practice.py")
    assert "not a readable SQLite database" in warnings(at), warnings(at)
    practice_still_works(at)
    at.switch_page("lessons/progress.py").run()
    assert not at.exception, at.exception
    assert "Progress is not being saved" in warnings(at)


def _db_with_garbled_tables(data: Path) -> str:
    """A real database whose first page (the schema) is intact and every other is garbage;
    returns the session token its learner signed in with before the crash."""
    data.mkdir(parents=True, exist_ok=True)
    path = data / "tunelab.db"
    with Store.open(f"sqlite:///{path}") as store:
        learner = store.learner("Before The Crash")
        store.start_attempt(
            learner.id, bank_id="demo", bank_version="1", mode="test", seed=1, plan={}
        )
    token = session_token("Before The Crash", f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:  # fold the WAL into the file, then leave WAL mode
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    raw = bytearray(path.read_bytes())
    raw[page:] = b"\xa5" * (len(raw) - page)
    path.write_bytes(bytes(raw))
    return token


def test_a_database_with_malformed_tables_is_reported_on_the_page(quizzes, tmp_path, monkeypatch):
    token = _db_with_garbled_tables(tmp_path / "data")
    monkeypatch.setenv("TUNELAB_DATA_DIR", str(tmp_path / "data"))
    at = AppTest.from_file("../../app.py", default_timeout=60)
    at.query_params["session"] = token  # the learner reloads their page after the crash
    at.run()
    at.switch_page("lessons/test_pattern.py").run()
    assert not at.exception, at.exception
    assert "malformed" in warnings(at) + "\n".join(e.value for e in at.error)


# ---------------------------------------------------------------- a locked database


class Lock:
    """Another program's connection to the database, taking and releasing its write lock."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=0.1)

    def take(self) -> None:
        self.conn.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        if self.conn.in_transaction:
            self.conn.rollback()


@pytest.fixture
def lock(tmp_path, monkeypatch) -> Iterator[Lock]:
    """An existing database the app opens once per server (as it does), waiting 0.2 s for a
    lock and retrying for 0.3 s (not 10 s and 30 s), and a Lock on it to take at will."""
    data = tmp_path / "data"
    data.mkdir()
    with Store.open(f"sqlite:///{data / 'tunelab.db'}") as store:
        store.learner("Ada")
    monkeypatch.setenv("TUNELAB_DATA_DIR", str(data))
    opened = functools.cache(lambda: Store.open(busy_timeout_s=0.2))
    monkeypatch.setattr(learner_component, "_open_store", opened)
    monkeypatch.setattr(
        store_module, "with_retries", functools.partial(with_retries, deadline_s=0.3)
    )
    holder = Lock(data / "tunelab.db")
    try:
        yield holder
    finally:
        holder.release()
        holder.conn.close()
        if opened.cache_info().currsize:
            opened().close()


def recorded_for(data: Path, name: str) -> list[str]:
    with Store.open(f"sqlite:///{data / 'tunelab.db'}") as store:
        return [
            a.question_id
            for attempt in store.attempts(store.learner(name).id)
            for a in store.answers(attempt.id)
        ]


def test_an_answer_that_meets_a_locked_database_is_refused_then_saved_once_free(
    quizzes, lock, tmp_path
):
    at = signed_in("Ada", "lessons/test_pattern.py")
    at.button(key="start").click().run()
    assert not at.exception, at.exception
    lock.take()
    answer_current(at)
    at.button(key="submit").click().run()
    assert not at.exception, at.exception
    assert "could not be saved" in at.error[0].value
    assert any("Question 1 of 3" in c.value for c in at.caption)  # not acknowledged
    lock.release()
    at.button(key="submit").click().run()  # the form kept the answer: submit again
    assert not at.exception, at.exception
    assert any("Question 2 of 3" in c.value for c in at.caption)
    assert recorded_for(tmp_path / "data", "Ada") == ["e1"]


def test_a_server_started_while_the_database_is_locked_says_so_and_practice_works(quizzes, lock):
    lock.take()
    at = app("lessons/practice.py")
    assert "database is locked" in warnings(at), warnings(at)
    practice_still_works(at)


def test_signing_in_while_the_database_is_locked_says_so_on_the_page(quizzes, lock):
    at = app("lessons/test_pattern.py")
    lock.take()
    at.text_input(key="learner_name").input("Grace")  # a new name: sign-in must write
    at.text_input(key="learner_pin").input(TEST_PIN)
    at.button(key="sign_in_submit").click().run()
    assert not at.exception, at.exception[0].message
    assert "locked" in "\n".join(e.value for e in at.error) + warnings(at)


def test_practice_without_sign_in_works_while_the_database_is_locked(quizzes, lock):
    at = app("lessons/practice.py")
    lock.take()
    practice_still_works(at)


# ---------------------------------------------------------------- the lab checkpoint


@pytest.fixture
def weights_copy(tmp_path) -> Path:
    folder = tmp_path / "weights"
    shutil.copytree(checkpoint.WEIGHTS_DIR, folder)
    return folder


def lab_with(weights: Path, monkeypatch) -> AppTest:
    monkeypatch.setattr(
        checkpoint, "load_pretrained", functools.partial(checkpoint.load_pretrained, weights)
    )
    at = AppTest.from_file("../../lessons/lab.py", default_timeout=120).run()
    assert not at.exception, at.exception[0].message
    return at


def lab_error(at: AppTest) -> str:
    assert at.error, "the lab page showed no error"
    return at.error[0].value


def test_a_missing_checkpoint_is_named_on_the_lab_page(weights_copy, monkeypatch):
    (weights_copy / checkpoint.CHECKPOINT_NAME).unlink()
    message = lab_error(lab_with(weights_copy, monkeypatch))
    assert "is missing" in message and checkpoint.CHECKPOINT_NAME in message
    assert "python -m engine pretrain" in message


def test_a_corrupt_checkpoint_is_named_on_the_lab_page(weights_copy, monkeypatch):
    weights = weights_copy / checkpoint.CHECKPOINT_NAME
    raw = bytearray(weights.read_bytes())
    raw[len(raw) // 2 : len(raw) // 2 + 64] = b"\x00" * 64
    weights.write_bytes(bytes(raw))
    message = lab_error(lab_with(weights_copy, monkeypatch))
    assert "is corrupt" in message and "sha256" in message


def test_a_sidecar_that_is_not_json_is_named_on_the_lab_page(weights_copy, monkeypatch):
    (weights_copy / checkpoint.SIDECAR_NAME).write_text("{ not json")
    message = lab_error(lab_with(weights_copy, monkeypatch))
    assert "is not valid JSON" in message


def test_a_sidecar_missing_its_fields_is_named_on_the_lab_page(weights_copy, monkeypatch):
    sidecar = weights_copy / checkpoint.SIDECAR_NAME
    meta = json.loads(sidecar.read_text())
    sidecar.write_text(json.dumps({"file": meta["file"], "sha256": meta["sha256"]}))
    message = lab_error(lab_with(weights_copy, monkeypatch))
    assert checkpoint.SIDECAR_NAME in message


def test_the_rest_of_the_app_works_while_the_lab_checkpoint_is_broken(
    quizzes, tmp_path, weights_copy, monkeypatch
):
    (weights_copy / checkpoint.CHECKPOINT_NAME).unlink()
    monkeypatch.setenv("TUNELAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(
        checkpoint, "load_pretrained", functools.partial(checkpoint.load_pretrained, weights_copy)
    )
    at = app("lessons/practice.py")
    practice_still_works(at)


# ---------------------------------------------------------------- the server is killed


def _on_screen(render) -> str:
    widget = render.answer_input()
    return getattr(widget, widget.WhichOneof("type")).form_id.removeprefix("test_form_")


@pytest.mark.slow
def test_after_sigkill_every_acknowledged_answer_is_kept_and_each_test_resumes(tmp_path):
    quizzes = tmp_path / "quizzes"
    quizzes.mkdir()
    write_widget_answered_template(quizzes / "example.yaml")
    data = tmp_path / "data"
    env = {"TUNELAB_QUIZ_DIR": str(quizzes), "TUNELAB_DATA_DIR": str(data)}
    log = tmp_path / "streamlit.log"
    url, proc = start_server(log, env)
    acknowledged: dict[str, list[str]] = {}
    in_flight: dict[str, str] = {}
    sessions = []
    try:
        for number, name in enumerate(("Kay", "Lin", "Mo"), start=1):
            session = StreamlitSession(url, f"session={session_token(name, sqlite_url(data))}")
            sessions.append(session)
            first = session.rerun("test_pattern")
            render = session.rerun("test_pattern", [trigger(first.button("Start the test"))])
            acknowledged[name] = []
            for _ in range(number):  # Kay answers 1, Lin 2, Mo 3 of the 4 questions
                qid = _on_screen(render)
                render = session.rerun("test_pattern", legit_answer(render))
                # Acknowledged = the page moved on to the next question.
                assert f"Question {len(acknowledged[name]) + 2} of 4" in render.text
                acknowledged[name].append(qid)
            # One more answer each, sent but not waited for: the kill may beat its commit.
            in_flight[name] = _on_screen(render)
            session.send("test_pattern", legit_answer(render))
        proc.kill()  # SIGKILL: no shutdown hooks, no flush
        proc.wait(10)
    finally:
        for session in sessions:
            session.close()
        if proc.poll() is None:
            proc.kill()

    url, proc = start_server(log, env)  # the same data folder
    try:
        with Store.open(f"sqlite:///{data / 'tunelab.db'}") as store:
            stored = {
                name: [
                    a.question_id
                    for attempt in store.attempts(store.learner(name).id)
                    for a in store.answers(attempt.id)
                ]
                for name in acknowledged
            }
        for name, acked in acknowledged.items():
            kept = stored[name]
            assert kept[: len(acked)] == acked, f"{name}: acknowledged answers lost"
            assert kept in (acked, [*acked, in_flight[name]]), f"{name}: unexpected {kept}"
            link = f"session={session_token(name, sqlite_url(data))}"
            with StreamlitSession(url, link) as session:
                render = session.rerun("test_pattern")
                resume_at = len(kept) + 1
                assert f"your test resumes at question {resume_at}" in render.text, render.text
                assert f"Question {resume_at} of 4" in render.text
                assert _on_screen(render) not in kept
                while "Question" in render.text and "of 4" in render.text:
                    render = session.rerun("test_pattern", legit_answer(render))
                assert "Retake with new questions" in [
                    b.button.label for b in render.of_kind("button")
                ]
        with Store.open(f"sqlite:///{data / 'tunelab.db'}") as store:
            for name in acknowledged:
                [attempt] = store.attempts(store.learner(name).id)
                answers = [a.question_id for a in store.answers(attempt.id)]
                assert len(answers) == len(set(answers)) == 4, (name, answers)
                assert attempt.finished_at is not None
    finally:
        stop_server(proc)
