"""Sign-in records: PIN credentials, wrong-guess gates and server secrets.

Kept apart from `Store` so the store's own API stays about learning records; it shares the
store's engine, its write-transaction option and its retries on lock contention.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.store import schema as t
from engine.store.connect import with_retries
from engine.store.errors import translate_database_errors
from engine.store.models import Learner

R = TypeVar("R")
# Where deleted learners' test answers go when the policy keeps anonymous counts. The key
# starts with a tab, which clean_display_name refuses, so nobody can sign in as it.
ANONYMOUS_KEY = "\tanonymous"
ANONYMOUS_NAME = "(deleted learners)"
NO_PIN = ""  # a credential row whose PIN was reset: the next sign-in chooses a new one


@dataclass(frozen=True)
class Credential:
    learner_id: int
    pin_hash: str  # NO_PIN after a reset
    generation: int


@dataclass(frozen=True)
class GateState:
    """One wrong-guess counter as stored; the rules that change it live in engine.identity."""

    failures: int = 0
    locked_until: float = 0.0
    window_start: float = 0.0


@translate_database_errors
class Accounts:
    """Every method is one committed transaction; safe to share between sessions."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._writer = engine.execution_options(tunelab_write=True)
        self._clock = clock

    def _write(self, work: Callable[[Connection], R]) -> R:
        def transaction() -> R:
            with self._writer.begin() as conn:
                return work(conn)

        return with_retries(transaction)

    # Credentials ---------------------------------------------------------------------

    def credential(self, learner_id: int) -> Credential | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(t.credentials).where(t.credentials.c.learner_id == learner_id)
            ).first()
        return None if row is None else Credential(row.learner_id, row.pin_hash, row.generation)

    def claim(self, learner_id: int, pin_hash: str) -> Credential | None:
        """Set the first PIN of a learner who has none (never had one, or was reset).

        None when someone else's claim got there first: a check-then-insert would let two
        browsers both claim one name, so the database decides."""

        def work(conn: Connection) -> Credential | None:
            row = conn.execute(
                select(t.credentials).where(t.credentials.c.learner_id == learner_id)
            ).first()
            if row is None:
                self._insert_first_credential(conn, learner_id, pin_hash)
                return Credential(learner_id, pin_hash, 1)
            changed = conn.execute(
                update(t.credentials)
                .where(t.credentials.c.learner_id == learner_id, t.credentials.c.pin_hash == NO_PIN)
                .values(pin_hash=pin_hash, updated_at=self._clock())
            ).rowcount
            return Credential(learner_id, pin_hash, row.generation) if changed else None

        with suppress(IntegrityError):
            return self._write(work)
        return None

    def reset_pin(self, learner_id: int) -> None:
        """Forget the PIN and revoke every token signed so far (the generation moves on)."""

        def work(conn: Connection) -> None:
            changed = conn.execute(
                update(t.credentials)
                .where(t.credentials.c.learner_id == learner_id)
                .values(
                    pin_hash=NO_PIN,
                    generation=t.credentials.c.generation + 1,
                    updated_at=self._clock(),
                )
            ).rowcount
            if not changed:
                self._insert_first_credential(conn, learner_id, NO_PIN)

        self._write(work)

    def _insert_first_credential(self, conn: Connection, learner_id: int, pin_hash: str) -> None:
        """A learner's first credential row: generation 1, since no token names them yet."""
        conn.execute(
            insert(t.credentials).values(
                learner_id=learner_id, pin_hash=pin_hash, generation=1, updated_at=self._clock()
            )
        )

    def revoke_tokens(self, learner_id: int) -> None:
        """Sign-out: every token signed so far stops working at once, on every server, while
        the PIN stays. A learner without a credential has no tokens to revoke."""
        self._write(
            lambda conn: conn.execute(
                update(t.credentials)
                .where(t.credentials.c.learner_id == learner_id)
                .values(generation=t.credentials.c.generation + 1, updated_at=self._clock())
            )
        )

    def delete_learner(self, learner_id: int, *, keep_anonymous_counts: bool = False) -> None:
        """A learner's own deletion: their answers, attempts, review cards, PIN and name.

        With ``keep_anonymous_counts`` (the instructor's policy) their *test* attempts and
        answers move to the one shared anonymous learner instead, so item statistics keep
        their counts while nothing says whose they were; everything else goes."""

        def work(conn: Connection) -> None:
            if keep_anonymous_counts:
                conn.execute(
                    update(t.attempts)
                    .where(t.attempts.c.learner_id == learner_id, t.attempts.c.mode == "test")
                    .values(learner_id=self._anonymous_id(conn))
                )
            theirs = select(t.attempts.c.id).where(t.attempts.c.learner_id == learner_id)
            conn.execute(delete(t.answers).where(t.answers.c.attempt_id.in_(theirs)))
            conn.execute(delete(t.attempts).where(t.attempts.c.learner_id == learner_id))
            conn.execute(delete(t.review_cards).where(t.review_cards.c.learner_id == learner_id))
            conn.execute(delete(t.credentials).where(t.credentials.c.learner_id == learner_id))
            conn.execute(delete(t.learners).where(t.learners.c.id == learner_id))

        try:
            self._write(work)
        except IntegrityError:
            # Two servers created the anonymous learner at once: it exists now, so again.
            self._write(work)

    def _anonymous_id(self, conn: Connection) -> int:
        found = conn.execute(
            select(t.learners.c.id).where(t.learners.c.name_key == ANONYMOUS_KEY)
        ).scalar_one_or_none()
        if found is not None:
            return int(found)
        # Inside the deletion's write transaction, so two deletions cannot both create it.
        made = conn.execute(
            insert(t.learners).values(
                name=ANONYMOUS_NAME, name_key=ANONYMOUS_KEY, created_at=self._clock()
            )
        ).inserted_primary_key
        assert made is not None, "an INSERT of one row always has a primary key"
        return int(made[0])

    # Learners known by an identity provider ------------------------------------------

    def learner_by_key(self, name_key: str, display_name: str) -> Learner:
        """Get or create the learner whose key is ``name_key`` (see engine.identity.oidc)."""

        def find(conn: Connection) -> Any:
            return conn.execute(select(t.learners).where(t.learners.c.name_key == name_key)).first()

        with self._engine.connect() as conn:
            row = find(conn)
        if row is None:
            with suppress(IntegrityError):
                self._write(
                    lambda conn: conn.execute(
                        insert(t.learners).values(
                            name=display_name, name_key=name_key, created_at=self._clock()
                        )
                    )
                )
            with self._engine.connect() as conn:
                row = find(conn)
        return Learner(row.id, row.name, row.created_at)

    # Wrong-guess gates ---------------------------------------------------------------

    def update_gates(
        self,
        gates: Iterable[str],
        decide: Callable[[dict[str, GateState]], tuple[R, dict[str, GateState]]],
    ) -> R:
        """Read ``gates``, let ``decide`` return (result, new states), write them, atomically.

        One write transaction: on SQLite it is serialised (BEGIN IMMEDIATE); on PostgreSQL
        the rows are locked, so two servers cannot both spend the same free try."""
        names = sorted(set(gates))

        def work(conn: Connection) -> R:
            query = select(t.throttle_gates).where(t.throttle_gates.c.gate.in_(names))
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()
            rows = {row.gate: row for row in conn.execute(query)}
            before = {
                name: GateState(row.failures, row.locked_until, row.window_start)
                if (row := rows.get(name))
                else GateState()
                for name in names
            }
            result, after = decide(before)
            for name, state in after.items():
                if name in rows:
                    conn.execute(
                        update(t.throttle_gates)
                        .where(t.throttle_gates.c.gate == name)
                        .values(**vars(state))
                    )
                else:
                    conn.execute(insert(t.throttle_gates).values(gate=name, **vars(state)))
            return result

        # Another server created one of these gate rows at the same moment: it exists now,
        # so the next pass locks and updates it (decide runs again on the fresh counts).
        # Each collision means one more of the rows is committed, and rows are never
        # removed while servers run, so one pass per gate plus one always suffices.
        for _ in range(len(names)):
            with suppress(IntegrityError):
                return self._write(work)
        return self._write(work)

    def gate_state(self, gate: str) -> GateState:
        """One counter as it stands, read without the write lock (a hint, not a decision:
        decisions go through update_gates)."""
        with self._engine.connect() as conn:
            row = conn.execute(
                select(t.throttle_gates).where(t.throttle_gates.c.gate == gate)
            ).first()
        return (
            GateState()
            if row is None
            else GateState(row.failures, row.locked_until, row.window_start)
        )

    def locked_gates(self, prefix: str, now: float) -> dict[str, GateState]:
        """The counters whose name starts with ``prefix`` and that are locked at ``now``."""
        query = select(t.throttle_gates).where(
            t.throttle_gates.c.gate.startswith(prefix, autoescape=True),
            t.throttle_gates.c.locked_until > now,
        )
        with self._engine.connect() as conn:
            return {
                row.gate: GateState(row.failures, row.locked_until, row.window_start)
                for row in conn.execute(query)
            }

    def forget_gate(self, gate: str) -> None:
        """Clear one counter (an instructor clearing a learner's lock)."""
        self._write(
            lambda conn: conn.execute(
                delete(t.throttle_gates).where(t.throttle_gates.c.gate == gate)
            )
        )

    def forget_gates(self) -> None:
        """Clear every counter (an operator's reset after an incident; tests)."""
        self._write(lambda conn: conn.execute(delete(t.throttle_gates)))

    # Server secrets ------------------------------------------------------------------

    def server_secret(self, name: str, make: Callable[[], str]) -> str:
        """The secret called ``name``, made with ``make`` and kept the first time it is
        asked for; when two servers race, both end up with the one stored first."""

        def read() -> str | None:
            with self._engine.connect() as conn:
                return conn.execute(
                    select(t.server_secrets.c.value).where(t.server_secrets.c.name == name)
                ).scalar_one_or_none()

        found = read()
        if found is None:
            value = make()
            with suppress(IntegrityError):
                self._write(
                    lambda conn: conn.execute(
                        insert(t.server_secrets).values(
                            name=name, value=value, created_at=self._clock()
                        )
                    )
                )
            found = read()
        assert found is not None
        return found
