"""Crafted websocket messages against a real server: refused on the page, recorded nowhere.

A raw client (tests/helpers/st_ws.py) sends BackMsgs no browser would send: a choice that
is not an option, a widget state for a question outside the attempt, a second answer to a
locked question, an answer after the test ended; and passcode guesses on instructor pages.
The database is then read directly: it holds exactly the legitimate answers.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.arrival import session_token
from helpers.st_ws import (
    Render,
    StreamlitSession,
    quiz_folder,
    radio_pick,
    serving_app,
    trigger,
)
from helpers.template_bank import write_widget_answered_template
from helpers.ws_answers import form_submitter, legit_answer
from streamlit.proto.WidgetStates_pb2 import WidgetState

from engine.quiz.bank import load_bank
from engine.store import Store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "quizzes" / "_example.yaml"  # served without its code question and family
BANK = load_bank(EXAMPLE)
PASSCODE = "correct horse battery staple"
TEST_PAGE, PRACTICE_PAGE = "test_pattern", "practice"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    base = tmp_path_factory.mktemp("ws-crafted")
    # Written as example.yaml: a file whose name starts with "_" is not listed.
    write_widget_answered_template(quiz_folder(base) / "example.yaml")
    with serving_app(base, {"TUNELAB_INSTRUCTOR_PASSCODE": PASSCODE}) as url:
        yield url, base / "data" / "tunelab.db"


def recorded(db_path: Path, name: str) -> list[tuple[str, list[str] | float, bool]]:
    """(question id, response, attempt finished) for every answer this learner has."""
    with Store.open(f"sqlite:///{db_path}") as store:
        learner = store.learner(name)
        return [
            (answer.question_id, answer.response, attempt.finished_at is not None)
            for attempt in store.attempts(learner.id)
            for answer in store.answers(attempt.id)
        ]


def current_question(render: Render) -> str:
    """The id of the question on screen, read from its form id (test_form_<id>)."""
    widget = render.answer_input()
    form_id = getattr(widget, widget.WhichOneof("type")).form_id
    match = re.fullmatch(r"(?:test|practice)_form_(.+?)(?:_\d+)?", form_id)
    assert match, form_id
    qid = match.group(1)
    assert BANK.question(qid) is not None, qid
    return qid


def arrival(db_path: Path, name: str) -> str:
    """The query string of a signed-in learner's link (a signed token, never the name)."""
    return f"session={session_token(name, f'sqlite:///{db_path}')}"


def new_crafter() -> str:
    """A learner no other test has used, so each test starts an attempt of its own."""
    return f"crafter-{uuid.uuid4().hex[:8]}"


def start_test(server: tuple[str, Path], name: str) -> tuple[StreamlitSession, Render]:
    url, db_path = server
    session = StreamlitSession(url, arrival(db_path, name))
    first = session.rerun(TEST_PAGE)
    assert f"Signed in as **{name}**" in first.text, first.text
    render = session.rerun(TEST_PAGE, [trigger(first.button("Start the test"))])
    assert "Question 1 of 4" in render.text, render.text
    return session, render


def crafted_radio(render: Render, value: str) -> list[WidgetState]:
    """The on-screen radio set to `value` (not one of its labels), and submit clicked."""
    radio = render.answer_input()
    assert radio.WhichOneof("type") == "radio"  # the easy questions are both radios
    submit = form_submitter(render)
    return [radio_pick(radio, value), trigger(submit)]


def test_a_choice_that_is_not_an_option_is_refused_and_recorded_nowhere(server):
    db_path, name = server[1], new_crafter()
    session, render = start_test(server, name)
    with session:
        qid = current_question(render)
        # Streamlit 1.67 resets a radio value that is not one of its labels to the default
        # (None here); whatever the layer that refuses it, nothing may be recorded.
        foreign = next(c.id for q in BANK.questions if q.id != qid for c in q.choices)
        for value in ("not-an-option", foreign, "", "A"):
            after = session.rerun(TEST_PAGE, crafted_radio(render, value))
            assert not after.exceptions, after.exceptions
            assert "Question 1 of 4" in after.text, f"{value!r} moved the test on"
            assert "not an option" in after.text or "Choose an answer" in after.text, after.text
        assert recorded(db_path, name) == []
        # The same session still takes a real answer: the refusals broke nothing.
        after = session.rerun(TEST_PAGE, legit_answer(render))
        assert "Question 2 of 4" in after.text, after.text
    assert [q for q, _, _ in recorded(db_path, name)] == [qid]


def test_a_widget_state_for_a_question_outside_the_attempt_is_ignored(server):
    db_path, name = server[1], new_crafter()
    session, render = start_test(server, name)
    with session:
        qid = current_question(render)
        radio = render.answer_input().radio
        submit = form_submitter(render)
        for other in ("ghost-question", *(q.id for q in BANK.questions if q.id != qid)):
            forged = WidgetState(
                id=radio.id.replace(f"answer_{qid}", f"answer_{other}"),
                string_value=radio.options[0],
            )
            after = session.rerun(TEST_PAGE, [forged, trigger(submit)])
            assert not after.exceptions, after.exceptions
            assert "Question 1 of 4" in after.text
            assert "Choose an answer first" in after.text  # the real radio stayed empty
    assert recorded(db_path, name) == []


def test_a_second_answer_to_a_locked_question_is_refused(server):
    db_path, name = server[1], new_crafter()
    session, render = start_test(server, name)
    with session:
        qid = current_question(render)
        first_try = legit_answer(render)
        second = session.rerun(TEST_PAGE, first_try)
        assert "Question 2 of 4" in second.text
        kept = recorded(db_path, name)
        assert [q for q, _, _ in kept] == [qid]
        radio = render.answer_input().radio
        # Replays of question 1's form, with another option: the page has moved on.
        for option in radio.options[1:]:
            after = session.rerun(
                TEST_PAGE, [radio_pick(render.answer_input(), option), *first_try[1:]]
            )
            assert not after.exceptions, after.exceptions
            assert "Question 2 of 4" in after.text
        # And the same replay sent twice at once (a double click racing the rerun).
        after = session.rerun(TEST_PAGE, first_try)
        assert "Question 2 of 4" in after.text
    assert recorded(db_path, name) == kept


def test_an_answer_after_the_test_ended_is_refused(server):
    db_path, name = server[1], new_crafter()
    session, render = start_test(server, name)
    with session:
        last: list[WidgetState] = []
        for number in range(1, 5):
            assert f"Question {number} of 4" in render.text, render.text
            last = legit_answer(render)
            render = session.rerun(TEST_PAGE, last)
        assert "Retake with new questions" in [e.button.label for e in render.of_kind("button")]
        kept = recorded(db_path, name)
        assert len(kept) == 4 and all(finished for _, _, finished in kept)
        for _ in range(2):
            after = session.rerun(TEST_PAGE, last)
            assert not after.exceptions, after.exceptions
            assert re.search(r"Pattern (strong|developing|not yet)", after.text)
    assert recorded(db_path, name) == kept


def answer_until_numeric(session: StreamlitSession, render: Render) -> Render:
    """Answer test questions legitimately until the numeric one is on screen."""
    while render.answer_input().WhichOneof("type") != "text_input":
        render = session.rerun(TEST_PAGE, legit_answer(render))
    return render


CRAFTED_NUMBERS = ("nan", "inf", "-inf", "1e999", "0x1p-2", "9" * 5000, "1;DROP TABLE answers")


def test_a_crafted_number_is_refused_and_recorded_nowhere(server):
    db_path, name = server[1], new_crafter()
    session, render = start_test(server, name)
    with session:
        render = answer_until_numeric(session, render)
        before = recorded(db_path, name)
        field = render.answer_input().text_input
        submit = form_submitter(render)
        for value in CRAFTED_NUMBERS:
            after = session.rerun(
                TEST_PAGE, [WidgetState(id=field.id, string_value=value), trigger(submit)]
            )
            assert not after.exceptions, (value, after.exceptions)
            assert "is not a number" in after.text or "finite" in after.text, (value, after.text)
        assert recorded(db_path, name) == before


def test_practice_refuses_crafted_answers_and_records_nothing(server):
    url, db_path = server
    name = new_crafter()
    with StreamlitSession(url, arrival(db_path, name)) as session:
        render = session.rerun(PRACTICE_PAGE)
        seen = set()
        for _ in range(4):  # every question of the bank, whatever its type
            widget = render.answer_input()
            kind = widget.WhichOneof("type")
            seen.add(kind)
            submit = form_submitter(render)
            if kind == "radio":
                # "cancer" is a choice id of another question; a raw id of THIS question
                # would count as picking it, which is no forgery.
                crafted = [radio_pick(widget, v) for v in ("not-an-option", "cancer", "")]
            elif kind == "checkbox":
                # A checkbox id for a choice that does not exist, and a bool where text goes.
                ghost = widget.checkbox.id.rsplit("_", 1)[0] + "_ghost-choice"
                crafted = [WidgetState(id=ghost, bool_value=True)]
            else:
                crafted = [
                    WidgetState(id=widget.text_input.id, string_value=v) for v in CRAFTED_NUMBERS
                ]
            for state in crafted:
                after = session.rerun(PRACTICE_PAGE, [state, trigger(submit)])
                assert not after.exceptions, (state, after.exceptions)
                assert "Correct (" not in after.text and "Not quite" not in after.text, state
            render = session.rerun(PRACTICE_PAGE, [trigger(render.button("Next question"))])
        assert seen == {"radio", "checkbox", "text_input"}
    assert recorded(db_path, name) == []


# ---------------------------------------------------------------- instructor pages


def unlock_form(render: Render) -> tuple[str, WidgetState]:
    field = next(e for e in render.of_kind("text_input") if e.text_input.label.startswith("Instr"))
    return field.text_input.id, trigger(render.button("Unlock"))


def guess(session: StreamlitSession, render: Render, passcode: str) -> Render:
    field_id, unlock = unlock_form(render)
    return session.rerun(
        "instructor_banks", [WidgetState(id=field_id, string_value=passcode), unlock]
    )


def answer_key_texts() -> list[str]:
    """Text only the Bank check's answer key shows (never before a learner answers)."""
    out = ["Answer key and explanations"]
    for question in BANK.questions:
        out += [question.solution.final_answer, *question.solution.steps, question.quick_check]
    return out


def test_the_right_passcode_opens_the_answer_key(server):
    # First of the passcode tests (a server-wide lockout would refuse it later). The leak
    # checks below are only meaningful if the unlocked page does send those texts.
    url, _ = server
    with StreamlitSession(url) as session:
        render = guess(session, session.rerun("instructor_banks"), PASSCODE)
        assert "is valid" in render.text, render.text
        assert BANK.questions[0].solution.final_answer.encode() in render.raw


def test_wrong_passcodes_are_refused_then_the_session_is_locked(server):
    url, _ = server
    with StreamlitSession(url) as session:
        render = session.rerun("instructor_banks")
        frames = render.raw
        for number, expected in ((1, "1 failed try"), (2, "2 failed tries"), (3, "3 failed")):
            render = guess(session, render, f"wrong-{number}")
            frames += render.raw
            assert expected in render.text, render.text
        assert "Too many wrong passcodes" in render.text
        # While locked even the right passcode is not looked at.
        render = guess(session, render, PASSCODE)
        frames += render.raw
        assert "Too many wrong passcodes" in render.text
        assert "is valid" not in render.text
        for secret in answer_key_texts():
            assert secret.encode() not in frames, (
                f"instructor-only text reached a learner: {secret}"
            )
        assert PASSCODE.encode() not in frames


def test_a_learner_on_every_page_never_receives_instructor_only_text(server):
    url, db_path = server
    with StreamlitSession(url, arrival(db_path, "just-a-learner")) as session:
        frames = b"".join(
            session.rerun(page).raw
            for page in ("instructor_banks", "instructor_stats", TEST_PAGE, PRACTICE_PAGE)
        )
    for secret in answer_key_texts():
        assert secret.encode() not in frames, f"instructor-only text reached a learner: {secret}"


def test_guessing_from_fresh_sessions_is_slowed_down_too(server):
    url, _ = server
    texts = []
    for number in range(5):
        with StreamlitSession(url) as session:
            texts.append(guess(session, session.rerun("instructor_banks"), f"fresh-{number}").text)
    assert "Too many wrong passcodes" in texts[-1], texts[-1]
