"""Smoke test across the one-machine cluster: proxy, two app servers, Ray worker, PostgreSQL.

One test, in the order a class would meet these events: learners spread over both servers, a
run trains on the Ray worker, the worker dies mid-run (plain message, run again works), an
identical run on the other server is replayed from the shared store, an app server dies and its
learners land on the other one.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.helpers.st_ws import Render, StreamlitSession, trigger

# Starting the cluster alone takes a minute or two on a busy machine.
pytestmark = [pytest.mark.cluster, pytest.mark.slow, pytest.mark.timeout(900)]
LOST = "The machine training your run stopped before it finished"


def open_lab(cluster, name: str, cookie: str) -> tuple[StreamlitSession, Render]:
    session = StreamlitSession(
        cluster.url, f"learner={name}", timeout=240, headers={"Cookie": cookie}
    )
    page = session.rerun("lab")
    assert "Freezing lab" in page.text and not page.exceptions, page.text[:500]
    return session, page


def training_task_pids() -> list[int]:
    """Ray worker processes running a lab run right now (Ray titles them by the task)."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and b"ray::train_streaming" in (proc / "cmdline").read_bytes():
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


def wait_until(predicate, limit_s: float, what: str) -> None:
    deadline = time.monotonic() + limit_s
    while not predicate():
        assert time.monotonic() < deadline, f"waited {limit_s:.0f} s for {what}"
        time.sleep(0.2)


def test_a_class_on_the_cluster_survives_a_lost_worker_and_a_lost_server(cluster):
    cookies = [cluster.sticky_cookie() for _ in range(4)]
    assert {c.split("=")[1] for c in cookies} == {"app1", "app2"}, cookies
    ann_cookie = next(c for c in cookies if c.endswith("app1"))
    bob_cookie = next(c for c in cookies if c.endswith("app2"))
    ann, ann_page = open_lab(cluster, "ann", ann_cookie)
    bob, bob_page = open_lab(cluster, "bob", bob_cookie)

    # Ann's run starts on the worker, which then dies: she is told plainly, nothing stored.
    # The page keeps talking while it waits: read it in a thread, as a browser would.
    with ThreadPoolExecutor(1) as reader:
        ann.send("lab", [trigger(ann_page.button("Train"))])
        reading = reader.submit(ann.read_until_finished)
        wait_until(training_task_pids, 240, "the run to start on the Ray worker")
        cluster.run("kill-worker")
        lost = reading.result(timeout=120)
    assert LOST in lost.text and not lost.exceptions, lost.text[-800:]

    # A worker joins again; the same run now trains to the end on it.
    cluster.run("start-worker")
    again = ann.rerun("lab", [trigger(lost.button("Train"))])
    assert "Trained on a Ray worker" in again.text and not again.exceptions, again.text[-800:]

    # Bob, on the other server, asks for the identical run: replayed from PostgreSQL.
    replayed = bob.rerun("lab", [trigger(bob_page.button("Train"))])
    assert "Replayed" in replayed.text and not replayed.exceptions, replayed.text[-800:]
    assert replayed.of_kind("vega_lite_chart")

    # Ann's server dies: the proxy takes it out and sends her browser to the other one.
    ann.close()
    cluster.run("kill-app", "1")
    wait_until(lambda: cluster.sticky_cookie(ann_cookie).endswith("app2"), 30, "failover")
    moved, _page = open_lab(cluster, "ann", cluster.sticky_cookie(ann_cookie))
    moved.close()
    bob.close()
