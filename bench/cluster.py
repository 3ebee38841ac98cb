"""A class pressing Train at once: one embedded server vs the cluster (Ray + stored runs).

30 learners open the lab, pick a preset from a realistic mix (most keep the default linear
probe, some try partial or full fine-tuning) and press Train within --press-within seconds.
Reported per setup: wait from the press to the first chart point (p50/p95) and the burst's
length (first press to last finished run). The cluster's store starts warm, as after the
first class of the day: one run of each preset is made before the burst, so most presses
replay. Then the page's cost through HAProxy vs straight to one app server (lab page p95).

`--setups spread` measures the app servers instead: signed-in learners (name + PIN, then
their token) arriving within --arrive-within seconds, through the proxy (how it spread them
over the two servers, page p50/p95) and the same learners straight to one server.

Run: python -m bench.cluster                 (30 learners, both setups)
     python -m bench.cluster --learners 10 --setups cluster
     python -m bench.cluster --learners 60 --setups spread
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.burst import Trainer
from bench.ws_client import ROOT, open_session, percentile, running_server, trigger

# (preset label as the select box shows it, share of the class)
MIX = (("Linear probe (new head only)", 0.6), ("Partial (layer4 + head)", 0.25),
       ("Full fine-tuning", 0.15))  # fmt: skip
CLUSTER_PORT = 8800
SCRIPT = ROOT / "deploy" / "cluster.sh"


def class_mix(n: int, seed: int = 0) -> list[str]:
    presets = [label for label, share in MIX for _ in range(round(share * n))]
    presets = (presets + [MIX[0][0]] * n)[:n]
    random.Random(seed).shuffle(presets)
    return presets


async def press_train(url: str, trainer: Trainer, preset: str, press_at: float, timeout: float):
    try:
        async with open_session(url, "lab", f"learner=cl-{trainer.index}", timeout) as tab:
            page = await tab.rerun()
            box = next(e for e in page.of_kind("selectbox") if e.selectbox.label == "Preset")
            page = await tab.rerun([WidgetState(id=box.selectbox.id, string_value=preset)])
            train = page.button("Train")
            await asyncio.sleep(max(0.0, press_at - time.monotonic()))
            tab.on_element = trainer.on_element
            trainer.pressed_at = time.monotonic()
            done = await tab.rerun([trigger(train)])
            trainer.finished_at = time.monotonic()
            if "Done" not in done.text:
                trainer.error = trainer.error or f"no result: {done.text[-200:]}"
    except Exception as exc:
        trainer.error = f"{type(exc).__name__}: {str(exc)[:200]}"


async def burst(url: str, presets: list[str], within_s: float, timeout: float) -> dict:
    trainers = [Trainer(i) for i in range(len(presets))]
    start = time.monotonic() + 5  # everyone has the page open before the first press
    rng = random.Random(1)
    await asyncio.gather(
        *(
            press_train(url, t, p, start + rng.uniform(0, within_s), timeout)
            for t, p in zip(trainers, presets, strict=True)
        )
    )
    waits = [t.first_chart_at - t.pressed_at for t in trainers if t.first_chart_at]
    ends = [t.finished_at for t in trainers if t.finished_at]
    return {
        "learners": len(trainers),
        "failed": [t.error for t in trainers if t.error],
        "first_point_p50_s": round(percentile(waits, 50), 2),
        "first_point_p95_s": round(percentile(waits, 95), 2),
        "burst_s": round(max(ends) - min(t.pressed_at for t in trainers), 1) if ends else None,
    }


async def page_p95(url: str, loads: int, timeout: float) -> float:
    times = []
    for i in range(loads):
        async with open_session(url, "lab", f"learner=page-{i}", timeout) as tab:
            began = time.monotonic()
            await tab.rerun()
            times.append(time.monotonic() - began)
    return round(percentile(times, 95) * 1000, 1)


def embedded(presets: list[str], args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory() as data:
        env = {"TUNELAB_DATA_DIR": data}
        with running_server(ROOT / "app.py", env, Path(data) / "server.log") as server:
            return asyncio.run(burst(server.url, presets, args.press_within, args.timeout))


@contextlib.contextmanager
def running_cluster(args: argparse.Namespace) -> Iterator[tuple[str, str, dict[str, str], Path]]:
    """deploy/cluster.sh on its own ports: (proxy URL, app1 URL, its environment, state)."""
    state = Path(tempfile.mkdtemp(prefix="tunelab-bench-cluster-"))
    state.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "TUNELAB_DATABASE_URL"}
    env |= {"TUNELAB_CLUSTER_DIR": str(state), "TUNELAB_CLUSTER_PORT": str(CLUSTER_PORT),
            "TUNELAB_CLUSTER_PG_PORT": "5438", "TUNELAB_CLUSTER_RAY_PORT": "6388",
            "TUNELAB_RAY_WORKER_CPUS": str(args.worker_cpus)}  # fmt: skip
    proxy, direct = f"http://127.0.0.1:{CLUSTER_PORT}", f"http://127.0.0.1:{CLUSTER_PORT + 1}"
    subprocess.run([SCRIPT, "start"], env=env, check=True, timeout=600)
    try:
        yield proxy, direct, env, state
    finally:
        subprocess.run([SCRIPT, "stop"], env=env, timeout=120, check=False)
        shutil.rmtree(state, ignore_errors=True)


def cluster(presets: list[str], args: argparse.Namespace) -> dict:
    with running_cluster(args) as (proxy, direct, _env, _state):
        distinct = sorted(set(presets))
        warm = asyncio.run(burst(proxy, distinct, 0.0, args.timeout))  # the store's first class
        report = asyncio.run(burst(proxy, presets, args.press_within, args.timeout))
        report["warm_up"] = warm
        report["page_p95_ms_proxy"] = asyncio.run(page_p95(proxy, args.page_loads, args.timeout))
        report["page_p95_ms_direct"] = asyncio.run(page_p95(direct, args.page_loads, args.timeout))
        return report


def spread(_presets: list[str], args: argparse.Namespace) -> dict:
    """Signed-in learners arriving at once: through the proxy (spread over both servers) and
    straight to one server; the page a learner opens first (their test), timed."""
    with running_cluster(args) as (proxy, direct, env, state):
        database = subprocess.run([SCRIPT, "env"], env=env, capture_output=True, text=True)
        url = database.stdout.splitlines()[0].split("=", 1)[1]
        links = [f"session={token}" for token in signed_in_tokens(url, args.learners)]
        # Each server's first test page pays for imports and parsing the banks: not measured.
        second = f"http://127.0.0.1:{CLUSTER_PORT + 2}"
        for server in (direct, second):
            asyncio.run(arrivals(server, links[:2], 0.0, args.timeout))
        # A-B-B-A: on a shared machine the load drifts; this order spreads the drift evenly.
        through_proxy, straight = [], []
        for target in ("proxy", "one", "one", "proxy")[: 2 * args.rounds]:
            if target == "one":
                straight.append(
                    asyncio.run(arrivals(direct, links, args.arrive_within, args.timeout))
                )
                continue
            before = proxy_sessions(state)
            measured = asyncio.run(arrivals(proxy, links, args.arrive_within, args.timeout))
            after = proxy_sessions(state)
            measured["per_server"] = {name: after[name] - before[name] for name in after}
            through_proxy.append(measured)
        return {
            "learners": args.learners,
            "proxy": through_proxy,
            "one_server": straight,
            "database_connections": database_connections(url),
        }


def database_connections(database_url: str) -> int:
    """Connections open to the cluster's database now (the app servers' pools, and ours)."""
    from sqlalchemy import text

    from engine.store import Store

    with Store.open(database_url) as db, db.sql_engine.connect() as conn:
        query = "select count(*) from pg_stat_activity where datname = current_database()"
        return int(conn.execute(text(query)).scalar_one())


def signed_in_tokens(database_url: str, count: int) -> list[str]:
    """What each learner's address bar holds after signing in with name + PIN."""
    from engine.identity.signin import issue_token, sign_in_with_pin, token_secret
    from engine.store import Store

    tokens = []
    with Store.open(database_url) as db:
        secret = token_secret(db)
        for i in range(count):
            signed = sign_in_with_pin(db, f"spread-{i}", f"spread-pin-{i}", now=time.time())
            assert signed.learner is not None, signed
            tokens.append(issue_token(db, signed.learner, secret, now=time.time()))
    return tokens


async def arrivals(url: str, links: list[str], within_s: float, timeout: float) -> dict:
    """Each learner opens their test page (a fresh tab, no cookie) at a random moment."""
    rng = random.Random(2)
    start = time.monotonic()
    times: list[float] = []
    failed: list[str] = []

    async def arrive(link: str, at: float) -> None:
        await asyncio.sleep(at)
        try:
            async with open_session(url, "test_pattern", link, timeout) as tab:
                began = time.monotonic()
                page = await tab.rerun()
                if "Signed in as" not in page.text:
                    failed.append(page.text[:120])
                times.append(time.monotonic() - began)
        except Exception as exc:
            failed.append(f"{type(exc).__name__}: {str(exc)[:120]}")

    await asyncio.gather(*(arrive(link, rng.uniform(0, within_s)) for link in links))
    return {
        "page_p50_ms": round(percentile(times, 50) * 1000, 1),
        "page_p95_ms": round(percentile(times, 95) * 1000, 1),
        "all_arrived_s": round(time.monotonic() - start, 1),
        "failed": failed,
    }


def proxy_sessions(state: Path) -> dict[str, int]:
    """Connections HAProxy has sent to each app server so far (its stats socket's stot)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(state / "haproxy.sock"))
        sock.sendall(b"show stat\n")
        data = b"".join(iter(lambda: sock.recv(65536), b""))
    header, *rows = data.decode().lstrip("# ").splitlines()
    columns = header.split(",")
    counts = {}
    for row in csv.reader(rows):
        record = dict(zip(columns, row, strict=False))
        if record.get("svname", "").startswith("app"):
            counts[record["svname"]] = int(record["stot"])
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--press-within", type=float, default=10.0)
    parser.add_argument("--setups", default="embedded,cluster")
    parser.add_argument("--worker-cpus", type=int, default=1)
    parser.add_argument("--page-loads", type=int, default=20)
    parser.add_argument("--arrive-within", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, choices=(1, 2), default=2)
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args(argv)
    presets = class_mix(args.learners)
    results = {}
    for setup in args.setups.split(","):
        measure = {"embedded": embedded, "cluster": cluster, "spread": spread}[setup]
        results[setup] = measure(presets, args)
        print(json.dumps({setup: results[setup]}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
