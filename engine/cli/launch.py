"""`tunelab run`: start the Streamlit app, from a checkout or from the installed wheel.

The wheel carries the app as data beside the engine (``tunelab_app/app.py``, its lessons/,
quizzes/ and .streamlit/config.toml); a checkout has app.py at the repository root. The
engine never imports Streamlit: the app runs in a child process.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import engine

# Where engine/ sits: site-packages in an installed wheel, the repository root in a checkout.
INSTALL_ROOT = Path(engine.__file__).resolve().parent.parent
PACKAGED_APP_DIR = "tunelab_app"


class AppNotFound(RuntimeError):
    """Neither a packaged app nor a checkout's app.py lies beside the engine."""


def app_script(root: Path = INSTALL_ROOT) -> Path:
    """The app.py to run: the wheel's copy, else the checkout's (each beside its lessons/)."""
    for candidate in (root / PACKAGED_APP_DIR / "app.py", root / "app.py"):
        if candidate.is_file() and (candidate.parent / "lessons").is_dir():
            return candidate
    raise AppNotFound(
        f"No TuneLab app found beside the engine in {root}: reinstall TuneLab "
        "(pip install 'tunelab[app,lab]') or run from a checkout."
    )


def _flag_value(value: object) -> str:
    if isinstance(value, bool):  # TOML's true/false, as Streamlit's flags spell them
        return "true" if value else "false"
    return str(value)


def config_flags(app: Path) -> list[str]:
    """The app's .streamlit/config.toml as `--section.key=value` flags.

    Streamlit reads config.toml from the working folder only, and an installed app is run
    from the learner's or operator's own folder: flags carry the course's settings along.
    """
    config = app.parent / ".streamlit" / "config.toml"
    if not config.is_file():
        return []
    return list(_flags(tomllib.loads(config.read_text(encoding="utf-8"))))


def _flags(table: dict[str, object], prefix: str = "") -> Iterator[str]:
    """Nested tables ([theme.light]) become dotted names (--theme.light.textColor=...)."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flags(value, f"{prefix}{key}.")
        elif prefix:
            yield f"--{prefix}{key}={_flag_value(value)}"


def streamlit_command(extra: list[str], app: Path | None = None) -> list[str]:
    """The command that serves the app; ``extra`` flags come last, so they win."""
    script = app or app_script()
    return [sys.executable, "-m", "streamlit", "run", str(script), *config_flags(script), *extra]


def main(argv: list[str]) -> int:
    if argv[:1] in (["-h"], ["--help"]):
        print(
            "usage: tunelab run [STREAMLIT FLAGS...]\n\n"
            "Serve the TuneLab app with Streamlit (e.g. --server.port 8501); the data folder\n"
            "and banks follow TUNELAB_DATA_DIR and TUNELAB_QUIZ_DIR as usual."
        )
        return 0
    if importlib.util.find_spec("streamlit") is None:
        print(
            "tunelab run needs the app's dependencies: pip install 'tunelab[app,lab]'",
            file=sys.stderr,
        )
        return 1
    try:
        command = streamlit_command(argv)
    except AppNotFound as exc:
        print(exc, file=sys.stderr)
        return 1
    if os.name == "posix":
        # Become Streamlit: a service manager's SIGTERM and Ctrl+C then reach the server itself.
        os.execv(command[0], command)
    return subprocess.call(command)
