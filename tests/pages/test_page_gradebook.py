"""The gradebook page through AppTest: closed without the passcode; filters, sorts, downloads
and reopens a learner's test with their letters, their pick and the explanation."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from builders import bank
from helpers.page_forms import submit_passcode
from helpers.taken_tests import RIGHT, WRONG, take_test
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from engine.store import Store

PAGE = str(Path(__file__).resolve().parents[2] / "lessons" / "gradebook.py")


@pytest.fixture
def db(passcode: str, db: Store) -> Store:
    """conftest's store, with a passcode set, after Ada (all right) and Bob took a test."""
    take_test(db, "Ada", bank(), RIGHT)
    take_test(db, "Bob", bank(), WRONG, seed=5)
    return db


def unlocked(passcode: str) -> AppTest:
    return submit_passcode(AppTest.from_file(PAGE, default_timeout=60).run(), passcode)


def test_without_the_passcode_the_page_shows_no_learner(db):
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert at.text_input(key="instructor_passcode")
    assert not at.dataframe and not at.selectbox
    everything = " ".join(str(e.value) for e in at.markdown) + str(at.info) + str(at.caption)
    assert "Ada" not in everything and "Bob" not in everything


def test_the_table_filters_by_name_and_sorts(db, passcode):
    at = unlocked(passcode)
    table = at.dataframe[0].value
    assert table["learner"].tolist() == ["Ada", "Bob"]
    assert "learner_id" not in table.columns
    assert table.set_index("learner")["verdict"].to_dict() == {
        "Ada": "strong",
        "Bob": "not yet",
    }
    at.text_input(key="gb_name").input("bo").run()
    assert at.dataframe[0].value["learner"].tolist() == ["Bob"]
    at.text_input(key="gb_name").input("").run()
    at.selectbox(key="gb_sort").set_value("last").run()
    at.checkbox(key="gb_descending").check().run()
    assert at.dataframe[0].value["learner"].tolist() == ["Ada", "Bob"]
    at.checkbox(key="gb_descending").uncheck().run()
    assert at.dataframe[0].value["learner"].tolist() == ["Bob", "Ada"]
    at.multiselect(key="gb_verdicts").set_value(["strong"]).run()
    assert at.dataframe[0].value["learner"].tolist() == ["Ada"]


def test_the_csv_download_is_the_filtered_table(db, passcode, monkeypatch):
    # AppTest's media storage lives only during a run: keep what the page hands it.
    handed: list[tuple[bytes, str | None]] = []
    load = MemoryMediaFileStorage.load_and_get_id

    def keep(self, data, mimetype, kind, filename=None):
        handed.append((data if isinstance(data, bytes) else data.encode(), filename))
        return load(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    at = unlocked(passcode)
    at.text_input(key="gb_name").input("ada").run()
    content, _ = [h for h in handed if h[1] == "tunelab-gradebook.csv"][-1]
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    assert [(r["learner"], r["verdict"], float(r["last"])) for r in rows] == [
        ("Ada", "strong", 1.0)
    ]


def test_a_learners_test_opens_with_their_pick_the_right_answer_and_the_solution(db, passcode):
    at = unlocked(passcode)
    chooser = at.selectbox(key="gb_learner")
    chooser.select_index(chooser.options.index("Bob · demo")).run()
    assert not at.exception, at.exception
    assert "Pattern not yet" in at.error[0].value
    titles = [e.label for e in at.expander]
    assert titles[0].startswith("1. basics (easy) — wrong")
    texts = [m.value for m in at.expander[0].markdown]
    assert any(t.startswith("**Bob's answer:**") and "Wrong" in t for t in texts)
    assert "**Correct answer:**" in texts and "**Solution**" in texts
