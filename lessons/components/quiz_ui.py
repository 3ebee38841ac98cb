"""Widgets shared by practice, test and review: ask a question, explain a grade."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn, assert_never

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import get_script_run_ctx

from engine.quiz.grading import Grade, Response, share_text
from engine.quiz.inert_text import inert_code
from engine.quiz.models import (
    LESSON_IDS,
    CodeQuestion,
    MultipleSelectQuestion,
    NumericQuestion,
    Question,
    QuestionType,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from engine.quiz.parsing import FormatError, ParsedInput, parse_picked, parse_typed_number
from engine.quiz.plan import PresentedQuestion
from lessons.components.charts import question_chart
from lessons.components.code_exercise import code_answer, show_check_results

# Every lesson id a bank may name is a page file of the same name (checked by a test).
LESSON_PAGES = {lesson: f"lessons/{lesson}.py" for lesson in LESSON_IDS}
COURSE_LESSONS_PAGE = "lessons/course_lessons.py"


def choice_markdown(letter: str, text: str) -> str:
    """A lettered choice as Markdown; multi-line text (a code block) goes on its own lines."""
    body = text.strip()
    return f"**{letter}.**\n\n{body}" if "\n" in body else f"**{letter}.** {body}"


def question_header(shown: PresentedQuestion) -> None:
    st.caption(
        f"Question {shown.number} of {shown.total} · {shown.difficulty.value} · {shown.topic}"
    )
    # Markdown only: st.markdown escapes raw HTML, so bank text can never inject markup.
    st.markdown(shown.prompt)
    if shown.chart is not None:  # drawn on the server from this variant's data
        st.altair_chart(question_chart(shown.chart), width="stretch")


def answer_widget(shown: PresentedQuestion, key: str) -> ParsedInput:
    """Render the input for one question (inside a form) and parse what it holds: a
    Parsed response, a FormatError to show instead of grading, or None when empty."""
    labels = {o.choice_id: choice_markdown(o.letter, o.text) for o in shown.options}
    ids = [o.choice_id for o in shown.options]
    match shown.type:
        case QuestionType.NUMERIC:
            text = st.text_input("Your answer (a number)", key=key, placeholder="e.g. 0.87")
            return parse_typed_number(text)
        case QuestionType.MULTIPLE_SELECT:
            st.write("Select all that apply.")
            return parse_picked(
                [cid for cid in ids if st.checkbox(labels[cid], key=f"{key}_{cid}")]
            )
        case QuestionType.SINGLE_CHOICE | QuestionType.TRUE_FALSE:
            # index=None: no option is preselected, so "no answer" never counts as option A.
            choice = st.radio(
                "Your answer",
                ids,
                index=None,
                key=key,
                format_func=labels.__getitem__,
                label_visibility="collapsed",
            )
            return parse_picked([choice])
        case QuestionType.CODE:
            raise TypeError("code questions are asked in the code editor (ask), not in a form")
        case _:
            assert_never(shown.type)


def answer_held(shown: PresentedQuestion, key: str) -> ParsedInput:
    """What the form's inputs (drawn by ``answer_widget`` with this key) hold now, read from
    the session: Streamlit sets every widget's new value before the script runs, so a
    submission can be graded before the page is drawn."""
    held = st.session_state
    match shown.type:
        case QuestionType.NUMERIC:
            text = held.get(key)
            return parse_typed_number(text if isinstance(text, str) else "")
        case QuestionType.MULTIPLE_SELECT:
            ticked = [
                o.choice_id for o in shown.options if held.get(f"{key}_{o.choice_id}") is True
            ]
            return parse_picked(ticked)
        case QuestionType.SINGLE_CHOICE | QuestionType.TRUE_FALSE:
            # A value that is none of the options (a crafted message) is no choice: the radio
            # itself would fall back to its default, nothing picked.
            picked = held.get(key)
            return parse_picked(
                [picked if picked in {o.choice_id for o in shown.options} else None]
            )
        case QuestionType.CODE:
            raise TypeError("a code answer is run in the sandbox when submitted, not read back")
        case _:
            assert_never(shown.type)


def ask(
    shown: PresentedQuestion, question: Question, key: str, *, form_key: str, submit: SubmitButton
) -> tuple[ParsedInput, bool]:
    """The answer input and whether it was submitted on this run: a form for most types,
    the code editor for code (its Run button submits, and runs the code in the sandbox)."""
    match question:
        case CodeQuestion():
            return code_answer(question, key)
        case (
            NumericQuestion()
            | SingleChoiceQuestion()
            | MultipleSelectQuestion()
            | TrueFalseQuestion()
        ):
            with st.form(key=form_key):
                answer = answer_widget(shown, key=key)
                submitted = st.form_submit_button(submit.label, key=submit.key, type="primary")
            return answer, submitted
        case _:
            assert_never(question)


def submitted_response(
    shown: PresentedQuestion,
    question: Question,
    key: str,
    *,
    form_key: str,
    submit: SubmitButton,
    when_empty: str = "Choose an answer first.",
) -> Response | None:
    """Ask (see ``ask``) and return the response submitted on this run, if well formed.

    An empty or malformed submission gets a warning instead (``when_empty``, or what is
    wrong with the input) and None: nothing reaches the grader, and the form keeps what
    the learner typed so they can correct it.
    """
    answer, submitted = ask(shown, question, key, form_key=form_key, submit=submit)
    if not submitted:
        return None
    return _well_formed(answer, when_empty)


@dataclass(frozen=True)
class SubmitButton:
    label: str
    key: str


def response_submitted_now(
    shown: PresentedQuestion,
    question: Question,
    key: str,
    *,
    submit: SubmitButton,
    when_empty: str = "Choose an answer first.",
) -> Response | None:
    """A form's answer submitted with the click that started this run, taken before the
    question is drawn, so the same run shows its grade (one run per Submit, not a run and
    then ``st.rerun()``). None when nothing was submitted, for a code question (its editor
    runs the code when drawn: see ``answer_input``), and for an empty or malformed answer,
    which gets the warning ``submitted_response`` would give, the form keeping the input.
    """
    if isinstance(question, CodeQuestion) or st.session_state.get(submit.key) is not True:
        return None
    return _well_formed(answer_held(shown, key), when_empty)


def answer_input(
    shown: PresentedQuestion,
    question: Question,
    key: str,
    *,
    form_key: str,
    submit: SubmitButton,
    when_empty: str = "Choose an answer first.",
) -> Response | None:
    """Draw the answer form whose submission ``response_submitted_now`` took before it; a
    code question's editor returns the answer it ran on this run (``submitted_response``)."""
    if isinstance(question, CodeQuestion):
        return submitted_response(
            shown, question, key, form_key=form_key, submit=submit, when_empty=when_empty
        )
    ask(shown, question, key, form_key=form_key, submit=submit)
    return None


def _well_formed(answer: ParsedInput, when_empty: str) -> Response | None:
    if answer is None:
        st.warning(when_empty)
        return None
    if isinstance(answer, FormatError):
        st.warning(answer.message)
        return None
    return answer.response


def rerun_question_area() -> NoReturn:
    """Run the question area again: only its fragment when this run is that fragment's
    (a click inside it), the whole page when the page is being drawn in full."""
    ctx = get_script_run_ctx()
    if ctx is not None and ctx.fragment_ids_this_run:
        st.rerun(scope="fragment")
    st.rerun()


def describe_response(shown: PresentedQuestion, response: Response) -> str:
    if response.is_empty:
        return "no answer"
    if response.code is not None:
        # The learner's code may hold fences of its own: none of them can close this one.
        return inert_code(response.code, "python")
    if response.value is not None:
        return f"{response.value:.15g}"  # what was typed, never e-notation for 1150470
    by_id = {o.choice_id: o for o in shown.options}
    return "\n\n".join(
        choice_markdown(by_id[c].letter, by_id[c].text)
        for c in sorted(response.choice_ids, key=shown.letter_of)
    )


def explain_grade(shown: PresentedQuestion, grade: Grade, *, show_verdict: bool = True) -> None:
    """Everything a learner should read after answering."""
    if show_verdict:
        if grade.correct:
            st.success(f"Correct ({grade.score:g} / {grade.max_score:g}).")
        elif grade.score > 0:
            share = share_text(grade.score, grade.max_score)
            st.warning(
                f"Partly right: {share} of the marks ({grade.score:.2f} / {grade.max_score:g})."
            )
        else:
            st.error("Not quite.")
    if grade.code_result is not None:
        show_check_results(grade.code_result)
    for choice in grade.choices:
        if choice.picked and choice.feedback:
            mark = "✓" if choice.correct else "✗"
            st.markdown(f"{mark} **{shown.letter_of(choice.choice_id)}.** {choice.feedback}")
    right = [c for c in grade.choices if c.correct]
    if right:
        st.markdown("**Correct answer:**")
        for choice in right:
            st.markdown(choice_markdown(shown.letter_of(choice.choice_id), choice.text))
    elif grade.code_result is not None:
        st.markdown(f"**A solution that passes every check:** {grade.correct_answer}")
    else:
        st.markdown(f"**Correct answer:** {grade.correct_answer}")
    st.markdown("**Solution**")
    for number, step in enumerate(grade.solution_steps, start=1):
        st.markdown(f"{number}. {step}")
    st.markdown(f"**Final answer:** {grade.final_answer}")
    st.info(f"**Quick check:** {grade.quick_check}")
    if grade.common_mistakes:
        st.markdown("**Common mistakes**")
        for mistake in grade.common_mistakes:
            st.markdown(f"- {mistake}")
    page = LESSON_PAGES.get(grade.lesson or "")
    # A lesson id that is no built-in page is one the bank's instructor wrote in Markdown.
    query = {"lesson": grade.lesson} if grade.lesson and page is None else None
    if grade.lesson:
        try:
            st.page_link(
                page or COURSE_LESSONS_PAGE,
                label="Revisit the lesson",
                icon=":material/menu_book:",
                query_params=query,
            )
        except StreamlitAPIException:  # page not routed (e.g. a page run on its own)
            st.caption(f"Lesson: {grade.lesson}")
