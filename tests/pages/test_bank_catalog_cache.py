"""The pages' bank catalog: parsed once while quizzes/ is unchanged, again after an edit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import streamlit as st
from builders import bank_yaml

from engine.quiz import bank as bank_loading
from lessons.components import banks


@pytest.fixture
def loads(demo_quizzes: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders load_catalog parsed, in order, while the test runs."""
    parsed: list[str] = []

    def counted(folder: Path | str) -> bank_loading.BankCatalog:
        parsed.append(str(folder))
        return bank_loading.load_catalog(folder)

    monkeypatch.setattr(banks, "load_catalog", counted)
    return parsed


def edit_later(path: Path, text: str) -> None:
    """Write ``text`` with an mtime well after the old one, as a later edit would have."""
    before = path.stat().st_mtime
    path.write_text(text)
    os.utime(path, (before + 10, before + 10))


def test_an_unchanged_folder_is_parsed_once_however_often_pages_ask(loads, demo_quizzes):
    first = banks.catalog()
    assert all(banks.catalog() is first for _ in range(5))
    assert loads == [str(demo_quizzes)]
    assert [b.title for b in first.banks.values()] == ["Demo bank"]


def test_a_bank_edited_on_disk_is_parsed_again_on_the_next_call(loads, demo_quizzes):
    banks.catalog()
    edit_later(demo_quizzes / "demo.yaml", bank_yaml(title="Renamed bank"))
    assert [b.title for b in banks.catalog().banks.values()] == ["Renamed bank"]
    assert len(loads) == 2


def test_a_bank_added_to_the_folder_is_found_on_the_next_call(loads, demo_quizzes):
    banks.catalog()
    (demo_quizzes / "second.yaml").write_text(bank_yaml(id="second", title="Second bank"))
    assert sorted(b.title for b in banks.catalog().banks.values()) == ["Demo bank", "Second bank"]


def test_clearing_streamlit_caches_parses_the_banks_again(loads, demo_quizzes):
    # Tests (conftest) and operators clear Streamlit's caches to start from the files.
    first = banks.catalog()
    st.cache_resource.clear()
    assert banks.catalog() is not first
    assert len(loads) == 2
