"""bench.practice_load: what it compares, how a row reads, and which arguments it refuses."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.practice_load import (
    ANSWER,
    CONNECT,
    NEXT,
    OPEN,
    RERUN,
    SIGN_IN,
    VARIANT,
    Journey,
    Repeat,
    Request,
    parse_args,
    pauses,
    process_cpu_s,
    wave,
)


def _journey(*requests: tuple[str, float], answers: int = 0, error: str | None = None):
    return Journey([Request(kind, s) for kind, s in requests], answers, error=error)


def _repeat() -> Repeat:
    app = [
        _journey((CONNECT, 0.05), (SIGN_IN, 0.2), (OPEN, 0.03), (ANSWER, 0.04), answers=1),
        _journey((CONNECT, 0.06), (SIGN_IN, 0.3), (NEXT, 0.01), (VARIANT, 0.02), answers=2),
    ]
    bare = [
        _journey((CONNECT, 0.05), (RERUN, 0.01), (RERUN, 0.02)),
        _journey((CONNECT, 0.07), (RERUN, 0.01), (RERUN, 0.02), error="cut off after 100 s"),
    ]
    repeat = Repeat(1, 2, 10.0, bare, app, load_before=1.5, load_after=2.0, answers_found=3)
    repeat.app_cpu_s, repeat.bare_cpu_s = 0.5, 0.03  # over 8 and 6 requests
    return repeat


def test_the_ratio_sets_practice_requests_against_bare_reruns_leaving_out_sign_in():
    # Practice requests 0.01 to 0.04 (p95 0.04); bare reruns 0.01, 0.01, 0.02, 0.02 (p95 0.02).
    assert _repeat().ratio == pytest.approx(2.0)


def test_a_row_reports_each_request_kind_and_whether_answers_were_stored():
    assert _repeat().row() == (
        "| 1 | 2 / 10 | 30 / 40 (4) | 20 / 20 | **2.00×** | 30 / 30 | 40 / 40 | 20 / 20 "
        "| 10 / 10 | 200 / 300 | 60 / 70 | 62.5 / 5.0 | 3 / 3 | 1 | 1.50 → 2.00 |"
    )


def test_a_learner_pauses_the_same_way_before_tunelab_and_before_the_bare_page():
    before_tunelab, before_bare = pauses(11, 7), pauses(11, 7)
    assert [before_tunelab.uniform(1, 3) for _ in range(5)] == [
        before_bare.uniform(1, 3) for _ in range(5)
    ]
    assert pauses(11, 7).random() != pauses(11, 8).random()


def test_the_defaults_are_the_issues_scenario():
    args = parse_args([])
    assert (args.learners, args.arrival, args.repeat, args.profile) == (100, 10.0, 3, None)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--learners", "0"], "--learners must be between 1 and 200"),
        (["--arrival", "61"], "--arrival must be between 0 and 60 seconds"),
        (["--think", "3", "1"], "--think needs 0 <= MIN <= MAX"),
        (["--repeat", "0"], "--repeat must be at least 1"),
    ],
)
def test_arguments_out_of_range_are_refused_with_the_rule(argv, message, capsys):
    with pytest.raises(SystemExit):
        parse_args(argv)
    assert message in capsys.readouterr().err


def test_a_learner_cut_off_keeps_the_requests_made_before_the_cut():
    async def one_request_then_stuck(journey, i, delay, think):
        journey.requests.append(Request(OPEN, 0.01 * (i + 1)))
        if i == 1:
            await asyncio.sleep(60)
        journey.finished = True

    finished, stuck = wave(one_request_then_stuck, [0.0, 0.0], seed=1, limit_s=0.2)
    assert (finished.error, finished.finished) == (None, True)
    assert stuck.error == "cut off after 0 s" and stuck.requests == [Request(OPEN, 0.02)]


def test_a_wave_runs_from_a_thread_that_already_runs_an_event_loop():
    # As after the browser suite: Playwright's sync API leaves a loop running in the main
    # thread, and asyncio.run there raised "cannot be called from a running event loop".
    async def one_request(journey, i, delay, think):
        journey.requests.append(Request(OPEN, 0.01))
        journey.finished = True

    async def caller_with_a_loop():
        return wave(one_request, [0.0], seed=1, limit_s=5)

    # The caller's loop runs on a thread of its own, so that this test does not depend on
    # whether pytest's main thread already runs one (it does after the browser suite).
    with ThreadPoolExecutor(1) as caller:
        [journey] = caller.submit(asyncio.run, caller_with_a_loop()).result()
    assert journey.finished and journey.requests == [Request(OPEN, 0.01)]


def test_server_cpu_is_read_from_proc_and_grows_with_work():
    before = process_cpu_s(os.getpid())
    sum(i * i for i in range(2_000_000))
    assert process_cpu_s(os.getpid()) > before
