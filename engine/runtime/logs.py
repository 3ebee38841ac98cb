"""One place configures logging: the level from the settings, one line per record.

Every module logs through ``logging.getLogger(__name__)``; this sets the ``engine`` and
``tunelab`` loggers' level and handler once per process. What is logged never holds a PIN,
passcode, token or secret (tests/runtime/test_logs.py sends each through a sign-in and looks).
"""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_configured: set[str] = set()


def configure_logging(level: str = "INFO") -> None:
    """Send the engine's and the app's records to stderr at ``level`` (idempotent)."""
    for name in ("engine", "tunelab", "lessons"):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        if name not in _configured:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter(FORMAT))
            logger.addHandler(handler)
            _configured.add(name)
