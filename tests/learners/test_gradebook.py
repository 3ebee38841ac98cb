"""The gradebook over a real SQLite store: tests taken through the quiz engine are the oracle."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from builders import bank
from helpers.seeded_answers import record_scored_answer, start_attempt
from helpers.store_backends import store_url  # noqa: F401  (fixture)
from helpers.taken_tests import RIGHT, WRONG, take_test

from engine.identity.my_data import delete_account
from engine.learners.gradebook import (
    NO_VERDICT,
    filter_gradebook,
    gradebook,
    gradebook_csv,
    gradebook_frame,
    learner_tests,
    report_as_seen,
    sort_gradebook,
)
from engine.learners.progress import Grouping, answers_frame, learner_history, score_by
from engine.learners.review import review_due
from engine.quiz.models import QuestionBank
from engine.quiz.plan import AttemptPlan, present
from engine.store import Store

NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def db(store_url):  # noqa: F811  (SQLite, and PostgreSQL when TUNELAB_TEST_PG_URL is set)
    with Store.open(store_url) as store:
        yield store


@pytest.fixture
def demo() -> QuestionBank:
    return bank()


def row_of(db: Store, demo: QuestionBank, name: str):
    [row] = [r for r in gradebook(db, {demo.id: demo}, now=NOW) if r.learner == name]
    return row


def test_a_row_has_tests_taken_best_and_last_score_and_the_verdict_the_learner_read(db, demo):
    first = take_test(db, "Ada", demo, WRONG)
    second = take_test(db, "Ada", demo, RIGHT, seed=2)
    third = take_test(db, "Ada", demo, {**RIGHT, "e1": WRONG["e1"]}, seed=3)
    row = row_of(db, demo, "Ada")
    assert row.tests == 3
    assert row.best == max(r.overall.fraction for r in (first, second, third)) == 1.0
    assert row.last == third.overall.fraction
    assert row.verdict == third.verdict.value


def test_mastery_by_difficulty_and_topic_is_the_share_of_points_over_every_answer(db, demo):
    reports = [take_test(db, "Ada", demo, WRONG), take_test(db, "Ada", demo, RIGHT, seed=2)]
    row = row_of(db, demo, "Ada")
    for difficulty, share in row.by_difficulty.items():
        lines = [r.by_difficulty[d] for r in reports for d in r.by_difficulty if d == difficulty]
        assert share == pytest.approx(
            sum(ln.score for ln in lines) / sum(ln.max_score for ln in lines)
        )
    history = learner_history(db, db.learner("Ada").id, demo.id)
    for by, shares in ((Grouping.DIFFICULTY, row.by_difficulty), (Grouping.TOPIC, row.by_topic)):
        progress_page = score_by(answers_frame(history), demo, by)  # what Ada's own page shows
        assert shares == pytest.approx(
            dict(zip(progress_page[by.value], progress_page["fraction"], strict=True))
        )
    assert set(row.by_difficulty) == {"easy", "medium", "hard"}
    assert set(row.by_topic) == {"basics", "metrics"}
    assert row.by_topic["basics"] == pytest.approx(0.5)  # e1 wrong once, right once


def test_due_reviews_count_the_missed_questions_waiting_in_the_leitner_queue(db, demo):
    take_test(db, "Ada", demo, {**RIGHT, "e1": WRONG["e1"], "m1": WRONG["m1"]})
    take_test(db, "Bob", demo, RIGHT)
    assert row_of(db, demo, "Ada").due_reviews == 2
    assert row_of(db, demo, "Bob").due_reviews == 0
    ada = db.learner("Ada").id
    assert row_of(db, demo, "Ada").due_reviews == len(review_due(db, ada, demo.id, now=NOW))


def test_a_learner_who_only_practised_has_no_scores_and_no_verdict(db, demo):
    take_test(db, "Ada", demo, RIGHT)
    learner = db.learner("Cy")
    db.start_attempt(learner.id, bank_id="demo", bank_version="1", mode="practice", seed=1, plan={})
    row = row_of(db, demo, "Cy")
    assert (row.tests, row.best, row.last, row.verdict) == (0, None, None, NO_VERDICT)


def test_the_answers_open_as_the_learner_saw_them_with_their_letters_and_picks(db, demo):
    seen = take_test(db, "Ada", demo, WRONG, seed=7)
    [test] = learner_tests(db, db.learner("Ada").id, demo, demo.id)
    report = report_as_seen(demo, test.attempt, db.answers(test.attempt.id))
    assert report == seen
    plan = AttemptPlan.from_json(test.attempt.plan)
    for review in report.reviews:
        assert review.question == present(demo, plan, review.question.id)
        assert review.response == WRONG[review.question.id]


def test_a_test_from_an_older_bank_version_keeps_its_score_but_not_a_verdict(db, demo):
    seen = take_test(db, "Ada", demo, WRONG)
    newer = bank(version="2")
    [test] = learner_tests(db, db.learner("Ada").id, newer, newer.id)
    assert test.report is None and test.verdict == NO_VERDICT
    assert test.fraction == pytest.approx(seen.overall.fraction)


def test_a_question_edited_without_a_new_version_is_not_shown_as_if_seen(db, demo):
    take_test(db, "Ada", demo, WRONG)
    edited = bank()
    edited_questions = [q.model_copy(update={"prompt": "Reworded?"}) for q in edited.questions]
    edited = edited.model_copy(update={"questions": edited_questions})
    [test] = learner_tests(db, db.learner("Ada").id, edited, edited.id)
    assert test.report is None


def test_deleted_accounts_kept_as_anonymous_counts_are_nobodys_row(db, demo):
    take_test(db, "Ada", demo, RIGHT)
    take_test(db, "Bob", demo, WRONG)
    delete_account(db, db.learner("Bob"), keep_anonymous_counts=True)
    assert [r.learner for r in gradebook(db, {demo.id: demo}, now=NOW)] == ["Ada"]


def test_filter_by_name_bank_and_verdict_then_sort_with_empty_scores_last(db, demo):
    other = bank(id="other")
    take_test(db, "Ada Lovelace", demo, RIGHT)
    take_test(db, "Bob", demo, WRONG)
    take_test(db, "ada b", other, WRONG)
    db.start_attempt(
        db.learner("Cy").id, bank_id="demo", bank_version="1", mode="practice", seed=1, plan={}
    )
    frame = gradebook_frame(gradebook(db, {"demo": demo, "other": other}, now=NOW))
    assert filter_gradebook(frame, name_contains=" ADA")["learner"].tolist() == [
        "ada b",
        "Ada Lovelace",
    ]
    assert filter_gradebook(frame, banks=["other"])["learner"].tolist() == ["ada b"]
    strong = filter_gradebook(frame, verdicts=["strong"])
    assert strong["learner"].tolist() == ["Ada Lovelace"]
    by_last = sort_gradebook(frame, "last", descending=True)
    assert by_last["learner"].tolist()[0] == "Ada Lovelace"
    assert by_last["learner"].tolist()[-1] == "Cy"  # no test yet: last either way
    assert sort_gradebook(frame, "last")["learner"].tolist()[-1] == "Cy"
    with pytest.raises(ValueError, match="Cannot sort the gradebook by 'shoe size'"):
        sort_gradebook(frame, "shoe size")


def test_the_csv_has_every_row_and_defuses_a_formula_like_name(db, demo):
    take_test(db, "=HYPERLINK(1)", demo, RIGHT)
    take_test(db, "Bob", demo, WRONG)
    frame = gradebook_frame(gradebook(db, {demo.id: demo}, now=NOW))
    rows = list(csv.DictReader(io.StringIO(gradebook_csv(frame))))
    assert [r["learner"] for r in rows] == ["'=HYPERLINK(1)", "Bob"]
    assert [float(r["last"]) for r in rows] == frame["last"].tolist()
    assert rows[1]["verdict"] == frame["verdict"][1]


def test_a_recorded_test_without_a_usable_plan_scores_from_its_answers(db, demo):
    attempt = start_attempt(db, "Ada")
    record_scored_answer(db, attempt.id, "e1", 0.0, response=["b"])
    db.finish_attempt(attempt.id)
    row = row_of(db, demo, "Ada")
    assert (row.tests, row.last, row.verdict) == (1, 0.0, NO_VERDICT)
