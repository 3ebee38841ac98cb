"""The router's st.Page objects, built once per version of app.py instead of on every run."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from types import CodeType

from streamlit.navigation.page import StreamlitPage

Routes = dict[str, list[StreamlitPage]]

_lock = threading.Lock()
# (the code of the function that built them, the pages it built). Keyed by code, not by
# the function: app.py runs afresh on every rerun and defines a new function each time.
# Equal code (same file, same source) means the same pages; an edit of app.py changes it.
_built: tuple[CodeType, Routes] | None = None


def pages_once(build: Callable[[], Routes]) -> Routes:
    """``build()``'s pages, built on the first run (and again when app.py changes), as fresh
    shallow copies for this run. ``build`` must depend on its code only (no closure).

    Building costs: each st.Page resolves and stats its file and records telemetry, 23
    times on every rerun of every page. Sharing the built objects as they are would not be
    safe: st.navigation marks the chosen page runnable (``_can_be_called``) and ``run()``
    clears the mark, so two sessions running the same page at once could see each
    other's mark and one would fail with "This page cannot be called directly". A copy is
    a few attribute copies, and gives each run its own mark.
    """
    global _built
    code = build.__code__
    with _lock:
        if _built is None or _built[0] != code or _built[0].co_filename != code.co_filename:
            _built = (code, build())
        pages = _built[1]
    return {section: [copy.copy(page) for page in listed] for section, listed in pages.items()}
