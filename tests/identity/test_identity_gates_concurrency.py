"""Wrong-guess gates under concurrent tries from several servers, on SQLite and (with
TUNELAB_TEST_PG_URL set) PostgreSQL, where the row locks and the race to create a new
counter row are what keep two servers from spending the same free try."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from helpers.concurrency import run_together
from helpers.store_backends import store_url  # noqa: F401  (fixture)
from sqlalchemy import select

from engine.identity.instructor import FREE_TRIES, Outcome
from engine.identity.throttle import address_gate, guarded, passcode_rules, pin_rules
from engine.store import Store
from engine.store import schema as t
from engine.store.accounts import GateState

NOW = 1_800_000_000.0
SERVERS = 4  # each its own Store, so its own connection pool, as separate app servers


@pytest.fixture
def servers(store_url: str) -> Iterator[list[Store]]:  # noqa: F811
    stores = [Store.open(store_url) for _ in range(SERVERS)]
    yield stores
    for store in stores:
        store.close()


def states(db: Store, gates: list[str]) -> dict[str, GateState]:
    return db.accounts().update_gates(gates, lambda found: (found, {}))


def test_concurrent_wrong_passcodes_from_one_address_get_exactly_the_free_tries(servers):
    checked: list[int] = []

    def guess(index: int) -> Outcome:
        def check() -> bool:
            checked.append(index)
            return False

        db = servers[index % SERVERS]
        return guarded(db.accounts(), passcode_rules("10.0.0.7"), check, now=NOW).outcome

    results, errors = run_together(12, guess)
    assert errors == []
    assert Counter(results) == {Outcome.REFUSED: FREE_TRIES, Outcome.LOCKED: 12 - FREE_TRIES}
    assert len(checked) == FREE_TRIES  # the rest were refused without being looked at
    gates = list(passcode_rules("10.0.0.7"))
    assert [s.failures for s in states(servers[0], gates).values()] == [FREE_TRIES]


def test_many_servers_creating_the_same_new_counters_at_once_lose_no_count(servers):
    names = [f"name-{n}" for n in range(6)]
    tries_per_name = 4

    def guess(index: int) -> Outcome:
        db = servers[index % SERVERS]
        rules = pin_rules(names[index % len(names)], address="10.0.0.9", slow_address=False)
        return guarded(db.accounts(), rules, lambda: False, now=NOW).outcome

    results, errors = run_together(len(names) * tries_per_name, guess)
    assert errors == []
    refused_per_name = min(tries_per_name, FREE_TRIES)
    assert Counter(results)[Outcome.REFUSED] == len(names) * refused_per_name
    name_gates = [next(iter(pin_rules(name))) for name in names]
    found = states(servers[0], [*name_gates, address_gate("10.0.0.9")])
    assert {gate: found[gate].failures for gate in name_gates} == dict.fromkeys(
        name_gates, refused_per_name
    )
    assert found[address_gate("10.0.0.9")].failures == len(names) * refused_per_name


def test_a_class_signing_in_at_once_with_right_pins_is_never_slowed_by_its_address(servers):
    # More right PINs in flight together from one address than its slowdown lets wrong
    # ones through: each check waits until every learner's try has started, as under a
    # slow, busy server.
    learners = 40
    all_checking = threading.Barrier(learners, timeout=5)
    checked: list[int] = []

    def sign_in(index: int) -> Outcome:
        def check() -> bool:
            checked.append(index)
            all_checking.wait()  # BrokenBarrierError if some try never reached its check
            return True

        db = servers[index % SERVERS]
        rules = pin_rules(f"learner-{index}", address="10.0.0.9")
        return guarded(db.accounts(), rules, check, now=NOW).outcome

    results, errors = run_together(learners, sign_in)
    assert errors == []
    assert Counter(results) == {Outcome.ACCEPTED: learners}
    assert len(checked) == learners
    gate = address_gate("10.0.0.9")
    assert states(servers[0], [gate])[gate].failures == 0


def test_deletions_at_once_that_keep_counts_share_one_anonymous_learner(servers):
    db = servers[0]
    learners = [db.learner(f"Leaver {n}") for n in range(8)]
    for learner in learners:
        db.start_attempt(learner.id, bank_id="demo", bank_version="1", mode="test", seed=1, plan={})

    def leave(index: int) -> None:
        accounts = servers[index % SERVERS].accounts()
        accounts.delete_learner(learners[index].id, keep_anonymous_counts=True)

    _, errors = run_together(len(learners), leave)
    assert errors == []
    with db.reading() as conn:
        owners = {row.learner_id for row in conn.execute(select(t.attempts))}
    assert len(owners) == 1 and not owners & {learner.id for learner in learners}
