"""Learner text stays text on every page that shows it (issue 19): learners named, answering
and raising hostile Markdown, swept page by page; any image, link or HTML that reaches
Streamlit's Markdown renderer fails (tests/helpers/markdown_oracle.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from builders import bank_dict, question
from helpers.arrival import session_token
from helpers.markdown_oracle import hostile_markup_on, live_markup, markdown_strings
from helpers.page_forms import sign_in, submit_passcode
from helpers.taken_tests import take_test
from streamlit.testing.v1 import AppTest

from engine.codecheck.spec import CheckOutcome, GradeResult
from engine.quiz.bank import load_bank
from engine.quiz.grading import Response
from engine.store import Store

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
EVIL = "http://evil.example"
HOSTILE_NAMES = [
    f"![n]({EVIL}/name.png)",
    f"[click]({EVIL}/l)",
    f"<img src={EVIL}/i.png>",
    f"{EVIL}/bare",
    "`code` **b** :red[x] $x$",
    "W" * 40,  # the longest name a learner may choose
]
HOSTILE_CODE = f"s = '''\n```\n![c]({EVIL}/code.png)\n````\n'''\nraise Exception(s)\n"
HOSTILE_MESSAGE = f"Your code raised Exception: ![m]({EVIL}/msg.png) <b>bold</b>"
HOSTILE_CHECK = f"![t]({EVIL}/check.png) [l]({EVIL}/l)"

CODE_QUESTION = {
    "id": "c1",
    "difficulty": "hard",
    "topic": "freezing",
    "type": "code",
    "prompt": "Write `freeze(model)`.",
    "function": "freeze",
    "starter_code": "def freeze(model):\n    ...\n",
    "checks": [{"check": "trainable_exactly", "name": "Only fc trains", "prefixes": ["fc"]}],
    "reference_solution": "def freeze(model):\n    pass\n",
    "solution": {"steps": ["Freeze."], "final_answer": "Freeze all but fc."},
    "quick_check": "Only fc.",
    "hint": "requires_grad.",
    "common_mistakes": ["model.eval()."],
}


@pytest.fixture
def class_with_hostile_text(demo_quizzes: Path, db: Store, passcode: str) -> Store:
    """A bank with a choice and a code question; each hostile name took a test whose code
    answer closes fences and whose result quotes images."""
    data = bank_dict([question("e1"), CODE_QUESTION])
    path = demo_quizzes / "demo.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    bank = load_bank(path)
    result = GradeResult(
        gradable=True,
        score=0.0,
        message=HOSTILE_MESSAGE,
        tests=[
            CheckOutcome(
                name="Only fc trains", points=0, max_points=1, passed=False, message=HOSTILE_CHECK
            )
        ],
    )
    answers = {"e1": Response.choices(["b"]), "c1": Response.code_answer(HOSTILE_CODE, result)}
    for name in HOSTILE_NAMES:
        take_test(db, name, bank, answers)
    return db


def test_the_oracle_sees_what_unescaped_learner_text_would_do():
    # The strings as the pages rendered them before issue 19 are caught, every kind.
    assert live_markup(f"**{HOSTILE_NAMES[0]}'s answer:**") != []
    assert live_markup(f"```python\n{HOSTILE_CODE}\n```") != []
    assert live_markup(HOSTILE_MESSAGE) != []
    assert live_markup(f"Welcome, {EVIL}/bare") != []
    # Escaping alone leaves a bare address: Streamlit links it after resolving escapes.
    assert live_markup("Welcome, http\\:\\/\\/evil\\.example/bare") != []
    assert live_markup("**Ada's answer:**\n\n```python\nprint('![x](y)')\n```") == []


def test_the_gradebook_shows_every_hostile_learner_and_answer_as_plain_text(
    class_with_hostile_text, passcode
):
    at = AppTest.from_file(str(LESSONS / "gradebook.py"), default_timeout=60).run()
    at = submit_passcode(at, passcode)
    pairs = at.selectbox(key="gb_learner").options
    assert len(pairs) == len(HOSTILE_NAMES)
    shown_answers = 0
    for index in range(len(pairs)):
        at.selectbox(key="gb_learner").set_value(index).run()
        assert not at.exception, at.exception
        assert hostile_markup_on(at) == []
        texts = "\n".join(markdown_strings(at))
        shown_answers += "answer:**" in texts and "raise Exception" in texts
        assert "Your code raised Exception" in texts  # the message is there, as text
    assert shown_answers == len(HOSTILE_NAMES)


@pytest.mark.parametrize(
    "page", ["progress.py", "test_pattern.py", "my_data.py", "review.py", "practice.py"]
)
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_learners_own_pages_show_their_hostile_name_as_text(class_with_hostile_text, page, name):
    at = AppTest.from_file(str(LESSONS / page), default_timeout=60)
    at.query_params["session"] = session_token(name)
    at.run()
    assert not at.exception, at.exception
    assert hostile_markup_on(at) == []


@pytest.mark.parametrize("name", HOSTILE_NAMES[:4])
def test_the_welcome_after_signing_in_shows_the_name_as_text(demo_quizzes, db, name):
    at = AppTest.from_file(str(LESSONS / "progress.py"), default_timeout=60).run()
    at = sign_in(at, name, "a fine pin")
    assert any("Welcome" in s.value for s in at.success)
    assert hostile_markup_on(at) == []


def test_the_learners_page_confirms_resets_and_unlocks_of_hostile_names_as_text(
    class_with_hostile_text, passcode
):
    at = AppTest.from_file(str(LESSONS / "instructor_learners.py"), default_timeout=60).run()
    at = submit_passcode(at, passcode)
    for name in [*HOSTILE_NAMES, f"![nobody]({EVIL}/x.png)"]:
        for field, button in (
            ("reset_pin_name", "reset_pin_submit"),
            ("clear_lock_name", "clear_lock_submit"),
        ):
            at.text_input(key=field).input(name)
            at.button(key=button).click().run()
            assert not at.exception, at.exception
            assert at.success or at.warning
            assert hostile_markup_on(at) == []


@pytest.mark.parametrize("page", ["instructor_stats.py", "instructor_banks.py"])
def test_the_other_instructor_pages_over_hostile_learners_show_no_live_markup(
    class_with_hostile_text, passcode, page
):
    at = submit_passcode(AppTest.from_file(str(LESSONS / page), default_timeout=60).run(), passcode)
    assert not at.exception, at.exception
    assert hostile_markup_on(at) == []
