"""The Store: learners, attempts, answers and review cards behind one small typed API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Self

from sqlalchemy import Connection, CursorResult, Engine, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from engine.modes import AttemptMode
from engine.store import schema as t
from engine.store.accounts import Accounts
from engine.store.connect import (
    describe,
    folder_trouble,
    make_engine,
    resolve_url,
    with_retries,
)
from engine.store.errors import (
    AnswerRefused,
    AttemptNotFound,
    StoreError,
    StoreUnavailable,
    explain_database_error,
    explain_open_failure,
)
from engine.store.migrations import current_revision, current_version, upgrade
from engine.store.models import (
    Answer,
    Attempt,
    CardMove,
    Learner,
    RecordedResponse,
    ReviewCard,
    clean_display_name,
    display_name_key,
)
from engine.store.rows import (
    answer_from_row,
    attempt_from_row,
    card_from_row,
    card_query,
    check_numbers,
    clean_response,
    schedule_card,
)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id(result: CursorResult[Any]) -> int:
    """The primary key of the row an INSERT just made."""
    key = result.inserted_primary_key
    assert key is not None, "an INSERT of one row always has a primary key"
    return int(key[0])


class Store:
    """Persistence for TuneLab. Every method is one committed transaction; thread-safe.

    Every database failure leaves as a StoreError (or StoreUnavailable when opening) whose
    message says what went wrong and what to do, so callers never see SQLAlchemy.

    ``record_answer`` moves the question's review card by the rule its caller passes in
    (``CardMove``), inside the answer's own transaction: an answer and its card move commit
    together or not at all, so a crash or a full disk can never leave an acknowledged miss
    without its card, nor a card moved for an answer that was lost.
    Reporting (frames, CSV) lives beside the store, in ``engine.store.reports``.
    """

    def __init__(self, engine: Engine, *, where: str, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._writer = engine.execution_options(tunelab_write=True)
        self.where = where
        self._clock = clock

    @classmethod
    def open(
        cls, url: str | None = None, *, clock: Clock = utc_now, busy_timeout_s: float = 10.0
    ) -> Self:
        """Open (creating and migrating as needed) the database at ``url``.

        ``url`` None means $TUNELAB_DATABASE_URL, else the SQLite file
        $TUNELAB_DATA_DIR/tunelab.db (data dir ``./data`` by default).
        Raises StoreUnavailable saying what is wrong and where.
        """
        resolved = resolve_url(url)
        where = describe(resolved)
        engine = make_engine(resolved, busy_timeout_s=busy_timeout_s)
        try:
            upgrade(engine)
        except DBAPIError as exc:
            engine.dispose()
            raise StoreUnavailable(
                explain_open_failure(where, exc, folder_trouble(resolved))
            ) from exc
        except Exception:
            engine.dispose()
            raise
        return cls(engine, where=where, clock=clock)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def sql_engine(self) -> Engine:
        """The SQLAlchemy engine, for the lab's run tables and for diagnostics and benchmarks."""
        return self._engine

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reading, for reports beside the store; failures are StoreErrors."""
        try:
            with self._engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(explain_database_error(exc)) from exc

    def _write(self, work: Callable[[Connection], Any], *, conflict_ok: bool = False) -> Any:
        """Run ``work`` as one transaction, retried on lock contention.

        With ``conflict_ok`` a uniqueness conflict returns None (someone else wrote it
        first); any other failure is a StoreError.
        """

        def transaction() -> Any:
            with self._writer.begin() as conn:
                return work(conn)

        try:
            return with_retries(transaction)
        except IntegrityError as exc:
            if conflict_ok:
                return None
            raise StoreError(explain_database_error(exc)) from exc
        except SQLAlchemyError as exc:
            raise StoreError(explain_database_error(exc)) from exc

    def schema_version(self) -> int:
        """The pre-Alembic version number (4 for every database since the baseline)."""
        with self.reading() as conn:
            return current_version(conn)

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at (after ``open``: the newest one)."""
        with self.reading() as conn:
            return current_revision(conn)

    # Learners ------------------------------------------------------------------------

    def learner(self, name: str) -> Learner:
        """The learner with this display name (case-insensitive), created if new."""
        cleaned = clean_display_name(name)
        key = display_name_key(cleaned)
        existing = self.learner_by_key(key)
        if existing is not None:
            return existing
        # A concurrent session may create the same name first: then theirs is ours.
        self._write(
            lambda conn: conn.execute(
                insert(t.learners).values(name=cleaned, name_key=key, created_at=self._clock())
            ),
            conflict_ok=True,
        )
        found = self.learner_by_key(key)
        assert found is not None
        return found

    def learner_by_key(self, key: str) -> Learner | None:
        """The learner whose name key (``name_key``) is ``key``, or None."""
        with self.reading() as conn:
            row = conn.execute(select(t.learners).where(t.learners.c.name_key == key)).first()
        return None if row is None else Learner(row.id, row.name, row.created_at)

    def get_learner(self, learner_id: int) -> Learner | None:
        with self.reading() as conn:
            row = conn.execute(select(t.learners).where(t.learners.c.id == learner_id)).first()
        return None if row is None else Learner(row.id, row.name, row.created_at)

    def accounts(self) -> Accounts:
        """Sign-in records (PIN credentials, wrong-guess gates, server secrets)."""
        return Accounts(self._engine, self._clock)

    # Attempts ------------------------------------------------------------------------

    def start_attempt(
        self,
        learner_id: int,
        *,
        bank_id: str,
        bank_version: str,
        mode: AttemptMode,
        seed: int,
        plan: dict[str, Any],
    ) -> Attempt:
        """Begin an attempt; ``plan`` (JSON) is what the quiz engine needs to resume it."""
        mode = AttemptMode(mode)  # typed callers pass the enum; this refuses any other text
        json.dumps(plan)  # fail here, with the caller's stack, if the plan is not JSON
        values = dict(
            learner_id=learner_id,
            bank_id=bank_id,
            bank_version=bank_version,
            mode=mode.value,
            seed=seed,
            plan=plan,
            started_at=self._clock(),
        )
        attempt_id = self._write(
            lambda conn: new_id(conn.execute(insert(t.attempts).values(**values)))
        )
        return self.get_attempt(attempt_id)

    def get_attempt(self, attempt_id: int) -> Attempt:
        with self.reading() as conn:
            row = conn.execute(select(t.attempts).where(t.attempts.c.id == attempt_id)).first()
        if row is None:
            raise AttemptNotFound(f"No attempt with id {attempt_id}.")
        return attempt_from_row(row)

    def finish_attempt(self, attempt_id: int) -> Attempt:
        """Mark the attempt finished (a second call keeps the first finish time)."""
        now = self._clock()

        def work(conn: Connection) -> None:
            conn.execute(
                update(t.attempts)
                .where(t.attempts.c.id == attempt_id, t.attempts.c.finished_at.is_(None))
                .values(finished_at=now)
            )

        self._write(work)
        return self.get_attempt(attempt_id)

    def unfinished_attempt(
        self, learner_id: int, bank_id: str, mode: AttemptMode
    ) -> Attempt | None:
        """The learner's latest unfinished attempt at this bank in this mode, for resuming."""
        query = (
            select(t.attempts)
            .where(
                t.attempts.c.learner_id == learner_id,
                t.attempts.c.bank_id == bank_id,
                t.attempts.c.mode == AttemptMode(mode).value,
                t.attempts.c.finished_at.is_(None),
            )
            .order_by(t.attempts.c.started_at.desc(), t.attempts.c.id.desc())
        )
        with self.reading() as conn:
            row = conn.execute(query).first()
        return None if row is None else attempt_from_row(row)

    def attempts(self, learner_id: int, *, bank_id: str | None = None) -> list[Attempt]:
        """The learner's attempts, oldest first."""
        query = select(t.attempts).where(t.attempts.c.learner_id == learner_id)
        if bank_id is not None:
            query = query.where(t.attempts.c.bank_id == bank_id)
        with self.reading() as conn:
            rows = conn.execute(query.order_by(t.attempts.c.started_at, t.attempts.c.id))
            return [attempt_from_row(row) for row in rows]

    # Answers -------------------------------------------------------------------------

    def record_answer(
        self,
        attempt_id: int,
        *,
        question_id: str,
        question_fingerprint: str,
        response: RecordedResponse,
        score: float,
        max_score: float,
        correct: bool,
        used_hint: bool,
        seconds: float,
        card: CardMove,
        variant_seed: int | None = None,
    ) -> Answer:
        """Record and commit one answer, and move the question's review card with it by ``card``.

        Raises AnswerRefused for a finished attempt or a second answer to a test question,
        AttemptNotFound for an unknown attempt, ValueError for impossible numbers,
        StoreError when the database fails (then nothing was recorded).
        """
        check_numbers(score=score, max_score=max_score, seconds=seconds)
        response = clean_response(response)
        now = self._clock()

        def work(conn: Connection) -> int:
            # FOR SHARE (PostgreSQL) holds off a concurrent finish_attempt until we commit;
            # SQLite is already serialised by BEGIN IMMEDIATE.
            attempt = conn.execute(
                select(t.attempts).where(t.attempts.c.id == attempt_id).with_for_update(read=True)
            ).first()
            if attempt is None:
                raise AttemptNotFound(f"No attempt with id {attempt_id}.")
            if attempt.finished_at is not None:
                raise AnswerRefused(
                    f"Attempt {attempt_id} is finished: no more answers can be recorded."
                )
            is_test = attempt.mode == AttemptMode.TEST.value
            try:
                answer_id = new_id(
                    conn.execute(
                        insert(t.answers).values(
                            attempt_id=attempt_id,
                            question_id=question_id,
                            question_fingerprint=question_fingerprint,
                            response=response,
                            score=float(score),
                            max_score=float(max_score),
                            correct=bool(correct),
                            used_hint=bool(used_hint),
                            seconds=float(seconds),
                            answered_at=now,
                            single_answer_key=question_id if is_test else None,
                            variant_seed=variant_seed,
                        )
                    )
                )
            except IntegrityError as exc:  # the transaction rolls back as this propagates
                raise AnswerRefused(
                    f"Question {question_id!r} was already answered in test attempt "
                    f"{attempt_id}: a test takes one answer per question."
                ) from exc
            schedule_card(conn, attempt.learner_id, attempt.bank_id, question_id, card, now)
            return answer_id

        answer_id = self._write(work)
        with self.reading() as conn:
            row = conn.execute(select(t.answers).where(t.answers.c.id == answer_id)).one()
        return answer_from_row(row)

    def answers(self, attempt_id: int) -> list[Answer]:
        """The attempt's answers in the order they were given."""
        query = (
            select(t.answers)
            .where(t.answers.c.attempt_id == attempt_id)
            .order_by(t.answers.c.answered_at, t.answers.c.id)
        )
        with self.reading() as conn:
            return [answer_from_row(row) for row in conn.execute(query)]

    # Review --------------------------------------------------------------------------

    def now(self) -> datetime:
        """The store's clock: what it stamps records with (a test may pass its own)."""
        return self._clock()

    def review_card(self, learner_id: int, bank_id: str, question_id: str) -> ReviewCard | None:
        with self.reading() as conn:
            row = conn.execute(card_query(learner_id, bank_id, question_id)).first()
        return None if row is None else card_from_row(row)

    def review_cards(self, learner_id: int, bank_id: str) -> list[ReviewCard]:
        """All of the learner's cards for the bank, including those that left the queue."""
        query = select(t.review_cards).where(
            t.review_cards.c.learner_id == learner_id, t.review_cards.c.bank_id == bank_id
        )
        with self.reading() as conn:
            return [card_from_row(row) for row in conn.execute(query)]
