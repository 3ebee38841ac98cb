"""Shared fixtures: Streamlit caches are process-wide, so each test starts with them empty."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    # st.cache_data / st.cache_resource outlive AppTest objects within one process.
    try:
        import streamlit as st
    except ImportError:  # pragma: no cover - streamlit is a hard requirement
        yield
        return
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
