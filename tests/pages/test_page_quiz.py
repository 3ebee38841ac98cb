"""Practice and test pages, driven as a learner would through AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import bank_yaml
from helpers.arrival import TEST_PIN, signed_in
from streamlit.testing.v1 import AppTest

RIGHT = {"e1": "a", "h2": "true"}


@pytest.fixture
def demo_banks(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "demo.yaml").write_text(bank_yaml())
    monkeypatch.setenv("TUNELAB_QUIZ_DIR", str(tmp_path))
    monkeypatch.setenv("TUNELAB_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def sign_in(at: AppTest, name: str = "Ada") -> None:
    at.text_input(key="learner_name").input(name)
    at.text_input(key="learner_pin").input(TEST_PIN)
    at.button(key="sign_in_submit").click().run()
    assert not at.exception


def app(page: str) -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page(page).run()
    assert not at.exception
    return at


def answer(at: AppTest, qid: str, right: bool) -> None:
    """Fill the current question's input with the right or a wrong answer."""
    radios = [r for r in at.radio if r.key and r.key.startswith(f"answer_{qid}")]
    if radios:
        radios[0].set_value(RIGHT[qid] if right else ("b" if qid == "e1" else "false"))
    elif qid == "m1":
        for cid in ("a", "c") if right else ("b",):
            next(c for c in at.checkbox if c.key.endswith(f"_{cid}")).check()
    else:
        [box] = at.text_input
        box.input("0.871" if right else "0.5")


def current_qid(at: AppTest) -> str:
    keys = [w.key for w in (*at.radio, *at.checkbox, *at.text_input) if w.key]
    return keys[0].split("_")[1]


def test_practice_starts_with_no_choice_preselected(demo_banks):
    at = app("lessons/practice.py")
    assert at.title[0].value == "Practice"
    assert at.radio[0].value is None


def test_practice_wrong_then_right_shows_feedback_and_solution(demo_banks):
    at = app("lessons/practice.py")
    answer(at, "e1", right=False)
    at.button(key="submit").click().run()
    assert not at.exception
    assert at.error[0].value == "Not quite."
    text = " ".join(m.value for m in at.markdown)
    assert "No." in text and "Think." in text and "Picking b." in text
    assert "Check it." in at.info[0].value

    at.button(key="retry").click().run()
    assert at.radio[0].value is None
    answer(at, "e1", right=True)
    at.button(key="submit").click().run()
    assert at.success[0].value.startswith("Correct")
    assert "1 of 4 answered correctly" in at.get("progress")[0].proto.text


def test_practice_hint_is_shown_on_request(demo_banks):
    at = app("lessons/practice.py")
    at.button(key="hint").click().run()
    assert at.info[0].value == "**Hint:** A hint."


def test_practice_submit_without_an_answer_asks_for_one(demo_banks):
    at = app("lessons/practice.py")
    at.button(key="submit").click().run()
    assert at.warning[0].value == "Choose an answer first."


def test_a_whole_test_ends_in_a_report_with_a_verdict(demo_banks):
    at = app("lessons/test_pattern.py")
    sign_in(at)
    assert "3 questions: 1 easy, 1 medium, 1 hard" in " ".join(m.value for m in at.markdown)
    at.button(key="start").click().run()
    seen = []
    for _ in range(3):
        qid = current_qid(at)
        seen.append(qid)
        # no feedback, solution or verdict while the test runs
        assert not at.success and not at.error
        answer(at, qid, right=True)
        at.button(key="submit").click().run()
        assert not at.exception
    assert seen[0] == "e1" and seen[1] == "m1"
    assert at.success[0].value.startswith("**Pattern strong** — 3 / 3.")
    assert len(at.expander) == 3


def test_a_wrong_test_is_not_strong_and_retake_starts_again(demo_banks):
    at = app("lessons/test_pattern.py")
    sign_in(at)
    at.button(key="start").click().run()
    for _ in range(3):
        answer(at, current_qid(at), right=False)
        at.button(key="submit").click().run()
    assert at.error[0].value.startswith("**Pattern not yet** — 0 / 3.")
    at.button(key="retake").click().run()
    assert "1 easy" not in " ".join(m.value for m in at.markdown)  # straight into question 1
    assert current_qid(at) == "e1"


def test_home_lists_every_bank_and_shows_a_broken_one_without_crashing(demo_banks):
    (demo_banks / "broken.yaml").write_text("id: [unclosed\n")
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Fine-tuning strategy in PyTorch"
    assert any("Demo bank" in m.value for m in at.markdown)
    # A learner is told one bank is unavailable; the details are for instructors.
    assert at.warning[0].value.startswith("One question bank is unavailable")
    assert not at.code
    at.session_state["instructor_unlocked"] = True
    at.run()
    assert "broken.yaml" in at.error[0].value
    assert "not valid YAML" in at.code[0].value


def test_the_test_asks_for_a_name_before_starting(demo_banks):
    at = app("lessons/test_pattern.py")
    assert at.text_input(key="learner_name")
    with pytest.raises(KeyError):
        at.button(key="start")


def test_an_unfinished_test_resumes_in_a_new_session(demo_banks):
    from engine.store import Store

    at = app("lessons/test_pattern.py")
    sign_in(at, "Grace")
    at.button(key="start").click().run()
    first = current_qid(at)
    answer(at, first, right=True)
    at.button(key="submit").click().run()
    second = current_qid(at)

    # A reload is a new session that only has the signed token in the URL.
    token = at.query_params["session"]
    assert "Grace" not in str(token)
    again = AppTest.from_file("../../app.py", default_timeout=60)
    again.query_params["session"] = token
    again.run()
    again.switch_page("lessons/test_pattern.py").run()
    assert current_qid(again) == second
    assert "resumes at question 2" in again.info[0].value

    with Store.open() as db:
        learner = db.learner("Grace")
        [attempt] = db.attempts(learner.id)
        [saved] = db.answers(attempt.id)
    assert saved.question_id == first and saved.correct
    assert attempt.finished_at is None


def test_practice_answers_of_a_signed_in_learner_are_recorded(demo_banks):
    from engine.store import Store

    at = signed_in("Lin", "lessons/practice.py")
    at.button(key="hint").click().run()
    answer(at, "e1", right=True)
    at.button(key="submit").click().run()
    assert not at.exception
    with Store.open() as db:
        [attempt] = db.attempts(db.learner("Lin").id)
        [saved] = db.answers(attempt.id)
    assert (saved.question_id, saved.correct, saved.used_hint) == ("e1", True, True)
