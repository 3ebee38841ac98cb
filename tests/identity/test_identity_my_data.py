"""My data: the download holds exactly the learner's records; deletion removes only theirs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from helpers.arrival import session_token
from helpers.seeded_answers import record_scored_answer, start_attempt
from streamlit.testing.v1 import AppTest

from engine.identity.my_data import (
    answers_csv,
    delete_account,
    keeps_anonymous_counts,
    learner_record,
    record_json,
)
from engine.modes import AttemptMode
from engine.store import Store
from engine.store.reports import responses_frame

PAGE = str(Path(__file__).resolve().parents[2] / "lessons" / "my_data.py")


@pytest.fixture
def db(tmp_path: Path, monkeypatch) -> Store:
    monkeypatch.delenv("TUNELAB_DATABASE_URL", raising=False)
    monkeypatch.setenv("TUNELAB_DATA_DIR", str(tmp_path / "data"))
    with Store.open() as store:
        yield store


def take_test(db: Store, name: str, response: list[str], mode: str = "test") -> None:
    attempt = start_attempt(db, name, mode=mode)
    record_scored_answer(db, attempt.id, "e1", 1.0, response=response, seconds=2.5)


def test_the_download_has_my_answers_and_none_of_anyone_elses(db):
    take_test(db, "Ada", ["a"])
    take_test(db, "Bob", ["=HYPERLINK(1)"])
    session_token("Ada")
    record = learner_record(db, db.learner("Ada"))
    assert record["learner"]["name"] == "Ada"
    [attempt] = record["attempts"]
    assert [a["response"] for a in attempt["answers"]] == [["a"]]
    text = record_json(record)
    assert "scrypt$" not in text and json.loads(text) == record
    rows = list(csv.DictReader(io.StringIO(answers_csv(record))))
    assert [(r["question_id"], r["response"], r["seconds"]) for r in rows] == [
        ("e1", '["a"]', "2.5")
    ]
    assert "HYPERLINK" not in text and "HYPERLINK" not in answers_csv(record)


def test_deleting_my_account_removes_my_records_and_signs_me_out(db):
    take_test(db, "Ada", ["a"])
    take_test(db, "Bob", ["b"])
    ada_id = db.learner("Ada").id
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["session"] = session_token("Ada")
    at.run()
    assert not at.exception, at.exception
    assert at.button(key="my_data_delete").disabled
    at.checkbox(key="my_data_confirm").check().run()
    at.button(key="my_data_delete").click().run()
    assert not at.exception, at.exception
    assert "Deleted" in at.success[0].value
    assert "session" not in at.query_params
    assert db.get_learner(ada_id) is None and db.attempts(ada_id) == []
    assert db.accounts().credential(ada_id) is None
    [bob_attempt] = db.attempts(db.learner("Bob").id)
    assert len(db.answers(bob_attempt.id)) == 1


def delete_page(keep_counts: str | None, monkeypatch) -> AppTest:
    if keep_counts is None:
        monkeypatch.delenv("TUNELAB_KEEP_ANONYMOUS_COUNTS", raising=False)
    else:
        monkeypatch.setenv("TUNELAB_KEEP_ANONYMOUS_COUNTS", keep_counts)
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["session"] = session_token("Ada")
    at.run()
    at.checkbox(key="my_data_confirm").check().run()
    at.button(key="my_data_delete").click().run()
    assert not at.exception, at.exception
    return at


def test_by_default_a_deleted_account_takes_its_answers_out_of_item_statistics(db, monkeypatch):
    take_test(db, "Ada", ["a"])
    take_test(db, "Bob", ["b"])
    at = delete_page(None, monkeypatch)
    assert at.success[0].value == "Deleted. Nothing recorded about you is left in TuneLab."
    frame = responses_frame(db, "demo", finished_only=False)
    assert frame["response"].tolist() == [["b"]]


def test_a_policy_that_keeps_counts_keeps_test_answers_under_no_name(db, monkeypatch):
    take_test(db, "Ada", ["a"])
    take_test(db, "Ada", ["c"], mode="practice")
    take_test(db, "Bob", ["b"])
    ada_id = db.learner("Ada").id
    at = delete_page("on", monkeypatch)
    assert "anonymous counts" in at.success[0].value
    frame = responses_frame(db, "demo", finished_only=False, include_names=True)
    assert sorted(map(tuple, frame[["learner_name", "response"]].astype(str).values)) == [
        ("(deleted learners)", "['a']"),
        ("Bob", "['b']"),
    ]
    assert responses_frame(db, "demo", None, AttemptMode.PRACTICE).empty
    assert db.get_learner(ada_id) is None and db.attempts(ada_id) == []
    # The name is free again, and a new Ada starts with nothing of the old one's.
    assert db.attempts(db.learner("Ada").id) == []


def test_two_deletions_share_one_anonymous_learner(db):
    for name in ("Ada", "Bob"):
        take_test(db, name, [name])
        delete_account(db, db.learner(name), keep_anonymous_counts=True)
    frame = responses_frame(db, "demo", finished_only=False)
    assert frame["learner_id"].nunique() == 1 and len(frame) == 2


@pytest.mark.parametrize(
    ("secrets", "env", "keeps"),
    [
        ({}, {}, False),
        ({}, {"TUNELAB_KEEP_ANONYMOUS_COUNTS": "true"}, True),
        ({}, {"TUNELAB_KEEP_ANONYMOUS_COUNTS": "off"}, False),
        ({"keep_anonymous_counts": True}, {}, True),
        ({"keep_anonymous_counts": False}, {"TUNELAB_KEEP_ANONYMOUS_COUNTS": "on"}, False),
    ],
)
def test_the_policy_comes_from_secrets_then_the_environment_and_defaults_to_deleting(
    secrets, env, keeps
):
    assert keeps_anonymous_counts(secrets, env) is keeps
