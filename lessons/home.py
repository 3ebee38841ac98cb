"""Home: what TuneLab teaches, the two ways in, and every bank (or its errors)."""

from __future__ import annotations

import streamlit as st

from lessons.components.banks import bank_errors_notice, catalog

st.title("Fine-tuning strategy in PyTorch")
st.markdown(
    "### Model metrics & evaluation\n"
    "Fine-tuning adapts a pretrained network to a new task. Whether it worked is a question "
    "for the right metrics: accuracy can flatter a model on rare classes, precision and recall "
    "pull against each other, and only validation data tells you when training starts to "
    "memorise. Here you freeze and unfreeze layers of a real ResNet and judge the result "
    "honestly: on validation, with its uncertainty, over seeds and against a simple "
    "baseline. (Production adds what a course on one fixed split cannot show: calibration, "
    "data that shifts after deployment, monitoring.)"
)

learn, test = st.columns(2)
with learn, st.container(border=True):
    st.markdown("#### Start learning\nLessons with live demos and practice. No test.")
    if st.button("Start learning", key="start_learning", type="primary"):
        st.switch_page("lessons/metrics_for_tasks.py")
with test, st.container(border=True):
    # The size of the test a learner will take (the recipe), not of the bank it draws from.
    loaded = catalog()
    first = next(iter(loaded.banks.values()), None)
    size = f"{first.test.total} questions" if first is not None else "Questions"
    st.markdown(
        f"#### Test this pattern\n{size} across easy, medium and hard; "
        "find out whether the pattern is strong."
    )
    if st.button("Test this pattern", key="start_test"):
        st.switch_page("lessons/test_pattern.py")

st.subheader("Question banks")
for bank_id, bank in loaded.banks.items():
    with st.container(border=True):
        families = sum(1 for q in bank.questions if q.is_family)
        drawn = f" ({families} with fresh numbers each time)" if families else ""
        st.markdown(
            f"**{bank.title}** · version {bank.version} · a test of {bank.test.total} "
            f"questions drawn from {len(bank.questions)}{drawn}"
        )
        st.caption(bank.pattern)
        practise, take = st.columns(2)
        if practise.button("Practise", key=f"practise_{bank_id}"):
            st.session_state["bank_id"] = bank_id
            st.switch_page("lessons/practice.py")
        if take.button("Take the test", key=f"test_{bank_id}"):
            st.session_state["bank_id"] = bank_id
            st.switch_page("lessons/test_pattern.py")
bank_errors_notice(loaded)
