"""Load on one server: N websocket learners answer a quiz question, TuneLab vs a bare page.

Each scenario runs the bare one-line page (bench/bare_page.py) and then TuneLab's quiz page
with the same arrival schedule, on two loopback servers started here (a fresh temporary
TUNELAB_DATA_DIR), and checks afterwards that every learner's answer is in the database.

Run: python -m bench.load                     (the table in bench/RESULTS.md)
     python -m bench.load --learners 20 --arrival 5 --page test_pattern
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.ws_client import ROOT, Server, answer_states, open_session, percentile, running_server
from bench.ws_client import trigger as click

BARE_PAGE = ROOT / "bench" / "bare_page.py"
MAX_LEARNERS = 200  # bounded: loopback clients on a small machine
GRACE_S = 45.0  # a scenario may run this long after its last arrival, then it is cut off
GRADED_WORDS: tuple[str, ...] = ("Correct (", "Partly right", "Not quite")


@dataclass
class LearnerResult:
    render_s: float | None = None  # connect + first run of the page until script_finished
    start_s: float | None = None  # test page only: "Start the test" until the question shows
    submit_s: float | None = None  # submit (form + rerun) until the graded page finished
    error: str | None = None


@dataclass
class ScenarioResult:
    scenario: str
    learners: int
    arrival_s: float
    results: list[LearnerResult] = field(default_factory=list)
    wall_s: float = 0.0
    load_before: float = 0.0
    load_after: float = 0.0
    answers_expected: int | None = None  # one per learner
    answers_acknowledged: int | None = None  # the page said "graded" before the cut-off
    answers_found: int | None = None  # rows in the database afterwards
    server_peak_rss_mb: float | None = None

    def stats(self, attr: str) -> dict[str, float | int]:
        values = [v for r in self.results if (v := getattr(r, attr)) is not None]
        return {
            "n": len(values),
            "p50_ms": round(percentile(values, 50) * 1000, 1),
            "p95_ms": round(percentile(values, 95) * 1000, 1),
            "max_ms": round(max(values, default=float("nan")) * 1000, 1),
            "mean_ms": round(statistics.mean(values) * 1000, 1) if values else float("nan"),
        }

    @property
    def errors(self) -> list[str]:
        return [r.error for r in self.results if r.error]

    def summary(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k != "results"}
        out["render"], out["submit"] = self.stats("render_s"), self.stats("submit_s")
        if any(r.start_s is not None for r in self.results):
            out["start"] = self.stats("start_s")
        out["errors"] = len(self.errors)
        out["first_errors"] = sorted(set(self.errors))[:5]
        return out


# ---------------------------------------------------------------- one learner


async def quiz_learner(url: str, page: str, link: str, delay: float, timeout: float):
    """Open the quiz page signed in by `link` (`session=<token>`), answer one question, check
    it was graded."""
    result = LearnerResult()
    await asyncio.sleep(delay)
    try:
        t0 = time.perf_counter()
        async with open_session(url, page, link, timeout) as tab:
            shown = await tab.rerun()
            result.render_s = time.perf_counter() - t0
            done: tuple[str, ...]  # words that show the answer was taken
            if page == "test_pattern":
                start = shown.button("Start the test")
                if start is None:
                    raise LookupError(f"no start button:\n{shown.text[:300]}")
                t1 = time.perf_counter()
                shown = await tab.rerun([click(start)])
                result.start_s = time.perf_counter() - t1
                submit_label, done = "Submit answer", ("1 of ",)
            else:
                submit_label, done = "Submit", GRADED_WORDS
            submit = shown.button(submit_label)
            if submit is None:
                raise LookupError(f"no {submit_label!r} button:\n{shown.text[:300]}")
            t2 = time.perf_counter()
            graded = await tab.rerun([*answer_states(shown), click(submit)])
            result.submit_s = time.perf_counter() - t2
            if not any(word in graded.text for word in done):
                raise AssertionError(f"answer not acknowledged:\n{graded.text[:300]}")
    except Exception as exc:  # a failed learner is counted and reported, never fatal
        result.error = f"{type(exc).__name__}: {str(exc)[:200]}"
    return result


async def bare_learner(url: str, delay: float, timeout: float) -> LearnerResult:
    """The same two round trips against a one-line page: open it, then rerun it."""
    result = LearnerResult()
    await asyncio.sleep(delay)
    try:
        t0 = time.perf_counter()
        async with open_session(url, "", "", timeout) as tab:
            await tab.rerun()
            result.render_s = time.perf_counter() - t0
            t1 = time.perf_counter()
            await tab.rerun()
            result.submit_s = time.perf_counter() - t1
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {str(exc)[:200]}"
    return result


def arrivals(n: int, over_s: float, seed: int) -> list[float]:
    """Arrival times spread at random (uniformly, seeded) over `over_s` seconds."""
    rng = random.Random(seed)
    return sorted(rng.uniform(0, over_s) for _ in range(n))


async def _gather_bounded(coros: list, limit_s: float) -> list[LearnerResult]:
    tasks = [asyncio.ensure_future(c) for c in coros]
    done, pending = await asyncio.wait(tasks, timeout=limit_s)
    for task in pending:
        task.cancel()
    out = []
    for task in tasks:
        if task in done:
            out.append(task.result())
        else:
            out.append(LearnerResult(error=f"cut off after {limit_s:.0f} s"))
    return out


def run_scenario(label: str, make, n: int, arrival_s: float, seed: int) -> ScenarioResult:
    """Run `make(index, delay)` for n learners; bounded to arrival + GRACE_S seconds."""
    scenario = ScenarioResult(label, n, arrival_s, load_before=os.getloadavg()[0])
    delays = arrivals(n, arrival_s, seed)
    t0 = time.perf_counter()
    scenario.results = asyncio.run(
        _gather_bounded([make(i, d) for i, d in enumerate(delays)], arrival_s + GRACE_S)
    )
    scenario.wall_s = round(time.perf_counter() - t0, 2)
    scenario.load_after = os.getloadavg()[0]
    return scenario


# ---------------------------------------------------------------- the database check


def count_answers(db_path: Path, name_prefix: str) -> int:
    """Answers stored for learners whose name starts with `name_prefix` (read-only)."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        (count,) = conn.execute(
            "SELECT COUNT(*) FROM answers a JOIN attempts t ON a.attempt_id = t.id "
            "JOIN learners l ON t.learner_id = l.id WHERE l.name LIKE ?",
            (name_prefix + "%",),
        ).fetchone()
    return int(count)


def signed_in_links(db_path: Path, names: list[str]) -> list[str]:
    """The query string each learner's address bar holds after signing in with name + PIN
    (signed here, before the wave: this benchmark measures answering, not scrypt)."""
    from engine.identity.signin import issue_token, sign_in_with_pin, token_secret
    from engine.store import Store

    links = []
    with Store.open(f"sqlite:///{db_path}") as db:
        secret = token_secret(db)
        for name in names:
            signed = sign_in_with_pin(db, name, f"pin-{name}", now=time.time())
            assert signed.learner is not None, signed
            links.append(f"session={issue_token(db, signed.learner, secret, now=time.time())}")
    return links


# ---------------------------------------------------------------- the whole run


def run(
    learners: list[int],
    arrivals_s: list[float],
    page: str,
    seed: int,
    timeout: float,
    log_dir: Path,
    options: Iterable[str] = (),
) -> list[ScenarioPair]:
    data_dir = Path(tempfile.mkdtemp(prefix="tunelab-load-"))
    db_path = data_dir / "tunelab.db"
    env = {"TUNELAB_DATA_DIR": str(data_dir), "TUNELAB_DATABASE_URL": f"sqlite:///{db_path}"}
    pairs: list[ScenarioPair] = []
    try:
        with (
            running_server(BARE_PAGE, env, log_dir / "bare.log", options) as bare,
            running_server(ROOT / "app.py", env, log_dir / "tunelab.log", options) as app,
        ):
            _warm_up(app, bare, page, timeout, db_path)
            print(TABLE_HEADER, flush=True)
            for k, (n, over) in enumerate(zip(learners, arrivals_s, strict=True), start=1):
                prefix = f"load-s{k}-"
                links = signed_in_links(db_path, [f"{prefix}{i}" for i in range(n)])
                bare_run = run_scenario(
                    "bare page",
                    lambda i, d: bare_learner(bare.url, d, timeout),
                    n,
                    over,
                    seed + k,
                )
                bare_run.server_peak_rss_mb = round(bare.peak_rss_mb(), 1)
                time.sleep(2)  # let the last sessions close before the next wave
                app_run = run_scenario(
                    f"TuneLab {page}",
                    lambda i, d, ls=links: quiz_learner(app.url, page, ls[i], d, timeout),
                    n,
                    over,
                    seed + k,
                )
                app_run.server_peak_rss_mb = round(app.peak_rss_mb(), 1)
                app_run.answers_expected = n
                app_run.answers_acknowledged = sum(
                    r.submit_s is not None and r.error is None for r in app_run.results
                )
                app_run.answers_found = count_answers(db_path, prefix)
                pairs.append(ScenarioPair(bare_run, app_run))
                print(pairs[-1].row(), flush=True)  # the table, one row as each pair ends
                for err in pairs[-1].first_errors:
                    print("   ", err, flush=True)
                time.sleep(2)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return pairs


def _warm_up(app: Server, bare: Server, page: str, timeout: float, db_path: Path) -> None:
    """One learner on each server first: imports, the bank and the store open once."""
    links = signed_in_links(db_path, ["load-warmup"])

    async def both() -> list[LearnerResult]:
        return [
            await bare_learner(bare.url, 0, timeout),
            await quiz_learner(app.url, page, links[0], 0, timeout),
        ]

    for result in asyncio.run(both()):
        if result.error:
            raise RuntimeError(f"warm-up failed: {result.error}")


@dataclass(frozen=True)
class ScenarioPair:
    """The bare page and TuneLab under the same arrival schedule: what the ratios compare."""

    bare: ScenarioResult
    app: ScenarioResult

    def ratio(self, app_attr: str, bare_attr: str) -> float:
        """TuneLab's p95 over the bare page's, e.g. ("submit_s", "submit_s")."""
        return self.app.stats(app_attr)["p95_ms"] / self.bare.stats(bare_attr)["p95_ms"]

    @property
    def errors(self) -> int:
        return len(self.app.errors) + len(self.bare.errors)

    @property
    def first_errors(self) -> list[str]:
        return self.app.summary()["first_errors"] + self.bare.summary()["first_errors"]

    @property
    def answers(self) -> str:
        app = self.app
        return f"{app.answers_expected} / {app.answers_acknowledged} / {app.answers_found}"

    def row(self) -> str:
        """The pair's row in the RESULTS.md table."""
        app, bare = self.app, self.bare
        return (
            f"| {app.learners} | {app.arrival_s:g} "
            f"| {_p50_p95(app, 'render_s')} | {_p50_p95(app, 'submit_s')} "
            f"| {_p50_p95(bare, 'render_s')} | {_p50_p95(bare, 'submit_s')} "
            f"| {self.ratio('render_s', 'render_s'):.2f}× "
            f"| {self.ratio('submit_s', 'submit_s'):.2f}× "
            f"| {self.answers} | {self.errors} "
            f"| {bare.load_before:.2f} → {app.load_after:.2f} |"
        )


def _p50_p95(result: ScenarioResult, attr: str) -> str:
    stats = result.stats(attr)
    return f"{stats['p50_ms']:.0f} / {stats['p95_ms']:.0f}"


def markdown_table(pairs: list[ScenarioPair]) -> str:
    """The RESULTS.md table: one row per (learners, arrival) pair."""
    return "\n".join([TABLE_HEADER, *(pair.row() for pair in pairs)])


TABLE_HEADER = "\n".join(
    [
        "| learners | arrival (s) | TuneLab render p50/p95 (ms) | TuneLab submit p50/p95 (ms) "
        "| bare render p50/p95 (ms) | bare rerun p50/p95 (ms) | render p95 ratio "
        "| submit p95 / bare rerun p95 | answers expected / acknowledged / found | errors "
        "| load avg (1 min) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument(
        "--arrival",
        type=float,
        nargs="+",
        default=[10, 10, 20],
        help="seconds over which the learners arrive: one value for all, or one per --learners",
    )
    parser.add_argument("--page", choices=["practice", "test_pattern"], default="practice")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--timeout", type=float, default=60.0, help="per request, seconds")
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="SECTION.NAME=VALUE",
        help="extra Streamlit config option for both servers, e.g. runner.postScriptGC=false",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "load.json")
    args = parser.parse_args(argv)
    if any(not 1 <= n <= MAX_LEARNERS for n in args.learners):
        parser.error(f"--learners must be between 1 and {MAX_LEARNERS}")
    arrivals_s = args.arrival * len(args.learners) if len(args.arrival) == 1 else args.arrival
    if len(arrivals_s) != len(args.learners):
        parser.error("give one --arrival, or one per --learners value")
    if any(not 0 <= a <= 60 for a in arrivals_s):
        parser.error("--arrival must be between 0 and 60 seconds")

    print(f"load average before: {os.getloadavg()}  cores: {os.cpu_count()}", flush=True)
    pairs = run(
        args.learners, arrivals_s, args.page, args.seed, args.timeout, args.out.parent, args.option
    )
    results = [result for pair in pairs for result in (pair.bare, pair.app)]
    table = markdown_table(pairs)
    print()
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "page": args.page,
                "options": args.option,
                "cores": os.cpu_count(),
                "scenarios": [r.summary() for r in results],
                "table": table,
            },
            indent=2,
        )
    )
    print(f"\nwrote {args.out}")
    # Failure: an acknowledged answer missing from the database, or any learner not served.
    lost = [r for r in results if (r.answers_found or 0) < (r.answers_acknowledged or 0)]
    return 1 if lost or any(r.errors for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
