"""The router's pages are built once, and every run still gets pages of its own."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

# An app.py in small: build the pages through pages_once, navigate, run the page.
ROUTER = """
import streamlit as st

from lessons.components.routes import Routes, pages_once


def routes() -> Routes:
    st.session_state["builds"] = st.session_state.get("builds", 0) + 1
    return {"Start": [st.Page("hello.py", title="TITLE")]}


pages = pages_once(routes)
st.session_state["titles"] = [page.title for page in pages["Start"]]
page = st.navigation(pages)
# st.navigation marked this run's page runnable; another session's copy must not be.
st.session_state["other_run_may_call"] = pages_once(routes)["Start"][0]._can_be_called
page.run()
"""


def router(folder: Path, title: str) -> Path:
    (folder / "hello.py").write_text("import streamlit as st\nst.write('hello')\n")
    app = folder / "app.py"
    app.write_text(ROUTER.replace("TITLE", title))
    return app


def test_the_pages_are_built_on_the_first_run_only_and_every_run_runs_its_page(tmp_path):
    at = AppTest.from_file(str(router(tmp_path, "Hello")), default_timeout=30)
    for _ in range(3):
        at.run()
        assert not at.exception
        assert [m.value for m in at.markdown] == ["hello"]
    assert at.session_state["builds"] == 1
    assert at.session_state["titles"] == ["Hello"]


def test_a_page_chosen_in_one_run_is_not_marked_runnable_in_another(tmp_path):
    # st.navigation marks the page it returns runnable and run() clears the mark: two
    # sessions sharing one page object would clear each other's mark, and one would fail.
    at = AppTest.from_file(str(router(tmp_path, "Hello")), default_timeout=30).run()
    assert not at.exception
    assert at.session_state["other_run_may_call"] is False


def test_an_edited_router_builds_its_pages_again(tmp_path):
    AppTest.from_file(str(router(tmp_path, "Hello")), default_timeout=30).run()
    at = AppTest.from_file(str(router(tmp_path, "Welcome")), default_timeout=30).run()
    assert not at.exception
    assert at.session_state["builds"] == 1
    assert at.session_state["titles"] == ["Welcome"]
