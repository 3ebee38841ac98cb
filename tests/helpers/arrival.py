"""A learner arriving in AppTest by a link that carries their signed session token."""

from __future__ import annotations

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from engine.identity.signin import issue_token, sign_in_with_pin, token_secret
from engine.store import Store

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TEST_PIN = "test-pin-4821"


def session_token(name: str, url: str | None = None, pin: str = TEST_PIN) -> str:
    """Sign `name` in (creating or claiming it with `pin`) in the database the app uses
    (`url`, else the environment's), and return the token a reload would carry."""
    with Store.open(url) as db:
        result = sign_in_with_pin(db, name, pin, now=time.time())
        assert result.learner is not None, result
        return issue_token(db, result.learner, token_secret(db), now=time.time())


def sqlite_url(data_dir: Path) -> str:
    """The database a server started with TUNELAB_DATA_DIR=`data_dir` opens."""
    return f"sqlite:///{data_dir / 'tunelab.db'}"


def arrive(at: AppTest, name: str) -> AppTest:
    """Put `name`'s signed token in the URL, as a reload of a signed-in page would."""
    at.query_params["session"] = session_token(name)
    return at


def signed_in(name: str, page: str) -> AppTest:
    """The whole app as `?session=<name's token>` opens it, switched to `page`."""
    at = arrive(AppTest.from_file(APP, default_timeout=60), name)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    # app.py turns an unexpected exception into this message (and logs the traceback).
    failed = [e.value for e in at.error if e.value.startswith("Something went wrong")]
    assert not failed, failed
    return at
