"""Alembic owns every table: new databases, databases made before Alembic, and the models agree.

Each test runs on SQLite, and on PostgreSQL when TUNELAB_TEST_PG_URL is set."""

from __future__ import annotations

import io
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from helpers.store_backends import store_url  # noqa: F401  (fixture)
from sqlalchemy import Engine, insert, inspect, make_url, select

from engine.store import LATEST_VERSION, Store, head_revision, migrate
from engine.store.connect import make_engine
from engine.store.migrations import alembic_config
from engine.store.schema import (
    answers,
    lab_cluster_runs,
    lab_stored_run_epochs,
    lab_stored_runs,
    learners,
    metadata,
)

BEFORE_ALEMBIC_DUMP = Path(__file__).parents[1] / "fixtures" / "store_v4_before_alembic.sql"
LAB_TABLES = (lab_stored_runs, lab_stored_run_epochs, lab_cluster_runs)


def drift(engine: Engine) -> list[object]:
    """What `alembic revision --autogenerate` would write: nothing when models and DB agree."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def engine_for(url: str) -> Engine:
    return make_engine(make_url(url), busy_timeout_s=5)


def make_database_as_main_did(url: str) -> None:
    """The store's four hand-written steps, then the lab's create_all on first use."""
    engine = engine_for(url)
    assert migrate(engine) == LATEST_VERSION
    with engine.begin() as conn:
        metadata.create_all(conn, tables=LAB_TABLES)
        conn.execute(
            insert(learners).values(name="Ada", name_key="ada", created_at=datetime.now(UTC))
        )
        run_id = conn.execute(
            insert(lab_stored_runs).values(
                checkpoint_sha="a" * 64,
                config_digest="c" * 64,
                seed=0,
                device_kind="cpu",
                config={},
                result={"test_accuracy": 0.5},
                stored_at=datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
            )
        ).inserted_primary_key[0]
        conn.execute(insert(lab_stored_run_epochs).values(run_id=run_id, epoch=1, stats={}))
    engine.dispose()


def test_a_new_database_is_at_the_newest_revision_and_matches_the_models(store_url):  # noqa: F811
    with Store.open(store_url) as store:
        assert store.schema_revision() == head_revision()
        assert store.schema_version() == LATEST_VERSION  # what an older TuneLab reads
        assert set(inspect(store.sql_engine).get_table_names()) >= {t.name for t in LAB_TABLES}
        assert drift(store.sql_engine) == []


def test_a_database_made_before_alembic_is_stamped_upgraded_and_keeps_its_rows(store_url):  # noqa: F811
    make_database_as_main_did(store_url)
    with Store.open(store_url) as store:
        assert store.schema_revision() == head_revision()
        assert store.learner("ADA").name == "Ada"
        assert drift(store.sql_engine) == []
        with store.sql_engine.connect() as conn:
            stored_at = conn.execute(select(lab_stored_runs.c.stored_at)).scalar_one()
            epochs = conn.execute(select(lab_stored_run_epochs.c.epoch)).scalars().all()
    assert stored_at == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # aware, and still UTC
    assert epochs == [1]


def test_a_sqlite_file_from_main_before_alembic_opens_with_every_row(tmp_path):
    path = tmp_path / "tunelab.db"
    with sqlite3.connect(path) as db:
        db.executescript(BEFORE_ALEMBIC_DUMP.read_text(encoding="utf-8"))
    with Store.open(f"sqlite:///{path}") as store:
        assert store.schema_revision() == head_revision()
        ada = store.learner("Ada")
        (attempt,) = store.attempts(ada.id)
        assert [(a.question_id, a.variant_seed) for a in store.answers(attempt.id)] == [("q1", 42)]
        assert [card.question_id for card in store.review_cards(ada.id, "bank")] == ["q1"]
        assert drift(store.sql_engine) == []
        with store.sql_engine.connect() as conn:
            stored_at = conn.execute(select(lab_stored_runs.c.stored_at)).scalar_one()
            owners = conn.execute(select(lab_cluster_runs.c.owner)).scalars().all()
    assert stored_at == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert owners == ["owner-1"]


def test_a_version_1_database_is_finished_to_version_4_before_it_is_stamped(store_url):  # noqa: F811
    engine = engine_for(store_url)
    assert migrate(engine, target=1) == 1
    engine.dispose()
    with Store.open(store_url) as store:
        assert store.schema_version() == LATEST_VERSION
        assert store.schema_revision() == head_revision()
        assert drift(store.sql_engine) == []


def test_servers_opening_a_new_database_together_migrate_it_once(store_url):  # noqa: F811
    def open_and_close(_: int) -> str | None:
        with Store.open(store_url) as store:
            return store.schema_revision()

    with ThreadPoolExecutor(4) as pool:
        revisions = list(pool.map(open_and_close, range(4)))
    assert revisions == [head_revision()] * 4
    with Store.open(store_url) as store, store.sql_engine.connect() as conn:
        versions = conn.exec_driver_sql("SELECT version FROM schema_version").scalars().all()
        stamps = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    assert sorted(versions) == [1, 2, 3, 4] and stamps == [head_revision()]


def test_every_revision_downgrades_to_an_empty_database_and_upgrades_again(store_url):  # noqa: F811
    Store.open(store_url).close()
    engine = engine_for(store_url)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    with Store.open(store_url) as store:
        assert store.schema_revision() == head_revision()
        assert answers.name in inspect(store.sql_engine).get_table_names()
        assert drift(store.sql_engine) == []


def test_a_dba_can_have_the_whole_history_as_sql_without_a_database(tmp_path, monkeypatch):
    monkeypatch.setenv("TUNELAB_DATABASE_URL", f"sqlite:///{tmp_path / 'never-opened.db'}")
    config = alembic_config()
    config.output_buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    sql = config.output_buffer.getvalue()
    assert "CREATE TABLE learners" in sql
    assert "CREATE TABLE IF NOT EXISTS lab_stored_runs" in sql
    assert f"UPDATE alembic_version SET version_num='{head_revision()}'" in sql
    assert not (tmp_path / "never-opened.db").exists()
