"""A learner arriving in AppTest by a link that carries their name, then opening a page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def signed_in(name: str, page: str) -> AppTest:
    """The whole app as `?learner=<name>` opens it, switched to `page` (no exception)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["learner"] = name
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at
