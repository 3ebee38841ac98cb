"""Banks edited, added or broken on disk show up on the next rerun; a retake reshuffles."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from builders import bank, bank_yaml, question, standard_questions
from helpers.arrival import TEST_PIN, signed_in
from streamlit.testing.v1 import AppTest

from engine.modes import AttemptMode
from engine.quiz.attempt import TestAttempt
from engine.quiz.plan import plan_attempt
from engine.store import Store


@pytest.fixture
def banks(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "quizzes"
    folder.mkdir()
    (folder / "demo.yaml").write_text(bank_yaml())
    monkeypatch.delenv("TUNELAB_DATABASE_URL", raising=False)
    monkeypatch.setenv("TUNELAB_QUIZ_DIR", str(folder))
    monkeypatch.setenv("TUNELAB_DATA_DIR", str(tmp_path / "data"))
    return folder


def write_later(path: Path, text: str) -> None:
    """Write ``text`` and move the mtime on, as an edit made a while later would."""
    mtime = path.stat().st_mtime if path.exists() else 0
    path.write_text(text)
    later = max(mtime, path.stat().st_mtime) + 10
    os.utime(path, (later, later))


def home() -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    assert not at.exception
    return at


def bank_titles(at: AppTest) -> list[str]:
    return [m.value.split("**")[1] for m in at.markdown if " · version " in m.value]


def test_a_bank_edited_on_disk_is_shown_on_the_next_rerun_without_a_restart(banks):
    at = home()
    assert bank_titles(at) == ["Demo bank"]

    write_later(banks / "demo.yaml", bank_yaml(title="Renamed bank"))
    at.run()
    assert not at.exception
    assert bank_titles(at) == ["Renamed bank"]


def test_an_edited_prompt_reaches_a_practice_session_already_under_way(banks):
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page("lessons/practice.py").run()
    assert any(m.value == "Which is right?" for m in at.markdown)

    questions = standard_questions()
    questions[0]["prompt"] = "Which one is right, now?"
    write_later(banks / "demo.yaml", bank_yaml(questions=questions))
    at.run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert "Which one is right, now?" in texts and "Which is right?" not in texts


def test_a_bank_added_to_the_folder_appears_and_a_bank_that_breaks_shows_its_error(banks):
    at = home()
    write_later(banks / "second.yaml", bank_yaml(id="second", title="Second bank"))
    at.run()
    assert not at.exception
    assert bank_titles(at) == ["Demo bank", "Second bank"]
    assert not at.error

    write_later(banks / "demo.yaml", "id: [unclosed\n")
    at.run()
    assert not at.exception
    assert bank_titles(at) == ["Second bank"]
    # A learner reads that one bank is unavailable: no file names, no server paths.
    assert not at.error and not at.code
    [notice] = at.warning
    assert notice.value.startswith("One question bank is unavailable")
    assert "demo.yaml" not in notice.value

    at.session_state["instructor_unlocked"] = True  # as the passcode form sets it
    at.run()
    [error] = at.error
    assert "**demo.yaml** could not be loaded" in error.value
    assert "not valid YAML" in at.code[0].value


def test_home_gives_the_size_of_the_test_not_of_the_bank(banks):
    questions = [*standard_questions(), *(q | {"id": "x" + q["id"]} for q in standard_questions())]
    write_later(banks / "demo.yaml", bank_yaml(questions=questions))
    at = home()
    test_card = next(m.value for m in at.markdown if m.value.startswith("#### Test this pattern"))
    assert "3 questions across" in test_card
    size = f"a test of 3 questions drawn from {len(questions)}"
    assert any(size in m.value for m in at.markdown)


def test_a_bank_that_is_fixed_again_comes_back(banks):
    at = home()
    good = (banks / "demo.yaml").read_text()
    write_later(banks / "demo.yaml", "id: [unclosed\n")
    at.run()
    assert bank_titles(at) == [] and at.warning

    write_later(banks / "demo.yaml", good)
    at.run()
    assert bank_titles(at) == ["Demo bank"] and not at.warning


# --- Test this pattern: "Retake with new questions" -----------------------------------

THREE_EASY_QUESTIONS = [
    question("e1", difficulty="easy"),
    question("e2", difficulty="easy", answer="b"),
    question("e3", difficulty="easy", answer="c"),
]


def seeds_with_different_plans() -> tuple[int, int]:
    """Two seeds whose test plans differ in the questions drawn (the bank is fixed)."""
    demo = bank(questions=THREE_EASY_QUESTIONS)
    first = plan_attempt(demo, AttemptMode.TEST, 1)
    second = next(
        s
        for s in range(2, 100)
        if plan_attempt(demo, AttemptMode.TEST, s).question_ids != first.question_ids
    )
    return 1, second


def the_attempt(at: AppTest) -> TestAttempt:
    [key] = [k for k in at.session_state if k.startswith("test::") and k.count("::") == 3]
    return at.session_state[key].attempt


def test_retake_with_new_questions_starts_a_new_differently_drawn_attempt(banks, monkeypatch):
    (banks / "demo.yaml").write_text(bank_yaml(questions=THREE_EASY_QUESTIONS))
    first_seed, second_seed = seeds_with_different_plans()
    scripted = iter([first_seed, second_seed])
    real = random.randrange
    monkeypatch.setattr(
        random, "randrange", lambda *a, **k: next(scripted) if a == (2**31,) else real(*a, **k)
    )

    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page("lessons/test_pattern.py").run()
    at.text_input(key="learner_name").input("Ada")
    at.text_input(key="learner_pin").input(TEST_PIN)
    at.button(key="sign_in_submit").click().run()
    at.button(key="start").click().run()
    first = the_attempt(at)
    assert first.plan.seed == first_seed
    [qid] = first.plan.question_ids
    next(r for r in at.radio if r.key == f"answer_{qid}").set_value("a")
    at.button(key="submit").click().run()
    assert not at.exception
    assert first.finished and len(at.expander) == 1  # the report reviews its one question

    at.button(key="retake").click().run()
    assert not at.exception
    retake = the_attempt(at)
    assert retake is not first and not retake.finished and not retake.responses
    assert retake.plan.seed == second_seed
    assert retake.plan.question_ids != first.plan.question_ids
    demo = bank(questions=THREE_EASY_QUESTIONS)
    # the retake avoids the first test's question while the pool has others
    avoided = frozenset(first.plan.question_ids)
    assert retake.plan == plan_attempt(demo, AttemptMode.TEST, second_seed, avoided)
    [shown] = [r for r in at.radio if r.key and r.key.startswith("answer_")]
    assert shown.key == f"answer_{retake.plan.question_ids[0]}"


def renamed(current: str) -> list[dict]:
    """The standard questions with `current` under a new id: to a session, it is gone."""
    questions = standard_questions()
    for q in questions:
        if q["id"] == current:
            q["id"] = f"{current}-new"
    return questions


def test_practice_on_a_question_removed_from_the_bank_starts_again_instead_of_crashing(banks):
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page("lessons/practice.py").run()
    [key] = [k for k in at.session_state if k.startswith("practice::")]
    state = at.session_state[key]
    current = state.current

    write_later(banks / "demo.yaml", bank_yaml(questions=renamed(current)))
    at.run()
    assert not at.exception, at.exception
    assert any("lost some questions: starting again" in i.value for i in at.info)
    assert any(c.value.startswith("Question 1 of 4") for c in at.caption)


def test_a_test_whose_questions_vanish_is_closed_and_a_new_one_can_start(banks):
    at = signed_in("Ada", "lessons/test_pattern.py")
    at.button(key="start").click().run()
    attempt = the_attempt(at)
    write_later(banks / "demo.yaml", bank_yaml(questions=renamed(attempt.current)))
    at.run()
    assert not at.exception, at.exception
    assert "edited during your test" in at.warning[0].value
    at.button(key="start").click().run()
    assert not at.exception
    assert any("Question 1 of 3" in c.value for c in at.caption)
    with Store.open() as store:
        learner = store.learner("Ada")
        assert [a.finished_at is not None for a in store.attempts(learner.id)] == [True, False]
