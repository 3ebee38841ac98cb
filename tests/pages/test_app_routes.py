"""The router and the lesson ids agree: every lesson a bank may link to is a routed page."""

from __future__ import annotations

import re
from pathlib import Path

from engine.quiz.models import LESSON_IDS

ROOT = Path(__file__).resolve().parents[2]


def test_every_lesson_id_is_a_page_file_that_app_py_routes():
    routes = (ROOT / "app.py").read_text()
    for lesson in LESSON_IDS:
        page = f"lessons/{lesson}.py"
        assert (ROOT / page).is_file(), page
        assert f'"{page}"' in routes, f"{page} is not routed in app.py"


def test_every_routed_lesson_page_is_a_lesson_id_a_question_may_link_to():
    # A routed lesson that no question could link to would be a page no feedback sends anyone to.
    routes = (ROOT / "app.py").read_text()
    lessons_section = routes.split('"Lessons": [')[1].split("],")[0]
    routed = set(re.findall(r'"lessons/(\w+)\.py"', lessons_section))
    assert routed and routed <= set(LESSON_IDS)
