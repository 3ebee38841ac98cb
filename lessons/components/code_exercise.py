"""Code in the browser: an editor fit for code, a run in the sandbox with the learner's place
in the queue, and each check's result. Learner code never runs in this process."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from code_editor import code_editor  # ships no types: see pyproject.toml mypy overrides
from streamlit.delta_generator import DeltaGenerator

from engine.codecheck.grade import grade_code
from engine.codecheck.spec import CodeExercise, GradeResult, load_page_exercises
from engine.lab.freeze import FreezePlan
from engine.lab.plan_exercise import STARTER_CODE as PLAN_STARTER_CODE
from engine.lab.plan_exercise import plan_exercise
from engine.learners.code_answers import run_code_answer
from engine.quiz.inert_text import inert_text
from engine.quiz.markdown import inert_images
from engine.quiz.models import CodeQuestion
from engine.quiz.parsing import ParsedInput
from engine.sandbox.pool import SandboxPool, Ticket, shared_pool
from lessons.components.editor_bundle import use_local_bundle

EDITOR_LINES = [8, 24]  # the editor grows with the code between these heights (lines)
RUN_BUTTON = {
    "name": "Run",
    "feather": "Play",
    "primary": True,
    "hasText": True,
    "showWithIcon": True,
    "alwaysOn": True,
    "commands": ["submit"],
    "style": {"bottom": "0.44rem", "right": "0.4rem"},
}
EDITOR_OPTIONS = {"tabSize": 4, "useSoftTabs": True, "showLineNumbers": True, "wrap": False}


def sandbox_pool() -> SandboxPool:
    """The server's one pool (engine-level, not st.cache_resource: clearing Streamlit's
    caches must never orphan a pool's jailed workers)."""
    return shared_pool()


def sandbox_notice(pool: SandboxPool) -> None:
    if pool.unavailable is not None:
        st.warning(
            "Code can't be run on this server, so code answers here are not graded: "
            f"{pool.unavailable}"
        )


def code_input(starter: str, key: str) -> str | None:
    """The editor (Python highlighting, line numbers, Tab indents); the code once the
    learner runs it (the Run button or Ctrl+Enter), else None."""
    st.caption("Python · **Tab** indents · **Ctrl+Enter** or **Run** runs your code")
    use_local_bundle()
    event = code_editor(
        starter,
        lang="python",
        height=EDITOR_LINES,
        buttons=[RUN_BUTTON],
        options=EDITOR_OPTIONS,
        key=key,
    )
    # The component returns its last event on every rerun: act on each submission once.
    seen_key = f"{key}::seen"
    if (
        not event
        or event.get("type") != "submit"
        or event.get("id") == st.session_state.get(seen_key)
    ):
        return None
    st.session_state[seen_key] = event.get("id")
    return str(event.get("text", ""))


def _show_place(placeholder: DeltaGenerator) -> Callable[[Ticket], None]:
    def waiting(ticket: Ticket) -> None:
        if ticket.running:
            placeholder.info("Running your code in the sandbox…")
        else:
            ahead = ticket.position
            placeholder.info(
                f"Waiting for a free sandbox: you are number {ahead + 1} in the queue."
                if ahead
                else "Waiting for a free sandbox: you are next."
            )

    return waiting


def run_question_code(question: CodeQuestion, code: str) -> ParsedInput:
    """A code question's answer, parsed by running it: a FormatError (not graded, no
    attempt spent) or a response carrying every check's outcome."""
    placeholder = st.empty()
    try:
        return run_code_answer(question, code, sandbox_pool(), waiting=_show_place(placeholder))
    finally:
        placeholder.empty()


def code_answer(question: CodeQuestion, key: str) -> tuple[ParsedInput, bool]:
    """The editor for a code question: (what the run made of the code, whether it ran now)."""
    sandbox_notice(sandbox_pool())
    # "Try again" opens a fresh editor: it starts from the learner's last run, not from scratch.
    last_key = f"code_answer::{question.id}::last"
    code = code_input(st.session_state.get(last_key, question.starter_code), key)
    if code is None:
        return None, False
    st.session_state[last_key] = code
    return run_question_code(question, code), True


def reference_run(question: CodeQuestion) -> GradeResult:
    """The question's reference solution, really run through the sandbox and the judge (for
    Bank check, which shows only results it ran); kept per key while the page reruns."""
    key = f"reference_run::{question.id}::{question.fingerprint}"
    if key not in st.session_state:
        with st.spinner("Running the reference solution in the sandbox…"):
            st.session_state[key] = grade_code(
                question.exercise(), question.reference_solution, sandbox_pool()
            )
    result: GradeResult = st.session_state[key]
    return result


def show_check_results(result: GradeResult) -> None:
    """Each check passed or failed, with what was expected and what the code did."""
    # A message quotes the learner's code or errors (`raise Exception("![m](http://...)")`):
    # it is shown as the characters it holds, never as Markdown. Check names are the bank's.
    message = inert_text(result.message)
    if not result.gradable:
        st.warning(message)
        return
    if result.score == 1.0:
        st.success(message)
    else:
        st.error(message)
    for test in result.tests:
        mark = ":green[**✓ passed**]" if test.passed else ":red[**✗ failed**]"
        st.markdown(
            f"{mark} · **{inert_images(test.name)}** ({test.points:g} / {test.max_points:g})  \n"
            f"{inert_text(test.message)}"
        )
    if result.output:
        with st.expander("What your code printed"):
            st.code(result.output, language="text")


def code_exercise(exercise: CodeExercise, starter: str, key: str) -> GradeResult | None:
    """A lesson's exercise: edit, run, read each check's result (kept across reruns).
    Nothing is recorded; the learner may run it as often as they like."""
    pool = sandbox_pool()
    sandbox_notice(pool)
    code = code_input(starter, key)
    # A result answers these checks only: a lab plan changed on screen asks for a new run.
    result_key = f"{key}::result::{hash(exercise.model_dump_json())}"
    if code is not None and code.strip():
        placeholder = st.empty()
        try:
            st.session_state[result_key] = grade_code(
                exercise, code, pool, waiting=_show_place(placeholder)
            )
        finally:
            placeholder.empty()
    result: GradeResult | None = st.session_state.get(result_key)
    if result is not None:
        show_check_results(result)
    return result


def fix_the_pitfalls() -> None:
    """The freezing-pitfalls page's exercises: fix each broken snippet and run it."""
    st.subheader("Fix them yourself")
    st.markdown(
        "Each snippet below has one of the pitfalls above. Fix it and run it: your code runs "
        "in a sandbox on a fresh copy of the lab's model, and each check says what it found."
    )
    for exercise in load_page_exercises():
        st.markdown(f"**{exercise.title}**")
        code_exercise(exercise.exercise(), exercise.broken, key=f"fix_{exercise.id}")


def write_the_plan_yourself(plan: FreezePlan) -> None:
    """The lab's exercise: the learner's PyTorch, checked against the plan on screen."""
    with st.expander("Write this plan yourself", icon=":material/code:"):
        exercise = plan_exercise(plan)
        if exercise is None:
            st.info("This plan starts from random weights: there is nothing to freeze to write.")
            return
        st.markdown(
            f"Write `{exercise.function}(model)` so that it does what the plan above says. "
            "The checks come from the widgets: change the plan and run your code again."
        )
        for check in exercise.checks:
            st.markdown(f"- {check.name}")
        code_exercise(exercise, PLAN_STARTER_CODE, key="lab_plan_code")
