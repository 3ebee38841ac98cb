"""Bank check: every validation error with its line, or each question as learners see it."""

from __future__ import annotations

import streamlit as st

from engine.modes import AttemptMode
from engine.quiz.authoring.preview import answer_key_markdown, perfect_response
from engine.quiz.bank import BankInvalid, load_bank, load_bank_text
from engine.quiz.grading import grade
from engine.quiz.models import CodeQuestion, QuestionBank
from engine.quiz.plan import plan_attempt, present, question_in_plan
from lessons.components.banks import quiz_dir
from lessons.components.code_exercise import reference_run, show_check_results
from lessons.components.passcode import instructor_gate
from lessons.components.quiz_ui import choice_markdown, explain_grade, question_header

st.title("Bank check")
if not instructor_gate():
    st.stop()

PASTE = "Paste YAML…"
folder = quiz_dir()
# Read the folder and the file on every run: an edit on disk shows at the next click.
files = sorted(p.name for p in folder.glob("*.y*ml"))
source = st.selectbox(
    "Bank",
    [*files, PASTE],
    key="check_source",
    help=f"Files in {folder} (templates starting with '_' included), or YAML pasted below.",
)
try:
    if source == PASTE:
        text = st.text_area("Bank YAML", height=300, key="check_yaml")
        if not text.strip():
            st.info("Paste a bank's YAML to check it.")
            st.stop()
        bank: QuestionBank = load_bank_text(text, filename="<pasted>")
    else:
        bank = load_bank(folder / source)
except BankInvalid as invalid:
    st.error(f"{len(invalid.errors)} problem(s): fix each at the line shown.")
    # A code block keeps `file:line: [question] field: message` exact and copyable.
    st.code("\n".join(str(error) for error in invalid.errors), language=None, wrap_lines=True)
    st.stop()

recipe = bank.test
st.success(
    f"**{bank.title}** (id `{bank.id}`, version {bank.version}) is valid: "
    f"{len(bank.questions)} questions; a test draws {recipe.easy} easy, {recipe.medium} medium "
    f"and {recipe.hard} hard."
)
families = sum(1 for q in bank.questions if q.is_family)
variant = 0
if families:
    # Step through seeds to read the variants learners will get (as `engine preview`).
    variant = int(
        st.number_input(
            f"Variant seed for the {families} question famil{'y' if families == 1 else 'ies'}",
            min_value=0,
            max_value=2**31,
            value=0,
            step=1,
            key="check_seed",
            help="Each seed draws another variant; its key is computed by scikit-learn or PyTorch.",
        )
    )
# A fixed seed, so the preview's shuffled letters stay put while the instructor reads.
plan = plan_attempt(bank, AttemptMode.PRACTICE, seed=0)
for qid in plan.question_ids:
    plan = plan.with_variant(bank, qid, variant)  # unchanged for a fixed question
    question = question_in_plan(bank, plan, qid)
    assert question is not None
    shown = present(bank, plan, qid)
    with st.container(border=True):
        family = f" · family `{question.family_name}`, seed {variant}" if question.is_family else ""
        st.caption(f"`{qid}` · {question.type.value} · {question.points:g} point(s){family}")
        question_header(shown)
        for option in shown.options:
            st.markdown(choice_markdown(option.letter, option.text))
        if isinstance(question, CodeQuestion):
            st.markdown("_The learner writes code, run in the sandbox. The editor starts with:_")
            st.code(question.starter_code, language="python")
        elif not shown.options:
            st.markdown("_The learner types a number._")
        with st.expander("Answer key and explanations"):
            st.markdown(answer_key_markdown(question, shown))
            if isinstance(question, CodeQuestion):
                # Only what was run: the reference through the sandbox and the judge.
                ran = reference_run(question)
                st.markdown("**The reference solution, run now:**")
                show_check_results(ran)
                if ran.gradable and ran.score < 1.0:
                    st.error("The key does not pass its own checks: `validate` refuses it.")
            else:
                # The key as a learner's perfect answer explains it: the same view they get.
                response = perfect_response(question)
                explain_grade(shown, grade(question, response), show_verdict=False)
            for hint in question.hints:
                st.markdown(f"**Hint:** {hint}")
