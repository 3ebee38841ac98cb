"""Bank check: every validation error with its line, or each question as learners see it."""

from __future__ import annotations

import streamlit as st

from engine.quiz.bank import BankInvalid, load_bank, load_bank_text
from engine.quiz.models import QuestionBank, QuestionType
from engine.quiz.session import Mode, plan_attempt, present
from lessons.components.banks import quiz_dir
from lessons.components.passcode import instructor_gate
from lessons.components.quiz_ui import question_header

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
    st.code("\n".join(str(error) for error in invalid.errors), language=None)
    st.stop()

recipe = bank.test
st.success(
    f"**{bank.title}** (id `{bank.id}`, version {bank.version}) is valid: "
    f"{len(bank.questions)} questions; a test draws {recipe.easy} easy, {recipe.medium} medium "
    f"and {recipe.hard} hard."
)
# A fixed seed, so the preview's shuffled letters stay put while the instructor reads.
plan = plan_attempt(bank, Mode.PRACTICE, seed=0)
for qid in plan.question_ids:
    question = bank.question(qid)
    assert question is not None
    shown = present(bank, plan, qid)
    with st.container(border=True):
        st.caption(f"`{qid}` · {question.type.value} · {question.points:g} point(s)")
        question_header(shown)
        for option in shown.options:
            st.markdown(f"**{option.letter}.** {option.text}")
        if question.type is QuestionType.NUMERIC:
            st.markdown("_The learner types a number._")
        with st.expander("Answer key and explanations"):
            right = question.correct_choice_ids
            for option in shown.options:
                choice = question.choice(option.choice_id)
                assert choice is not None
                mark = "✓ right" if choice.id in right else "✗ wrong"
                feedback = f" — {choice.feedback}" if choice.feedback else ""
                st.markdown(f"**{option.letter}** ({mark}){feedback}")
            if question.type is QuestionType.NUMERIC:
                tol = question.tolerance or question.relative_tolerance
                st.markdown(f"**Answer:** {question.answer} (tolerance: {tol or 'default'})")
            elif question.type is QuestionType.MULTIPLE_SELECT:
                st.markdown(f"**Scoring:** {question.scoring.value}")
            st.markdown("**Solution**")
            for number, step in enumerate(question.solution.steps, start=1):
                st.markdown(f"{number}. {step}")
            st.markdown(f"**Final answer:** {question.solution.final_answer}")
            st.markdown(f"**Quick check:** {question.quick_check}")
            for hint in question.hints:
                st.markdown(f"**Hint:** {hint}")
            for mistake in question.common_mistakes:
                st.markdown(f"**Common mistake:** {mistake}")
