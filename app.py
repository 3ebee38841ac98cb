"""TuneLab: a router only. Each page is a script in lessons/; logic lives in engine/."""

import streamlit as st

from engine.runtime.logs import configure_logging
from engine.runtime.settings import SettingsInvalid, load_settings
from lessons.components.routes import Routes, pages_once
from lessons.components.safety import run_safely
from lessons.components.sidebar_nav import sidebar_pages

st.set_page_config(page_title="TuneLab", page_icon="🎛️", layout="centered")


# Icons are Material Symbols, bundled with Streamlit: emoji depend on the learner's fonts
# (headless Chromium on Debian draws them as empty boxes).
# Streamlit reruns this file on every interaction; st.navigation then runs the chosen page.
# routes() itself runs once per process (again after an edit of this file): see pages_once.
def routes() -> Routes:
    return {
        "Start": [st.Page("lessons/home.py", title="Home", icon=":material/home:", default=True)],
        "Lessons": [
            st.Page(
                "lessons/metrics_for_tasks.py",
                title="Which metrics, and why",
                icon=":material/checklist:",
            ),
            st.Page(
                "lessons/confusion_matrix.py", title="Confusion matrix", icon=":material/grid_view:"
            ),
            st.Page("lessons/averaging.py", title="Averaging scores", icon=":material/functions:"),
            st.Page("lessons/threshold.py", title="Precision vs recall", icon=":material/tune:"),
            st.Page("lessons/roc_pr.py", title="ROC and PR curves", icon=":material/ssid_chart:"),
            st.Page(
                "lessons/selection_bias.py",
                title="Train, validation, test",
                icon=":material/call_split:",
            ),
            st.Page("lessons/uncertainty.py", title="Uncertainty", icon=":material/casino:"),
            st.Page(
                "lessons/good_vs_bad.py", title="Good vs bad runs", icon=":material/show_chart:"
            ),
            st.Page("lessons/pitfalls.py", title="Pitfalls", icon=":material/report:"),
            st.Page(
                "lessons/regression.py", title="Regression metrics", icon=":material/straighten:"
            ),
            st.Page("lessons/self_check.py", title="Self-check", icon=":material/quiz:"),
            st.Page("lessons/lab.py", title="Freezing lab", icon=":material/science:"),
            st.Page(
                "lessons/finetuning_today.py",
                title="Fine-tuning today",
                icon=":material/bolt:",
            ),
            st.Page(
                "lessons/freezing_pitfalls.py", title="Freezing pitfalls", icon=":material/warning:"
            ),
        ],
        "Your course": [
            st.Page(
                "lessons/course_lessons.py", title="Course lessons", icon=":material/menu_book:"
            ),
        ],
        "Practise & test": [
            st.Page("lessons/practice.py", title="Practice", icon=":material/edit:"),
            st.Page("lessons/test_pattern.py", title="Test this pattern", icon=":material/target:"),
        ],
        "Over time": [
            st.Page("lessons/progress.py", title="My progress", icon=":material/trending_up:"),
            st.Page("lessons/review.py", title="Review", icon=":material/replay:"),
            st.Page("lessons/my_data.py", title="My data", icon=":material/download:"),
        ],
        "Instructors": [
            st.Page(
                "lessons/instructor_banks.py", title="Bank check", icon=":material/fact_check:"
            ),
            st.Page(
                "lessons/instructor_stats.py",
                title="Item statistics",
                icon=":material/query_stats:",
            ),
            st.Page("lessons/instructor_learners.py", title="Learners", icon=":material/group:"),
            st.Page("lessons/gradebook.py", title="Gradebook", icon=":material/grading:"),
        ],
    }


try:
    configure_logging(load_settings().log_level)
except SettingsInvalid as invalid:
    # A bad setting is the operator's to fix: say which, and route no page that would trip on it.
    st.error("TuneLab's configuration has a bad value; fix it and restart the server.")
    st.code(str(invalid), language="text", wrap_lines=True)
    st.stop()


def route() -> None:
    # Streamlit's own list is hidden: its markup is no list to a screen reader, and it puts
    # pages past the tenth behind "View more". sidebar_pages draws them all (sidebar_nav.py).
    pages = pages_once(routes)
    chosen = st.navigation(pages, position="hidden")
    sidebar_pages(pages)
    chosen.run()


run_safely(route)
