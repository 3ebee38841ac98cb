"""Practice under load: N learners sign in (name + PIN), practise up to a family question and
ask for another one like it (or, with --page, take the whole test, or review what they
missed); the same request schedule against a bare one-line page.

Each repeat runs the bare page (bench/bare_page.py) and then TuneLab's app.py under the same
arrival times, the same pauses between clicks and the same number of requests per learner, on
two loopback servers started here with a fresh temporary database. Afterwards every answer a
learner saw graded must be in that database.

Run: python -m bench.practice_load                     (the table in bench/RESULTS.md)
     python -m bench.practice_load --learners 20 --arrival 5 --repeat 1
     python -m bench.practice_load --page test_pattern  (start, answer every question, finish)
     python -m bench.practice_load --page review        (practise 3, then review the misses)
     python -m bench.practice_load --learners 200 --arrival 20   (the second scenario)

A click on a widget inside a fragment (the quiz pages' question areas) is sent as a browser
sends it, naming that fragment, so the server reruns only the fragment.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.load import BARE_PAGE, GRADED_WORDS, arrivals, count_answers
from bench.ws_client import (
    ROOT,
    Render,
    Session,
    answer_states,
    open_session,
    percentile,
    running_server,
    trigger,
)

MAX_LEARNERS = 200  # loopback clients on a small machine
GRACE_S = 90.0  # a wave may overrun its slowest possible schedule by this much, then is cut off
SIGN_IN_PAGE = "test_pattern"  # Practice never asks who you are; the test page does
NAME_LABEL = "Your name, so TuneLab can keep your progress"
PIN_LABEL = "Your PIN or passphrase"
ANOTHER = "Another one like this"
PROFILING_DIR = ROOT / "bench" / "profiling"  # its sitecustomize.py profiles the server

# What each request was, in the order a learner makes them. The ratio compares every request
# on the Practice page with every rerun of the bare page: both are reruns on an open socket.
CONNECT, SIGN_IN, OPEN, ANSWER, NEXT, VARIANT, RERUN = (
    "connect", "sign in", "open Practice", "answer", "next question", "another one", "rerun",
)  # fmt: skip
START, FINISH, OPEN_REVIEW = "start the test", "last answer: the report", "open Review"
PRACTICE_KINDS = (OPEN, ANSWER, NEXT, VARIANT)
# Per page: the request kinds on that page (the ratio's numerator), in the table's order.
PAGE_KINDS = {
    "practice": (OPEN, ANSWER, VARIANT, NEXT),
    "test_pattern": (START, ANSWER, FINISH),
    "review": (OPEN_REVIEW, ANSWER, NEXT),
}
PAGE_TITLES = {"practice": "Practice", "test_pattern": "Test", "review": "Review"}
REVIEW_PRACTISED = 3  # questions a Review learner answers on Practice first
REVIEW_AT_MOST = 3  # due questions they then review


@dataclass(frozen=True)
class Request:
    kind: str
    seconds: float  # from sending the request until the run it started (and reruns) ended


@dataclass
class Journey:
    """One learner's requests, and why the journey stopped early, if it did."""

    requests: list[Request] = field(default_factory=list)
    answers_graded: int = 0
    finished: bool = False  # the whole journey was made
    error: str | None = None

    async def timed(self, kind: str, request: Awaitable[Render]) -> Render:
        start = time.perf_counter()
        shown = await request
        self.requests.append(Request(kind, time.perf_counter() - start))
        return shown


def pauses(seed: int, learner: int) -> random.Random:
    """Where a learner's reading times come from: the same for TuneLab and the bare page."""
    return random.Random(seed * 1_000_003 + learner)


# ---------------------------------------------------------------- the two kinds of learner


async def practice_learner(
    journey: Journey, url: str, name: str, delay: float, think: random.Random, plan: JourneyPlan
) -> None:
    """Sign in with name + PIN, open Practice, answer `plan.answers_before` questions on the
    way to the first family question, answer it, ask for another one like it, answer that."""
    await asyncio.sleep(delay)

    clicks = Clicks(journey, think, plan)
    try:
        async with open_session(url, SIGN_IN_PAGE, "", plan.timeout_s) as tab:
            await clicks.sign_in(tab, name)
            tab.page = "practice"
            shown = await clicks.click(OPEN, tab, [])
            while not (_answerable(shown) and shown.button(ANOTHER)):
                if _answerable(shown) and journey.answers_graded < plan.answers_before:
                    shown = await clicks.answer(tab, shown)
                shown = await clicks.next_question(tab, shown)
            graded = await clicks.answer(tab, shown)
            variant = await clicks.press(VARIANT, tab, graded, ANOTHER)
            await clicks.answer(tab, variant)
        journey.finished = True
    except Exception as exc:  # a failed learner is counted and reported, never fatal
        journey.error = f"{type(exc).__name__}: {str(exc)[:200]}"


async def test_learner(
    journey: Journey, url: str, name: str, delay: float, think: random.Random, plan: JourneyPlan
) -> None:
    """Sign in on the Test page, start the test, answer every question (a code question
    with its starter code, run in the sandbox), and read the report."""
    await asyncio.sleep(delay)
    clicks = Clicks(journey, think, plan)
    try:
        async with open_session(url, SIGN_IN_PAGE, "", plan.timeout_s) as tab:
            signed = await clicks.sign_in(tab, name)
            shown = await clicks.press(START, tab, signed, "Start the test")
            while (submit := shown.button("Submit answer")) is not None or _code_editor(shown):
                before = journey.answers_graded
                states = _answer_or_code(shown, f"{name}-{before}")
                if submit is not None:
                    states.append(trigger(submit))
                target = submit if submit is not None else _code_editor(shown)
                assert target is not None
                shown = await clicks.click(ANSWER, tab, states, shown.fragment_of(target))
                if any(word in shown.text for word in ("could not be saved", "not accepted")):
                    raise AssertionError(f"answer refused:\n{shown.text[:300]}")
                journey.answers_graded += 1
            if "Pattern " not in shown.text:
                raise AssertionError(f"no report after the last answer:\n{shown.text[:300]}")
            # The last answer's request drew the report: count it as such.
            journey.requests[-1] = Request(FINISH, journey.requests[-1].seconds)
        journey.finished = True
    except Exception as exc:
        journey.error = f"{type(exc).__name__}: {str(exc)[:200]}"


async def review_learner(
    journey: Journey, url: str, name: str, delay: float, think: random.Random, plan: JourneyPlan
) -> None:
    """Sign in, answer REVIEW_PRACTISED questions on Practice (the first option: some are
    missed), open Review and answer up to REVIEW_AT_MOST due questions, Next after each."""
    await asyncio.sleep(delay)
    clicks = Clicks(journey, think, plan)
    try:
        async with open_session(url, SIGN_IN_PAGE, "", plan.timeout_s) as tab:
            await clicks.sign_in(tab, name)
            tab.page = "practice"
            shown = await clicks.click(OPEN, tab, [])
            practised = 0
            while practised < REVIEW_PRACTISED:
                if _answerable(shown):
                    shown = await clicks.answer(tab, shown)
                    practised += 1
                shown = await clicks.next_question(tab, shown)
            tab.page = "review"
            shown = await clicks.click(OPEN_REVIEW, tab, [])
            for _ in range(REVIEW_AT_MOST):
                if not _answerable(shown):
                    break  # nothing due (every answer was right), or a code question
                graded = await clicks.answer(tab, shown)
                shown = await clicks.press(NEXT, tab, graded, "Next question")
        journey.finished = True
    except Exception as exc:
        journey.error = f"{type(exc).__name__}: {str(exc)[:200]}"


class Clicks:
    """One learner's clicks: a pause first, then the request, timed; a click on a widget in a
    fragment names that fragment, as a browser does."""

    def __init__(self, journey: Journey, think: random.Random, plan: JourneyPlan) -> None:
        self.journey, self.think, self.plan = journey, think, plan

    async def click(
        self, kind: str, tab: Session, states: list[WidgetState], fragment: str = ""
    ) -> Render:
        await asyncio.sleep(self.think.uniform(*self.plan.think_s))
        return await self.journey.timed(kind, tab.rerun(states, fragment_id=fragment))

    async def press(self, kind: str, tab: Session, shown: Render, label: str) -> Render:
        button = _button(shown, label)
        return await self.click(kind, tab, [trigger(button)], shown.fragment_of(button))

    async def sign_in(self, tab: Session, name: str) -> Render:
        form = await self.journey.timed(CONNECT, tab.rerun())
        signed = await self.click(SIGN_IN, tab, sign_in_states(form, name, f"pin-{name}"))
        if f"Signed in as **{name}**" not in signed.text:
            raise AssertionError(f"not signed in:\n{signed.text[:300]}")
        return signed

    async def answer(self, tab: Session, shown: Render) -> Render:
        submit = _button(shown, "Submit")
        graded = await self.click(
            ANSWER, tab, [*answer_states(shown), trigger(submit)], shown.fragment_of(submit)
        )
        if not any(word in graded.text for word in GRADED_WORDS):
            raise AssertionError(f"answer not graded:\n{graded.text[:300]}")
        self.journey.answers_graded += 1
        self._last_graded = graded
        return graded

    async def next_question(
        self, tab: Session, shown: Render, after_answer: bool = False
    ) -> Render:
        """Next question, from the page on screen (after an answer: the graded page)."""
        on_screen = self._last_graded if after_answer and self._last_graded else shown
        next_button = _button(on_screen, "Next question")
        if next_button.button.disabled:
            raise LookupError("walked the whole bank: no family question to vary")
        return await self.click(
            NEXT, tab, [trigger(next_button)], on_screen.fragment_of(next_button)
        )


async def bare_learner(
    journey: Journey, url: str, delay: float, think: random.Random, plan: JourneyPlan, requests: int
) -> None:
    """The same arrival, pauses and number of requests against the one-line page."""
    await asyncio.sleep(delay)
    try:
        async with open_session(url, "", "", plan.timeout_s) as tab:
            await journey.timed(CONNECT, tab.rerun())
            for _ in range(requests - 1):
                await asyncio.sleep(think.uniform(*plan.think_s))
                await journey.timed(RERUN, tab.rerun())
        journey.finished = True
    except Exception as exc:
        journey.error = f"{type(exc).__name__}: {str(exc)[:200]}"


def sign_in_states(form: Render, name: str, pin: str) -> list[WidgetState]:
    """Name, PIN and a click on Continue, as the browser sends them."""
    fields = {e.text_input.label: e.text_input.id for e in form.of_kind("text_input")}
    if NAME_LABEL not in fields or PIN_LABEL not in fields:
        raise LookupError(f"no sign-in form:\n{form.text[:300]}")
    return [
        WidgetState(id=fields[NAME_LABEL], string_value=name),
        WidgetState(id=fields[PIN_LABEL], string_value=pin),
        trigger(_button(form, "Continue")),
    ]


def _code_editor(shown: Render):
    """The code editor of a code question on screen (a custom component), if any."""
    return next(iter(shown.of_kind("component_instance")), None)


def _answer_or_code(shown: Render, event_id: str) -> list[WidgetState]:
    """A form answer, or the code editor's Run with its starter code."""
    editor = _code_editor(shown)
    if editor is None:
        return answer_states(shown)
    starter = json.loads(editor.component_instance.json_args or "{}").get("code", "")
    event = {"type": "submit", "id": event_id, "text": starter}
    return [WidgetState(id=editor.component_instance.id, json_value=json.dumps(event))]


def _answerable(shown: Render) -> bool:
    # Code questions (an editor, graded in the sandbox) are skipped, as on the test bench.
    return shown.button("Submit") is not None and any(
        e.WhichOneof("type") in ("radio", "checkbox", "text_input") for e in shown.elements
    )


def _button(shown: Render, label: str):
    found = shown.button(label)
    if found is None:
        labels = [e.button.label for e in shown.of_kind("button")]
        raise LookupError(f"no {label!r} button; buttons: {labels}\n{shown.text[:300]}")
    return found


# ---------------------------------------------------------------- one repeat, and its row


@dataclass(frozen=True)
class JourneyPlan:
    think_s: tuple[float, float]  # reading time before each click: uniform between the two
    answers_before: int  # questions answered on the way to the first family question
    timeout_s: float  # per request


def latencies(journeys: Sequence[Journey], kinds: Sequence[str]) -> list[float]:
    return [r.seconds for j in journeys for r in j.requests if r.kind in kinds]


def p50_p95_ms(values: Sequence[float]) -> tuple[float, float]:
    return percentile(list(values), 50) * 1000, percentile(list(values), 95) * 1000


@dataclass
class Repeat:
    """One bare wave and one TuneLab wave with the same schedule."""

    number: int
    learners: int
    arrival_s: float
    bare: list[Journey]
    app: list[Journey]
    load_before: float = 0.0
    load_after: float = 0.0
    answers_found: int = 0
    bare_cpu_s: float = 0.0  # CPU time each server process spent during its wave
    app_cpu_s: float = 0.0
    page: str = "practice"
    rss_mb: tuple[float, float] = (0.0, 0.0)  # peak resident memory so far: TuneLab, bare

    @property
    def kinds(self) -> tuple[str, ...]:
        return PAGE_KINDS[self.page]

    @property
    def cpu_ms_per_request(self) -> tuple[float, float]:
        """Server CPU per request (all kinds: it cannot be split), TuneLab and bare. One
        Streamlit process runs Python on one core at a time, so 1 / this is its ceiling."""
        app = sum(len(j.requests) for j in self.app)
        bare = sum(len(j.requests) for j in self.bare)
        return self.app_cpu_s * 1000 / max(app, 1), self.bare_cpu_s * 1000 / max(bare, 1)

    @property
    def ratio(self) -> float:
        """The page's p95 over the bare page's, per request on an open socket."""
        practice = p50_p95_ms(latencies(self.app, self.kinds))[1]
        return practice / p50_p95_ms(latencies(self.bare, [RERUN]))[1]

    @property
    def answers_acknowledged(self) -> int:
        return sum(j.answers_graded for j in self.app)

    @property
    def errors(self) -> list[str]:
        return [j.error for j in (*self.bare, *self.app) if j.error]

    def row(self) -> str:
        def pair(journeys: list[Journey], *kinds: str) -> str:
            p50, p95 = p50_p95_ms(latencies(journeys, kinds))
            return f"{p50:.0f} / {p95:.0f}"

        def p95(journeys: list[Journey]) -> str:
            return f"{p50_p95_ms(latencies(journeys, [CONNECT]))[1]:.0f}"

        requests = len(latencies(self.app, self.kinds))
        app_cpu, bare_cpu = self.cpu_ms_per_request
        each = "".join(f"| {pair(self.app, kind)} " for kind in (*self.kinds, SIGN_IN))
        return (
            f"| {self.number} | {self.learners} / {self.arrival_s:g} "
            f"| {pair(self.app, *self.kinds)} ({requests}) | {pair(self.bare, RERUN)} "
            f"| **{self.ratio:.2f}×** {each}"
            f"| {p95(self.app)} / {p95(self.bare)} | {app_cpu:.1f} / {bare_cpu:.1f} "
            f"| {self.answers_acknowledged} / {self.answers_found} | {len(self.errors)} "
            f"| {self.load_before:.2f} → {self.load_after:.2f} |"
        )

    def summary(self) -> dict:
        kinds = (CONNECT, SIGN_IN, *self.kinds)
        return {
            "page": self.page,
            "repeat": self.number,
            "learners": self.learners,
            "arrival_s": self.arrival_s,
            "ratio_p95": round(self.ratio, 3),
            "app_ms": {k: p50_p95_ms(latencies(self.app, [k])) for k in kinds},
            "bare_ms": {k: p50_p95_ms(latencies(self.bare, [k])) for k in (CONNECT, RERUN)},
            "answers_acknowledged": self.answers_acknowledged,
            "answers_found": self.answers_found,
            "load": [self.load_before, self.load_after],
            "server_cpu_ms_per_request": self.cpu_ms_per_request,
            "server_peak_rss_mb": self.rss_mb,
            "first_errors": sorted(set(self.errors))[:5],
        }


def table_header(page: str = "practice") -> str:
    kinds = PAGE_KINDS[page]
    columns = [
        "run", "learners / arrival (s)", f"{PAGE_TITLES[page]} p50 / p95 ms (requests)",
        "bare rerun p50 / p95 ms", "p95 ratio", *kinds, SIGN_IN,
        "connect p95: TuneLab / bare", "server CPU ms per request: TuneLab / bare",
        "answers acknowledged / found", "errors", "load avg (1 min)",
    ]  # fmt: skip
    return "\n".join(["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)])


TABLE_HEADER = table_header()


def run_in_own_thread(main: Coroutine[Any, Any, None]) -> None:
    """asyncio.run on a thread of its own, so a caller whose thread already runs an event
    loop can call it too (a test session that has driven Playwright's sync API keeps one
    running in the main thread)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, main).result()


# (their journey, their number, their arrival delay, their pauses)
LearnerRun = Callable[[Journey, int, float, random.Random], Awaitable[None]]


def wave(learner: LearnerRun, delays: Sequence[float], seed: int, limit_s: float) -> list[Journey]:
    """Learner i starts after delays[i] with pauses(seed, i); whoever is still going after
    `limit_s` is cut off, keeping what they did before."""
    journeys = [Journey() for _ in delays]

    async def everyone() -> None:
        tasks = [
            asyncio.ensure_future(learner(journey, i, delay, pauses(seed, i)))
            for i, (journey, delay) in enumerate(zip(journeys, delays, strict=True))
        ]
        _, pending = await asyncio.wait(tasks, timeout=limit_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    run_in_own_thread(everyone())
    for journey in journeys:
        if journey.error is None and not journey.finished:
            journey.error = f"cut off after {limit_s:.0f} s"
    return journeys


# ---------------------------------------------------------------- the whole run


def run(args: argparse.Namespace) -> list[Repeat]:
    plan = JourneyPlan((args.think[0], args.think[1]), args.answers_before, args.timeout)
    data_dir = Path(tempfile.mkdtemp(prefix="tunelab-practice-load-"))
    db_path = data_dir / "tunelab.db"
    env = {
        "TUNELAB_DATABASE_URL": f"sqlite:///{db_path}",
        "TUNELAB_DATA_DIR": str(data_dir),
        "TUNELAB_QUIZ_DIR": str(ROOT / "quizzes"),
    }
    # The bare page is never profiled: only TuneLab's time is being explained.
    app_env = env | _profiling_env(args.profile)
    log_dir = args.out.parent
    repeats: list[Repeat] = []
    try:
        with (
            running_server(BARE_PAGE, env, log_dir / "practice_bare.log", args.option) as bare,
            running_server(
                ROOT / "app.py", app_env, log_dir / "practice_app.log", args.option
            ) as app,
        ):
            requests = _warm_up(app.url, bare.url, plan, args.page)
            print(f"journey: {requests} requests per learner\n\n{table_header(args.page)}")
            delays = arrivals(args.learners, args.arrival, args.seed)
            for k in range(1, args.repeat + 1):
                load_before = os.getloadavg()[0]
                # A journey of `requests` clicks, each after a pause of up to think[1] seconds.
                limit_s = args.arrival + requests * args.think[1] + GRACE_S
                cpu_before = process_cpu_s(bare.pid)
                bare_wave = wave(
                    lambda j, _, d, think: bare_learner(j, bare.url, d, think, plan, requests),
                    delays,
                    args.seed,
                    limit_s,
                )
                bare_cpu_s = process_cpu_s(bare.pid) - cpu_before
                time.sleep(2)  # let the last sessions close before the next wave
                cpu_before = process_cpu_s(app.pid)
                prefix = f"{_name_safe(args.page)}-r{k}-"
                app_wave = wave(
                    _named_learners(app.url, prefix, plan, args.page),
                    delays,
                    args.seed,
                    limit_s,
                )
                repeat = Repeat(k, args.learners, args.arrival, bare_wave, app_wave, load_before)
                repeat.page = args.page
                repeat.app_cpu_s = process_cpu_s(app.pid) - cpu_before
                repeat.rss_mb = (app.peak_rss_mb(), bare.peak_rss_mb())
                repeat.bare_cpu_s = bare_cpu_s
                repeat.load_after = os.getloadavg()[0]
                repeat.answers_found = count_answers(db_path, prefix)
                repeats.append(repeat)
                print(repeat.row(), flush=True)
                for error in sorted(set(repeat.errors))[:5]:
                    print("   ", error, flush=True)
                time.sleep(2)
            print(
                f"\npeak RSS: TuneLab {app.peak_rss_mb():.0f} MB, bare {bare.peak_rss_mb():.0f} MB"
            )
            if args.profile is not None:
                # Merging every thread's profile takes longer than stop_server's 10 s grace.
                app.process.terminate()
                app.process.wait(300)
                print(f"profile of the TuneLab server: {args.profile}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return repeats


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc), its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


JOURNEYS = {"practice": practice_learner, "test_pattern": test_learner, "review": review_learner}


def _name_safe(page: str) -> str:
    # The page shows names as plain text, so "_" would come back escaped ("\\_").
    return page.replace("_", "-")


def _named_learners(url: str, prefix: str, plan: JourneyPlan, page: str) -> LearnerRun:
    """Learners named `prefix` + their number: the database check counts by it."""
    journey_on = JOURNEYS[page]

    async def learner(journey: Journey, i: int, delay: float, think: random.Random) -> None:
        await journey_on(journey, url, f"{prefix}{i}", delay, think, plan)

    return learner


def _profiling_env(out: Path | None) -> dict[str, str]:
    """Start-up settings that make the server profile itself into `out` (none without it)."""
    if out is None:
        return {}
    out.parent.mkdir(parents=True, exist_ok=True)
    path = os.pathsep.join(filter(None, [str(PROFILING_DIR), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path, "TUNELAB_PROFILE_OUT": str(out.resolve())}


def _warm_up(app_url: str, bare_url: str, plan: JourneyPlan, page: str = "practice") -> int:
    """One learner on each server first (imports, the bank, the store open once); returns
    how many requests a practice journey makes, which the bare learners then repeat."""
    quick = JourneyPlan((0.0, 0.0), plan.answers_before, plan.timeout_s)
    journey, bare = Journey(), Journey()
    name = f"{_name_safe(page)}-warmup"
    asyncio.run(JOURNEYS[page](journey, app_url, name, 0, random.Random(0), quick))
    if journey.error:
        raise RuntimeError(f"warm-up failed: {journey.error}")
    asyncio.run(bare_learner(bare, bare_url, 0, random.Random(0), quick, 2))
    if bare.error:
        raise RuntimeError(f"bare warm-up failed: {bare.error}")
    return len(journey.requests)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", choices=sorted(PAGE_KINDS), default="practice")
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--arrival", type=float, default=10.0, help="seconds they arrive over")
    parser.add_argument("--repeat", type=int, default=3, help="bare + TuneLab waves, in turn")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=[1.0, 3.0],
        metavar=("MIN", "MAX"),
        help="seconds a learner reads before each click, uniform between MIN and MAX",
    )
    parser.add_argument("--answers-before", type=int, default=2, help="before the family one")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--timeout", type=float, default=60.0, help="per request, seconds")
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="SECTION.NAME=VALUE",
        help="extra Streamlit config option for both servers",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="PSTATS",
        help="profile every thread of the TuneLab server into this file (slows it down)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "practice_load.json")
    args = parser.parse_args(argv)
    if not 1 <= args.learners <= MAX_LEARNERS:
        parser.error(f"--learners must be between 1 and {MAX_LEARNERS}")
    if not 0 <= args.arrival <= 60:
        parser.error("--arrival must be between 0 and 60 seconds")
    if not 0 <= args.think[0] <= args.think[1]:
        parser.error("--think needs 0 <= MIN <= MAX")
    if args.repeat < 1 or args.answers_before < 0:
        parser.error("--repeat must be at least 1 and --answers-before at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"load average before: {os.getloadavg()}  cores: {os.cpu_count()}", flush=True)
    repeats = run(args)
    table = "\n".join([table_header(args.page), *(r.row() for r in repeats)])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "argv": argv if argv is not None else sys.argv[1:],
                "page": args.page,
                "cores": os.cpu_count(),
                "repeats": [r.summary() for r in repeats],
                "table": table,
            },
            indent=2,
        )
    )
    print(f"\n{table}\n\nwrote {args.out}")
    lost = [r for r in repeats if r.answers_found < r.answers_acknowledged]
    return 1 if lost or any(r.errors for r in repeats) else 0


if __name__ == "__main__":
    raise SystemExit(main())
