"""Smoke test across the one-machine cluster: proxy, two app servers, Ray worker, PostgreSQL.

One test, in the order a class would meet these events: learners sign in (name + PIN) spread
over both servers, Ann leaves a test half done for the lab, her run trains on the Ray worker,
the worker dies mid-run (plain message, run again works) while Cai waits behind her and is
told his place, an identical run on the other server is replayed from the shared store, and
Ann's server dies: her browser comes back through the proxy with its token, lands on the
other server signed in, and her test resumes where she left it. Before all that, learners
guessing the instructor passcode through the proxy each lock out only their own browser.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers.st_ws import Render, StreamlitSession, trigger
from helpers.ws_answers import legit_answer, sign_in
from streamlit.proto.WidgetStates_pb2 import WidgetState

# Starting the cluster alone takes a minute or two on a busy machine.
pytestmark = [pytest.mark.cluster, pytest.mark.slow, pytest.mark.timeout(900)]
LOST = "The machine training your run stopped before it finished"
TEST_LENGTH = 4  # the example bank's test


def signed_in(cluster, name: str, cookie: str) -> StreamlitSession:
    """A new browser tab through the proxy (pinned by `cookie`), signed in with name + PIN."""
    session = StreamlitSession(cluster.url, timeout=240, headers={"Cookie": cookie})
    _form, page = sign_in(session, name, f"{name}-pin-6183")
    assert f"Signed in as **{name}**" in page.text, page.text[:800]
    assert session.query_string.startswith("session="), session.query_string
    return session


def open_lab(session: StreamlitSession) -> Render:
    page = session.rerun("lab")
    assert "Freezing lab" in page.text and not page.exceptions, page.text[:500]
    return page


def answer(session: StreamlitSession, page: Render) -> tuple[str, Render]:
    """Answer the question on screen (any choice will do); the id answered, the next page."""
    return on_screen(page), session.rerun("test_pattern", legit_answer(page))


def on_screen(page: Render) -> str:
    widget = page.answer_input()
    return getattr(widget, widget.WhichOneof("type")).form_id.removeprefix("test_form_")


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


def guess_passcode(session: StreamlitSession, passcode: str) -> Render:
    form = session.rerun("instructor_banks")
    field = next(e for e in form.of_kind("text_input") if e.text_input.label.startswith("Instr"))
    return session.rerun(
        "instructor_banks",
        [
            WidgetState(id=field.text_input.id, string_value=passcode),
            trigger(form.button("Unlock")),
        ],
    )


def test_behind_the_proxy_each_learner_has_their_own_passcode_count(cluster):
    # Issue 19: every browser reached Streamlit from HAProxy's address, so one learner's
    # three wrong passcodes locked the instructor out. Each browser here has an address of
    # its own on loopback (127.0.0.2, .3, .4), which HAProxy names in X-Forwarded-For.
    def browser(source: str) -> StreamlitSession:
        return StreamlitSession(cluster.url, timeout=240, source=source)

    with browser("127.0.0.2") as first, browser("127.0.0.3") as second:
        for number in (1, 2, 3):
            page = guess_passcode(first, f"wrong {number}")
        assert "Too many wrong passcodes" in page.text, page.text[:800]
        page = guess_passcode(second, "wrong")
        assert "Wrong passcode (1 failed try)." in page.text, page.text[:800]
    with browser("127.0.0.4") as instructor:
        page = guess_passcode(instructor, cluster.env["TUNELAB_INSTRUCTOR_PASSCODE"])
        assert "Too many wrong passcodes" not in page.text and "is valid" in page.text, page.text


def test_a_class_on_the_cluster_survives_a_lost_worker_and_a_lost_server(cluster):
    cookies = [cluster.sticky_cookie() for _ in range(4)]
    assert {c.split("=")[1] for c in cookies} == {"app1", "app2"}, cookies
    ann_cookie = next(c for c in cookies if c.endswith("app1"))
    bob_cookie = next(c for c in cookies if c.endswith("app2"))

    # Ann, on app1, answers half of a test, then leaves it for the lab.
    ann = signed_in(cluster, "Ann", ann_cookie)
    ann_link = ann.query_string  # what her browser's address bar holds: ?session=<token>
    page = ann.rerun("test_pattern", [trigger(ann.rerun("test_pattern").button("Start the test"))])
    answered = []
    for number in (1, 2):
        question, page = answer(ann, page)
        answered.append(question)
        assert f"Question {number + 1} of {TEST_LENGTH}" in page.text, page.text[:800]
    ann_page = open_lab(ann)
    bob = signed_in(cluster, "Bob", bob_cookie)
    bob_page = open_lab(bob)
    cai = signed_in(cluster, "Cai", bob_cookie)
    cai_page = open_lab(cai)

    # Ann's run starts on the worker, which then dies: she is told plainly, nothing stored.
    # The page keeps talking while it waits: read it in a thread, as a browser would.
    with ThreadPoolExecutor(2) as readers:
        ann.send("lab", [trigger(ann_page.button("Train"))])
        reading = readers.submit(ann.read_until_finished)
        wait_until(training_task_pids, 240, "the run to start on the Ray worker")
        cluster.run("kill-worker")
        lost = reading.result(timeout=120)
        assert LOST in lost.text and not lost.exceptions, lost.text[-800:]

        # A worker (one CPU) joins again; Ann's run trains on it to the end while Cai's,
        # pressed from the other server once hers has started, waits and is told his place.
        cluster.run("start-worker")
        ann.send("lab", [trigger(lost.button("Train"))])
        ann_reading = readers.submit(ann.read_until_finished)
        wait_until(training_task_pids, 240, "Ann's second run to start on the worker")
        cai_run = cai.rerun("lab", [trigger(cai_page.button("Train"))])
        again = ann_reading.result(timeout=240)
    assert "Trained on a Ray worker" in again.text and not again.exceptions, again.text[-800:]
    assert "You are number 1 in the queue" in cai_run.text, cai_run.text[-1500:]
    assert not cai_run.exceptions and "Results of run" in cai_run.text, cai_run.text[-800:]

    # Bob, on the other server, asks for the identical run: replayed from PostgreSQL.
    replayed = bob.rerun("lab", [trigger(bob_page.button("Train"))])
    assert "Replayed" in replayed.text and not replayed.exceptions, replayed.text[-800:]
    assert replayed.of_kind("vega_lite_chart")

    # Ann's server dies: the proxy takes it out. Her browser reconnects with the same cookie
    # and the same address (her token), lands on the other server, signed in, mid-test.
    ann.close()
    cluster.run("kill-app", "1")
    wait_until(lambda: cluster.sticky_cookie(ann_cookie).endswith("app2"), 30, "failover")
    with StreamlitSession(
        cluster.url, ann_link, timeout=240, headers={"Cookie": ann_cookie}
    ) as moved:
        page = moved.rerun("test_pattern")
        assert "Signed in as **Ann**" in page.text, page.text[:800]
        assert "your test resumes at question 3" in page.text, page.text[:800]
        assert f"Question 3 of {TEST_LENGTH}" in page.text
        assert on_screen(page) not in answered
        # Only the two unanswered questions are left: her first two answers were kept.
        for _ in range(TEST_LENGTH - len(answered)):
            _question, page = answer(moved, page)
        assert page.button("Retake with new questions"), page.text[:800]
    for session in (bob, cai):
        session.close()
