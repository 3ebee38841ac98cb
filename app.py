"""TuneLab: a router only. Each page is a script in lessons/; logic lives in engine/."""

import streamlit as st

st.set_page_config(page_title="TuneLab", page_icon="🎛️", layout="centered")

# Streamlit reruns this file on every interaction; st.navigation then runs the chosen page.
pages = {
    "Start": [st.Page("lessons/home.py", title="Home", icon="🏠", default=True)],
    "Lessons": [
        st.Page("lessons/metrics_for_tasks.py", title="Which metrics, and why", icon="1️⃣"),
        st.Page("lessons/confusion_matrix.py", title="Confusion matrix", icon="2️⃣"),
        # PENDING st.Page("lessons/threshold.py", title="Precision vs recall", icon="3️⃣"),
        # PENDING st.Page("lessons/good_vs_bad.py", title="Good vs bad runs", icon="4️⃣"),
        st.Page("lessons/pitfalls.py", title="Pitfalls", icon="5️⃣"),
        st.Page("lessons/regression.py", title="Regression metrics", icon="6️⃣"),
        st.Page("lessons/self_check.py", title="Self-check", icon="7️⃣"),
        # PENDING st.Page("lessons/lab.py", title="Freezing lab", icon="🧪"),
    ],
    "Practise & test": [
        st.Page("lessons/practice.py", title="Practice", icon="✏️"),
        st.Page("lessons/test_pattern.py", title="Test this pattern", icon="🎯"),
    ],
}
st.navigation(pages).run()
