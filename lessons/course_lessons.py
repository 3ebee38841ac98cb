"""Lessons an instructor wrote in Markdown beside a bank (engine/quiz/course_lessons.py)."""

import streamlit as st

from lessons.components.banks import catalog

st.title("Course lessons")
loaded = catalog()
choices = [
    (bank_id, lesson) for bank_id, lessons in sorted(loaded.lessons.items()) for lesson in lessons
]
if not choices:
    st.info(
        "No bank has lessons of its own yet. An instructor writes them as Markdown files in "
        "a folder named like the bank file, beside it: `quizzes/my_bank/dropout.md`, "
        "starting with `# Title`."
    )
    st.stop()

wanted = st.query_params.get("lesson")
start = next((i for i, (_b, lesson) in enumerate(choices) if lesson.id == wanted), 0)
picked = st.selectbox(
    "Lesson",
    range(len(choices)),
    index=start,
    format_func=lambda i: f"{loaded.banks[choices[i][0]].title} · {choices[i][1].title}",
    key="course_lesson",
)
bank_id, lesson = choices[picked]
st.header(lesson.title)
st.caption(loaded.banks[bank_id].title)
st.markdown(lesson.markdown)
