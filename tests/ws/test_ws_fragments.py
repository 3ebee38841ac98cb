"""A click in a quiz page's question area, sent as a browser sends it (naming the fragment
the widget was drawn in), reruns only that area: the reply is the question area alone, and
what it acknowledges is in the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.arrival import session_token
from helpers.st_ws import StreamlitSession, quiz_folder, serving_app, trigger
from helpers.template_bank import write_widget_answered_template
from helpers.ws_answers import form_submitter, legit_answer

from engine.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    base = tmp_path_factory.mktemp("ws-fragments")
    write_widget_answered_template(quiz_folder(base) / "example.yaml")
    with serving_app(base) as url:
        yield url, base / "data" / "tunelab.db"


def answers_of(db_path: Path, name: str) -> list[str]:
    with Store.open(f"sqlite:///{db_path}") as store:
        learner = store.learner(name)
        return [
            answer.question_id
            for attempt in store.attempts(learner.id)
            for answer in store.answers(attempt.id)
        ]


def labels(render) -> list[str]:
    return [e.button.label for e in render.of_kind("button")]


def headings(render) -> list[str]:
    return [e.heading.body for e in render.of_kind("heading")]


def test_submit_on_practice_reruns_only_the_question_area_and_stores_the_answer(server):
    url, db_path = server
    link = f"session={session_token('Frida', f'sqlite:///{db_path}')}"
    with StreamlitSession(url, link) as session:
        page = session.rerun("practice")
        assert "Practice" in headings(page)
        submit = form_submitter(page)
        fragment = page.fragment_of(submit)
        assert fragment, "the answer form is drawn outside any fragment"
        graded = session.rerun("practice", legit_answer(page), fragment)
        assert not graded.exceptions, graded.exceptions
        assert any(w in graded.text for w in ("Correct (", "Partly right", "Not quite"))
        # Only the question area came back: no page title, no sign-out button.
        assert "Practice" not in headings(graded)
        assert "Sign out" not in labels(graded)
        assert set(graded.fragment_ids) == {fragment}
    assert len(answers_of(db_path, "Frida")) == 1


def test_start_and_every_answer_on_the_test_page_are_question_area_reruns(server):
    url, db_path = server
    link = f"session={session_token('Gustav', f'sqlite:///{db_path}')}"
    with StreamlitSession(url, link) as session:
        page = session.rerun("test_pattern")
        start = page.button("Start the test")
        assert page.fragment_of(start)
        shown = session.rerun("test_pattern", [trigger(start)], page.fragment_of(start))
        answered = 0
        while "Submit answer" in labels(shown):
            submit = shown.button("Submit answer")
            shown = session.rerun("test_pattern", legit_answer(shown), shown.fragment_of(submit))
            assert not shown.exceptions, shown.exceptions
            assert "Test this pattern" not in headings(shown)
            answered += 1
        assert "Pattern " in shown.text  # the report, drawn by the last answer's run
    assert len(answers_of(db_path, "Gustav")) == answered > 0
