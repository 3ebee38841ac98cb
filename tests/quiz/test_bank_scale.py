"""A 10 000-question bank loads whole and the quiz pages show one question of it.

Correctness only: how fast it loads is measured by bench/bank_scale.py, not asserted here.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from helpers.scale_bank import QUESTIONS, generate_bank_yaml
from streamlit.testing.v1 import AppTest

from engine.quiz.bank import load_bank_text
from engine.quiz.models import QuestionType

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def big_bank_text() -> str:
    return generate_bank_yaml(QUESTIONS)


def test_a_generated_bank_of_ten_thousand_questions_loads_every_question(big_bank_text):
    bank = load_bank_text(big_bank_text, filename="generated.yaml")
    assert len(bank.questions) == 10_000
    assert len({q.id for q in bank.questions}) == 10_000
    kinds = Counter(q.type for q in bank.questions)
    # Every type whose answer is data; a code question's answer is a program the sandbox
    # runs, and the 10 000-question generator writes none (bench/bank_scale.py).
    assert set(kinds) == set(QuestionType) - {QuestionType.CODE}
    assert min(kinds.values()) == 2_500


def test_practice_on_the_big_bank_shows_question_one_of_ten_thousand(
    big_bank_text, tmp_path: Path, monkeypatch
):
    (tmp_path / "generated.yaml").write_text(big_bank_text)
    monkeypatch.setenv("TUNELAB_QUIZ_DIR", str(tmp_path))
    monkeypatch.setenv("TUNELAB_DATA_DIR", str(tmp_path / "data"))
    at = AppTest.from_file("../../lessons/practice.py", default_timeout=120).run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    headers = [c.value for c in at.caption if c.value.startswith("Question ")]
    assert len(headers) == 1 and headers[0].startswith("Question 1 of 10000 ·"), headers
    # One question's input and nothing of the other 9 999: a radio, boxes or a number box.
    assert len(at.radio) + len(at.text_input) + (len(at.checkbox) > 0) == 1
