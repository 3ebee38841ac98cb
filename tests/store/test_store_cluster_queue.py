"""The cluster's line in the database: places across servers, started runs, dead servers."""

from sqlalchemy import create_engine

from engine.store.cluster_queue import STALE_AFTER_S, ClusterQueue


def two_servers(tmp_path) -> tuple[ClusterQueue, ClusterQueue]:
    """Two app servers' views of one database (separate engines, as separate processes)."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    return ClusterQueue(create_engine(url)), ClusterQueue(create_engine(url))


def ann_and_bob_waiting(tmp_path) -> tuple[ClusterQueue, ClusterQueue, int, int]:
    """Servers a and b, and the runs Ann (on a) and Bob (on b) submitted at t = 100 s."""
    a, b = two_servers(tmp_path)
    return a, b, a.submit("ann", now=100.0), b.submit("bob", now=100.0)


def test_runs_submitted_on_two_servers_wait_in_one_line_in_submission_order(tmp_path):
    a, b = two_servers(tmp_path)
    ann = a.submit("ann", now=100.0)
    bob = b.submit("bob", now=100.1)
    cai = a.submit("cai", now=100.2)
    assert [a.place(ann, 101.0), b.place(bob, 101.0), a.place(cai, 101.0)] == [1, 2, 3]
    assert b.counts(101.0) == (0, 3)


def test_a_started_run_leaves_the_line_and_counts_as_training(tmp_path):
    a, b, ann, bob = ann_and_bob_waiting(tmp_path)
    a.mark_started(ann, now=101.0)
    assert a.place(ann, 101.5) == 0
    assert b.place(bob, 101.5) == 1
    assert a.counts(101.5) == (1, 1)


def test_a_finished_run_is_gone_from_every_count(tmp_path):
    a, b, ann, bob = ann_and_bob_waiting(tmp_path)
    a.finish(ann, now=101.0)
    assert b.place(bob, 101.0) == 1
    assert b.counts(101.0) == (0, 1)


def test_runs_of_a_server_that_died_stop_holding_the_line_and_are_swept(tmp_path):
    dead, alive = two_servers(tmp_path)
    dead.submit("ann", now=100.0)  # its server is killed: no heartbeat, no finish
    bob = alive.submit("bob", now=100.5)
    later = 100.5 + STALE_AFTER_S / 2
    assert alive.place(bob, later) == 2  # still fresh: it may just be slow to report
    much_later = 100.0 + STALE_AFTER_S + 1
    assert alive.place(bob, much_later) == 1
    alive.finish(bob, now=much_later)
    assert alive.counts(much_later) == (0, 0)
    cai = alive.submit("cai", now=much_later)
    assert alive.place(cai, much_later) == 1  # the dead row was swept, not merely skipped


def test_a_heartbeat_keeps_a_long_wait_in_line(tmp_path):
    a, b, ann, bob = ann_and_bob_waiting(tmp_path)
    for tick in range(1, 4):  # ann's server keeps asking her place, once a second or so
        a.place(ann, 100.0 + tick * STALE_AFTER_S / 2)
    assert b.place(bob, 100.0 + 3 * STALE_AFTER_S / 2) == 2
