"""Profiles every thread of a server started with this folder on PYTHONPATH.

`python -m bench.practice_load --profile out.prof` starts TuneLab that way: Python imports
`sitecustomize` at start-up, so the server itself needs no flag. Streamlit runs each script
in a thread of its own and serves the websockets from the main thread, so one profiler per
thread is needed; their statistics are merged into one pstats file when the server exits.
Each counts its thread's CPU time (`time.thread_time`), not the wall clock: under load a
thread's wall time is mostly waiting for the GIL, which would be charged to whatever
function happened to be waiting.
"""

from __future__ import annotations

import atexit
import cProfile
import os
import pstats
import threading
import time

PROFILE_OUT_ENV = "TUNELAB_PROFILE_OUT"
_out = os.environ.get(PROFILE_OUT_ENV)

if _out:
    _finished: list[cProfile.Profile] = []
    _lock = threading.Lock()
    _thread_run = threading.Thread.run

    def _profiled_run(self: threading.Thread) -> None:
        profile = cProfile.Profile(time.thread_time)
        profile.enable()
        try:
            _thread_run(self)
        finally:
            profile.disable()
            with _lock:
                _finished.append(profile)

    threading.Thread.run = _profiled_run  # type: ignore[method-assign]
    _main = cProfile.Profile(time.thread_time)
    _main.enable()

    def _dump(path: str = _out) -> None:
        # Threads still running at exit are left out: script runs end with their run.
        _main.disable()
        stats = pstats.Stats(_main)
        with _lock:
            for profile in _finished:
                stats.add(profile)
        stats.dump_stats(path)

    atexit.register(_dump)
