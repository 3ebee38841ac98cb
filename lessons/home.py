"""Home: what TuneLab teaches, the two ways in, and every bank (or its errors)."""

from __future__ import annotations

import streamlit as st

from lessons.components.banks import catalog

st.title("Fine-tuning strategy in PyTorch")
st.markdown(
    "### Model metrics & evaluation\n"
    "Fine-tuning adapts a pretrained network to a new task. Whether it worked is a question "
    "for the right metrics: accuracy can flatter a model on rare classes, precision and recall "
    "pull against each other, and only validation data tells you when training starts to "
    "memorise. Here you freeze and unfreeze layers of a real ResNet and judge the result "
    "the way you would in production."
)

learn, test = st.columns(2)
with learn, st.container(border=True):
    st.markdown("#### Start learning\nLessons with live demos and practice. No test.")
    if st.button("Start learning", key="start_learning", type="primary"):
        st.switch_page("lessons/metrics_for_tasks.py")
with test, st.container(border=True):
    st.markdown(
        "#### Test this pattern\n10 questions across easy, medium and hard; "
        "find out whether the pattern is strong."
    )
    if st.button("Test this pattern", key="start_test"):
        st.switch_page("lessons/test_pattern.py")

st.subheader("Question banks")
banks = catalog()
for bank_id, bank in banks.banks.items():
    with st.container(border=True):
        st.markdown(f"**{bank.title}** · version {bank.version} · {len(bank.questions)} questions")
        st.caption(bank.pattern)
        practise, take = st.columns(2)
        if practise.button("Practise", key=f"practise_{bank_id}"):
            st.session_state["bank_id"] = bank_id
            st.switch_page("lessons/practice.py")
        if take.button("Take the test", key=f"test_{bank_id}"):
            st.session_state["bank_id"] = bank_id
            st.switch_page("lessons/test_pattern.py")
for path, errors in banks.errors.items():
    with st.container(border=True):
        st.error(
            f"**{path.name}** could not be loaded ({len(errors)} problem(s)); "
            "the other banks are unaffected."
        )
        st.code("\n".join(str(e) for e in errors[:20]), language="text")
