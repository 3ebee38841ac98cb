"""The gradebook follows the lessons: a learner is shown by the last and mean score with an
interval, not the best of N, and a verdict says how many questions it comes from."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from builders import bank
from helpers.page_forms import submit_passcode
from helpers.taken_tests import RIGHT, WRONG, take_test
from scipy.stats import binomtest
from streamlit.testing.v1 import AppTest

from engine.learners.gradebook import gradebook, gradebook_frame, score_interval
from engine.store import Store

NOW = datetime(2030, 1, 1, tzinfo=UTC)
PAGE = str(Path(__file__).resolve().parents[2] / "lessons" / "gradebook.py")


@pytest.fixture
def sqlite_db(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'gb.db'}") as store:
        yield store


def test_the_table_shows_last_and_mean_with_an_interval_and_no_best_of_n(sqlite_db):
    demo = bank()
    reports = [
        take_test(sqlite_db, "Ada", demo, RIGHT),
        take_test(sqlite_db, "Ada", demo, WRONG, seed=2),
    ]
    frame = gradebook_frame(gradebook(sqlite_db, {demo.id: demo}, now=NOW))
    assert "best" not in frame.columns
    row = frame.set_index("learner").loc["Ada"]
    fractions = [r.overall.fraction for r in reports]
    assert row["last"] == fractions[-1]
    assert row["mean"] == pytest.approx(sum(fractions) / 2)
    questions = reports[-1].overall.questions
    assert row["verdict from"] == f"{questions} questions"
    ci = binomtest(round(fractions[-1] * questions), questions).proportion_ci(method="wilson")
    assert row["last 95% interval"] == f"{ci.low:.0%}–{ci.high:.0%}"


def test_ten_questions_leave_a_wide_interval_around_eight_right():
    low, high = score_interval(0.8, 10)
    ci = binomtest(8, 10).proportion_ci(method="wilson")
    assert (low, high) == pytest.approx((ci.low, ci.high))
    assert low < 0.6  # 8/10 cannot rule out 60 % mastery
    assert score_interval(None, 10) is None and score_interval(0.5, 0) is None


def test_the_verdict_banner_says_how_many_questions_it_comes_from(db, passcode):
    report = take_test(db, "Ada", bank(), RIGHT)
    at = submit_passcode(AppTest.from_file(PAGE, default_timeout=60).run(), passcode)
    assert not at.exception
    banner = at.success[0].value
    assert f"This verdict comes from {report.overall.questions} questions" in banner
    assert "95 % interval is" in banner
    assert "not the best" in " ".join(c.value for c in at.caption)
