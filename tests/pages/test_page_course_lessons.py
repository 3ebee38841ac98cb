"""The course lessons page: an instructor's Markdown lessons, under the bank's title."""

from __future__ import annotations

import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "lessons" / "course_lessons.py")


def test_without_lessons_the_page_says_where_an_instructor_writes_them(demo_quizzes):
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    assert not at.exception
    assert "quizzes/my_bank/dropout.md" in at.info[0].value


def test_the_lesson_a_question_links_to_opens_with_its_text(demo_quizzes):
    shutil.copy(ROOT / "quizzes" / "regularisation.yaml", demo_quizzes)
    shutil.copytree(ROOT / "quizzes" / "regularisation", demo_quizzes / "regularisation")
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.query_params["lesson"] = "weight-decay"
    at.run()
    assert not at.exception
    assert at.header[0].value == "Weight decay"
    assert at.caption[0].value.startswith("Regularisation when fine-tuning")
    assert "adds wd · w to each weight's gradient" in at.markdown[0].value
    at.selectbox(key="course_lesson").select_index(0).run()
    assert at.header[0].value == "Dropout"
