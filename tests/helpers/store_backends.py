"""The store_url fixture: a fresh SQLite file, or a fresh schema on a real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, make_url, text

PG_URL_ENV = "TUNELAB_TEST_PG_URL"


def postgres_url_or_skip() -> str:
    """The test server's URL; skip locally without one, but fail in CI (CI=true)."""
    url = os.environ.get(PG_URL_ENV)
    if url:
        return url
    message = (
        f"{PG_URL_ENV} is not set, so the PostgreSQL variant cannot run. Start a server and "
        f"set e.g. {PG_URL_ENV}=postgresql+psycopg://tunelab:tunelab@127.0.0.1:5432/tunelab_test"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true requires PostgreSQL: {message}")
    pytest.skip(message)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A URL to an empty database; PostgreSQL gets a schema of its own, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tunelab.db'}"
        return
    base = make_url(postgres_url_or_skip())
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


class FakeClock:
    """A clock the test moves by hand, so review schedules need no sleeping."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
