"""The store's API on a real SQLite file and (when configured) a real PostgreSQL."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC

import pandas as pd
import pytest
from helpers.store_backends import FakeClock, store_url  # noqa: F401  (fixture)
from sqlalchemy import make_url

from engine.learners import leitner
from engine.learners.review import review_due
from engine.store import (
    LATEST_VERSION,
    MIGRATIONS,
    AnswerRefused,
    AttemptMode,
    AttemptNotFound,
    Store,
    StoreError,
    StoreUnavailable,
    head_revision,
    migrate,
)
from engine.store.connect import make_engine
from engine.store.reports import frame_to_csv, responses_frame


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(store_url: str, clock: FakeClock) -> Iterator[Store]:  # noqa: F811
    with Store.open(store_url, clock=clock) as opened:
        yield opened


def answer(store: Store, attempt_id: int, question_id: str, **overrides: object):
    values: dict[str, object] = dict(
        question_fingerprint=f"fp-{question_id}",
        response=["a"],
        score=1.0,
        max_score=1.0,
        correct=True,
        used_hint=False,
        seconds=2.5,
    )
    values.update(overrides)
    values.setdefault(
        "card", leitner.card_move(correct=values["correct"], used_hint=values["used_hint"])
    )
    return store.record_answer(attempt_id, question_id=question_id, **values)  # type: ignore[arg-type]


def start(store: Store, learner_id: int, mode: str = "test", bank_id: str = "bank", **kw: object):
    values: dict[str, object] = dict(bank_version="v1", seed=7, plan={"questions": ["q1", "q2"]})
    values.update(kw)
    return store.start_attempt(learner_id, bank_id=bank_id, mode=mode, **values)  # type: ignore[arg-type]


# Opening ---------------------------------------------------------------------------------


def test_default_database_is_a_sqlite_file_in_the_data_dir_created_on_first_open(
    tmp_path, monkeypatch
):
    data_dir = tmp_path / "nested" / "data"
    monkeypatch.delenv("TUNELAB_DATABASE_URL", raising=False)
    monkeypatch.setenv("TUNELAB_DATA_DIR", str(data_dir))
    with Store.open() as store:
        assert store.where == str((data_dir / "tunelab.db").resolve())
        assert store.schema_version() == LATEST_VERSION
    assert (data_dir / "tunelab.db").is_file()


def test_database_url_environment_variable_is_used_when_no_url_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("TUNELAB_DATABASE_URL", f"sqlite:///{tmp_path / 'from_env.db'}")
    with Store.open() as store:
        store.learner("Ada")
    assert (tmp_path / "from_env.db").is_file()


def test_sqlite_connections_use_wal_full_sync_busy_timeout_and_foreign_keys(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 't.db'}", busy_timeout_s=3)
    with store, store.sql_engine.connect() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
        }
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 2,
        "busy_timeout": 3000,
        "foreign_keys": 1,
    }


def test_opening_where_the_data_dir_is_a_file_says_which_folder(tmp_path):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("x")
    with pytest.raises(StoreUnavailable, match=r"Cannot create the data folder .*not_a_dir/sub"):
        Store.open(f"sqlite:///{blocker / 'sub' / 'tunelab.db'}")


def test_opening_a_corrupt_file_says_it_is_not_a_database_and_where(tmp_path):
    path = tmp_path / "tunelab.db"
    path.write_bytes(b"this is certainly not SQLite " * 200)
    with pytest.raises(StoreUnavailable) as caught:
        Store.open(f"sqlite:///{path}")
    message = str(caught.value)
    assert message.startswith(f"Cannot open the TuneLab database at {path.resolve()}: ")
    assert "file is not a database" in message
    assert "move it aside to start afresh, or restore it from a backup" in message


def test_opening_a_read_only_database_says_it_is_read_only(tmp_path):
    path = tmp_path / "tunelab.db"
    sqlite3.connect(path).close()
    with pytest.raises(StoreUnavailable, match=r"read-only: make it writable"):
        Store.open(f"sqlite:///file:{path}?mode=ro&uri=true")


def test_opening_a_database_locked_by_another_program_says_so(tmp_path):
    path = tmp_path / "tunelab.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreUnavailable, match=r"database is locked \(another program holds"):
            Store.open(f"sqlite:///{path}", busy_timeout_s=0.05)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_unreachable_server_is_reported_without_the_password():
    url = "postgresql+psycopg://tunelab:s3cret@127.0.0.1:1/nowhere"
    with pytest.raises(StoreUnavailable) as caught:
        Store.open(url)
    message = str(caught.value)
    assert (
        "Cannot open the TuneLab database at postgresql+psycopg://tunelab:***@127.0.0.1:1/"
        in message
    )
    assert "s3cret" not in message


def test_a_malformed_url_is_explained():
    with pytest.raises(StoreUnavailable, match=r"Cannot understand the database URL 'nonsense::'"):
        Store.open("nonsense::")


# Migrations ------------------------------------------------------------------------------


def test_opening_a_version_1_database_migrates_it_and_keeps_its_rows(store_url):  # noqa: F811
    engine = make_engine(make_url(store_url), busy_timeout_s=5)
    assert migrate(engine, target=1) == 1
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO learners (name, name_key, created_at) VALUES ('Old', 'old', "
            "'2024-01-01 00:00:00')"
        )
        assert "review_cards" not in engine.dialect.get_table_names(conn)
    engine.dispose()

    with Store.open(store_url) as store:
        assert store.schema_version() == LATEST_VERSION
        old = store.learner("OLD")
        assert (old.name, old.created_at.tzinfo) == ("Old", UTC)
        assert store.accounts().credential(old.id) is None  # their first sign-in claims it
        attempt = start(store, old.id)
        answer(store, attempt.id, "q1", correct=False, score=0.0)
        assert [card.question_id for card in review_due(store, old.id, "bank")] == ["q1"]


def test_a_version_2_database_gains_the_variant_seed_of_each_answer(store_url):  # noqa: F811
    engine = make_engine(make_url(store_url), busy_timeout_s=5)
    assert migrate(engine, target=2) == 2
    with engine.begin() as conn:  # as a database made before step 3 has it
        conn.exec_driver_sql("ALTER TABLE answers DROP COLUMN variant_seed")
    engine.dispose()

    with Store.open(store_url) as store:
        learner = store.learner("Ada")
        attempt = start(store, learner.id)
        answer(store, attempt.id, "family-q", response=["correct"], variant_seed=2**62)
        assert [a.variant_seed for a in store.answers(attempt.id)] == [2**62]


def test_a_database_from_a_newer_tunelab_is_refused(store_url):  # noqa: F811
    with Store.open(store_url) as store, store.sql_engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(
        StoreUnavailable,
        match=rf"revision '9999', newer than this TuneLab understands \(up to {head_revision()}\)",
    ):
        Store.open(store_url)


def test_a_pre_alembic_database_from_a_newer_tunelab_is_refused(store_url):  # noqa: F811
    engine = make_engine(make_url(store_url), busy_timeout_s=5)
    migrate(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO schema_version (version, description, applied_at) "
            "VALUES (99, 'future', '2030-01-01 00:00:00')"
        )
    engine.dispose()
    with pytest.raises(StoreUnavailable, match=r"version 99, newer than this TuneLab understands"):
        Store.open(store_url)


def test_reopening_an_up_to_date_database_applies_nothing(store_url):  # noqa: F811
    Store.open(store_url).close()
    with Store.open(store_url) as store, store.sql_engine.connect() as conn:
        versions = conn.exec_driver_sql("SELECT version FROM schema_version ORDER BY 1").all()
    assert [row[0] for row in versions] == [step.version for step in MIGRATIONS]


EMPTY_NAME = (
    "Display name is empty: type 1 to 40 characters (letters, digits, spaces or punctuation)."
)


# Learners --------------------------------------------------------------------------------


@pytest.mark.parametrize("again", ["Ada Lovelace", "ada lovelace", "  ADA LOVELACE  "])
def test_learner_names_are_trimmed_and_case_insensitively_unique(store, again):
    first = store.learner("  Ada Lovelace ")
    same = store.learner(again)
    assert same == first
    assert first.name == "Ada Lovelace"
    assert store.get_learner(first.id) == first
    assert store.learner("Grace").id != first.id


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "",
            EMPTY_NAME,
        ),
        (
            "   \t ",
            EMPTY_NAME,
        ),
        ("x" * 41, "Display name is 41 characters long: use at most 40."),
        (
            "Ada\nLovelace",
            "Display name contains an invisible or control character (such as a tab, a newline "
            "or a zero-width mark): use letters, digits, spaces and punctuation only.",
        ),
        (
            "Ada\u200b",
            "Display name contains an invisible or control character (such as a tab, a newline "
            "or a zero-width mark): use letters, digits, spaces and punctuation only.",
        ),
    ],
)
def test_bad_learner_names_are_refused_with_a_message_saying_what_to_change(store, name, message):
    with pytest.raises(ValueError) as caught:
        store.learner(name)
    assert str(caught.value) == message


def test_a_forty_character_name_is_accepted(store):
    assert store.learner("y" * 40 + "  ").name == "y" * 40


# Attempts and answers --------------------------------------------------------------------


def test_answers_round_trip_with_their_values_and_aware_timestamps(store, clock):
    learner = store.learner("Ada")
    attempt = start(
        store,
        learner.id,
        mode="practice",
        seed=42,
        plan={"questions": ["q1"], "order": {"q1": ["c", "a"]}},
    )
    clock.advance(seconds=30)
    chosen = answer(
        store,
        attempt.id,
        "q1",
        response=["c", "a"],
        score=0.5,
        max_score=2.0,
        correct=False,
        used_hint=True,
        seconds=12.25,
    )
    numeric = answer(store, attempt.id, "q2", response=-0.75, score=0.0, correct=False)
    assert store.answers(attempt.id) == [chosen, numeric]
    assert (
        chosen.response,
        chosen.score,
        chosen.max_score,
        chosen.correct,
        chosen.used_hint,
        chosen.seconds,
    ) == (
        ["c", "a"],
        0.5,
        2.0,
        False,
        True,
        12.25,
    )
    assert chosen.question_fingerprint == "fp-q1"
    assert numeric.response == -0.75
    assert chosen.answered_at == clock.now
    got = store.get_attempt(attempt.id)
    assert (got.mode, got.seed, got.plan, got.started_at) == (
        AttemptMode.PRACTICE,
        42,
        {"questions": ["q1"], "order": {"q1": ["c", "a"]}},
        clock.now.replace(second=0),
    )


def test_a_second_answer_to_a_test_question_is_refused(store):
    learner = store.learner("Ada")
    attempt = start(store, learner.id, mode="test")
    first = answer(store, attempt.id, "q1")
    with pytest.raises(
        AnswerRefused,
        match=(
            r"^Question 'q1' was already answered in test attempt \d+: "
            r"a test takes one answer per question\.$"
        ),
    ):
        answer(store, attempt.id, "q1", response=["b"])
    assert store.answers(attempt.id) == [first]


def test_practice_and_review_take_several_answers_to_one_question(store):
    learner = store.learner("Ada")
    for mode in ("practice", "review"):
        attempt = start(store, learner.id, mode=mode)
        answer(store, attempt.id, "q1", correct=False, score=0.0)
        answer(store, attempt.id, "q1")
        assert [a.question_id for a in store.answers(attempt.id)] == ["q1", "q1"]


def test_a_finished_attempt_refuses_every_answer(store, clock):
    learner = store.learner("Ada")
    attempt = start(store, learner.id, mode="practice")
    answer(store, attempt.id, "q1")
    finished = store.finish_attempt(attempt.id)
    assert finished.finished_at == clock.now
    clock.advance(minutes=5)
    assert store.finish_attempt(attempt.id).finished_at == finished.finished_at
    with pytest.raises(
        AnswerRefused,
        match=rf"^Attempt {attempt.id} is finished: no more answers can be recorded\.$",
    ):
        answer(store, attempt.id, "q2")


def test_answers_to_an_unknown_attempt_are_refused(store):
    with pytest.raises(AttemptNotFound, match=r"^No attempt with id 999\.$"):
        answer(store, 999, "q1")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"score": 2.0}, "score must be between 0 and max_score 1.0, got 2.0."),
        ({"score": -0.5}, "score must be between 0 and max_score 1.0, got -0.5."),
        ({"max_score": 0.0, "score": 0.0}, "max_score must be a positive number, got 0.0."),
        ({"seconds": -1.0}, "seconds must be a non-negative number, got -1.0."),
        (
            {"response": [1, 2]},
            "response must be a list of choice ids (str), a number or {code, result}, got [1, 2].",
        ),
        ({"response": float("nan")}, "A numeric response must be finite, got nan."),
    ],
)
def test_impossible_answers_are_refused_before_touching_the_database(store, overrides, message):
    attempt = start(store, store.learner("Ada").id)
    with pytest.raises(ValueError) as caught:
        answer(store, attempt.id, "q1", **overrides)
    assert str(caught.value) == message
    assert store.answers(attempt.id) == []


def test_an_unfinished_test_is_found_again_with_its_plan_for_resuming(store, clock):
    learner = store.learner("Ada")
    plan = {"questions": ["q3", "q1"], "choice_order": {"q3": ["d", "b", "a", "c"]}}
    start(store, learner.id, mode="test", plan={"questions": ["old"]})
    clock.advance(hours=1)
    latest = start(store, learner.id, mode="test", seed=99, plan=plan)
    start(store, learner.id, mode="practice")
    start(store, learner.id, mode="test", bank_id="other")
    answer(store, latest.id, "q3")

    resumed = store.unfinished_attempt(learner.id, "bank", "test")
    assert resumed == latest
    assert (resumed.plan, resumed.seed) == (plan, 99)
    assert [a.question_id for a in store.answers(resumed.id)] == ["q3"]
    store.finish_attempt(latest.id)
    assert store.unfinished_attempt(learner.id, "bank", AttemptMode.TEST).plan == {
        "questions": ["old"]
    }


def test_attempts_are_listed_oldest_first_and_per_learner(store, clock):
    ada, grace = store.learner("Ada"), store.learner("Grace")
    ids = []
    for hours in range(3):
        clock.advance(hours=hours)
        ids.append(start(store, ada.id, bank_id=f"b{hours}").id)
    start(store, grace.id)
    assert [a.id for a in store.attempts(ada.id)] == ids
    assert [a.bank_id for a in store.attempts(ada.id, bank_id="b1")] == ["b1"]


def test_an_unknown_mode_names_the_allowed_ones(store):
    with pytest.raises(ValueError, match=r"'exam' is not a valid AttemptMode"):
        start(store, store.learner("Ada").id, mode="exam")


# Frames and export -----------------------------------------------------------------------


def test_responses_frame_filters_by_bank_version_and_mode_and_hides_names(store):
    ada, grace = store.learner("Ada"), store.learner("Grace")
    t1 = start(store, ada.id, mode="test", bank_version="v1")
    answer(store, t1.id, "q1", response=["a", "c"], score=0.5, correct=False)
    store.finish_attempt(t1.id)
    t2 = start(store, grace.id, mode="test", bank_version="v2")
    answer(store, t2.id, "q1", question_fingerprint="fp-q1-edited", response=3.5)
    practice = start(store, grace.id, mode="practice", bank_version="v2")
    answer(store, practice.id, "q2")

    frame = responses_frame(store, "bank")
    assert "learner_name" not in frame.columns
    assert list(frame["attempt_id"]) == [t1.id, t2.id]
    assert list(frame["question_fingerprint"]) == ["fp-q1", "fp-q1-edited"]
    assert list(frame["response"]) == [["a", "c"], 3.5]
    assert list(frame["score"]) == [0.5, 1.0]
    assert list(frame["attempt_finished"]) == [True, False]
    assert list(responses_frame(store, "bank", "v2")["learner_id"]) == [grace.id]
    assert len(responses_frame(store, "bank", finished_only=True)) == 1
    assert len(responses_frame(store, "bank", mode=None)) == 3
    assert list(responses_frame(store, "bank", mode=AttemptMode.PRACTICE)["question_id"]) == ["q2"]
    named = responses_frame(store, "bank", include_names=True)
    assert list(named["learner_name"]) == ["Ada", "Grace"]
    assert responses_frame(store, "no such bank").empty


def test_csv_export_parses_back_and_defuses_formula_names(store):
    sneaky = store.learner("=HYPERLINK(1)")
    attempt = start(store, sneaky.id)
    answer(store, attempt.id, "q1", response=["b", "a"], score=0.25, correct=False)
    plain = pd.read_csv(io.StringIO(frame_to_csv(responses_frame(store, "bank"))))
    assert "learner_name" not in plain.columns
    assert json.loads(plain.loc[0, "response"]) == ["b", "a"]
    assert plain.loc[0, "score"] == 0.25
    named = pd.read_csv(
        io.StringIO(frame_to_csv(responses_frame(store, "bank", include_names=True)))
    )
    assert named.loc[0, "learner_name"] == "'=HYPERLINK(1)"


# Review cards ----------------------------------------------------------------------------


def test_missed_and_hinted_answers_enter_review_and_correct_ones_do_not(store, clock):
    learner = store.learner("Ada")
    attempt = start(store, learner.id)
    answer(store, attempt.id, "missed", correct=False, score=0.0)
    clock.advance(minutes=1)
    answer(store, attempt.id, "hinted", used_hint=True)
    answer(store, attempt.id, "known")
    due = review_due(store, learner.id, "bank")
    assert [(c.question_id, c.box, c.last_result) for c in due] == [
        ("missed", 1, "missed"),
        ("hinted", 1, "hinted"),
    ]
    assert store.review_card(learner.id, "bank", "known") is None
    assert review_due(store, store.learner("Grace").id, "bank") == []


def test_review_answers_move_a_card_up_the_boxes_until_it_leaves(store, clock):
    learner = store.learner("Ada")
    answer(store, start(store, learner.id).id, "q1", correct=False, score=0.0)
    review = start(store, learner.id, mode="review")
    answer(store, review.id, "q1")
    card = store.review_card(learner.id, "bank", "q1")
    assert (card.box, card.due_at) == (2, clock.advance(days=0) + pd.Timedelta(days=1))
    assert review_due(store, learner.id, "bank") == []
    for box, days in [(3, 1), (4, 3), (5, 7)]:
        clock.advance(days=days)
        assert [c.question_id for c in review_due(store, learner.id, "bank")] == ["q1"]
        answer(store, review.id, "q1")
        assert store.review_card(learner.id, "bank", "q1").box == box
    clock.advance(days=16)
    answer(store, review.id, "q1")
    left = store.review_card(learner.id, "bank", "q1")
    assert (left.box, left.due_at, left.in_queue) == (None, None, False)
    assert review_due(store, learner.id, "bank", clock.advance(days=100)) == []


def test_a_recorded_miss_opens_a_card_due_now_and_a_due_right_answer_moves_it_up(store, clock):
    learner = store.learner("Ada")
    attempt = start(store, learner.id, mode="review")
    answer(store, attempt.id, "q9", correct=False, score=0.0)
    card = store.review_card(learner.id, "bank", "q9")
    assert (card.box, card.due_at) == (1, clock.now)
    answer(store, attempt.id, "q9")
    assert store.review_card(learner.id, "bank", "q9").box == 2
    answer(store, attempt.id, "new")
    assert store.review_card(learner.id, "bank", "new") is None


def test_a_database_failure_reaches_callers_as_a_store_error_in_plain_words(tmp_path):
    path = tmp_path / "tunelab.db"
    with Store.open(f"sqlite:///{path}") as store:
        ada = store.learner("Ada")
        raw = sqlite3.connect(path)
        raw.execute("DROP TABLE answers")
        raw.commit()
        raw.close()
        with pytest.raises(StoreError, match=r"no such table: answers \(check the server"):
            store.answers(1)
        attempt = start(store, ada.id)
        with pytest.raises(StoreError, match="no such table: answers"):
            answer(store, attempt.id, "q1")
