"""The lab page in AppTest at its smallest run: 50 images, 2 epochs."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "lessons" / "lab.py")


def tiny_lab() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=180).run()
    assert not at.exception
    at.select_slider(key="lab_train_size").set_value(50)
    at.slider(key="lab_epochs").set_value(2)
    return at.run()


def press(at: AppTest, key: str) -> AppTest:
    """Click the button `key`; the run it starts (training, for Train) raised nothing."""
    at.button(key=key).click().run()
    assert not at.exception
    return at
