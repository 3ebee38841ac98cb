"""A class pressing Train at once: one embedded server vs the cluster (Ray + stored runs).

30 learners open the lab, pick a preset from a realistic mix (most keep the default linear
probe, some try partial or full fine-tuning) and press Train within --press-within seconds.
Reported per setup: wait from the press to the first chart point (p50/p95) and the burst's
length (first press to last finished run). The cluster's store starts warm, as after the
first class of the day: one run of each preset is made before the burst, so most presses
replay. Then the page's cost through HAProxy vs straight to one app server (lab page p95).

Run: python -m bench.cluster                 (30 learners, both setups)
     python -m bench.cluster --learners 10 --setups cluster
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
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


def cluster(presets: list[str], args: argparse.Namespace) -> dict:
    state = Path(tempfile.mkdtemp(prefix="tunelab-bench-cluster-"))
    state.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "TUNELAB_DATABASE_URL"}
    env |= {"TUNELAB_CLUSTER_DIR": str(state), "TUNELAB_CLUSTER_PORT": str(CLUSTER_PORT),
            "TUNELAB_CLUSTER_PG_PORT": "5438", "TUNELAB_CLUSTER_RAY_PORT": "6388",
            "TUNELAB_RAY_WORKER_CPUS": str(args.worker_cpus)}  # fmt: skip
    proxy, direct = f"http://127.0.0.1:{CLUSTER_PORT}", f"http://127.0.0.1:{CLUSTER_PORT + 1}"
    subprocess.run([SCRIPT, "start"], env=env, check=True, timeout=600)
    try:
        distinct = sorted(set(presets))
        warm = asyncio.run(burst(proxy, distinct, 0.0, args.timeout))  # the store's first class
        report = asyncio.run(burst(proxy, presets, args.press_within, args.timeout))
        report["warm_up"] = warm
        report["page_p95_ms_proxy"] = asyncio.run(page_p95(proxy, args.page_loads, args.timeout))
        report["page_p95_ms_direct"] = asyncio.run(page_p95(direct, args.page_loads, args.timeout))
        return report
    finally:
        subprocess.run([SCRIPT, "stop"], env=env, timeout=120, check=False)
        shutil.rmtree(state, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--press-within", type=float, default=10.0)
    parser.add_argument("--setups", default="embedded,cluster")
    parser.add_argument("--worker-cpus", type=int, default=1)
    parser.add_argument("--page-loads", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args(argv)
    presets = class_mix(args.learners)
    results = {}
    for setup in args.setups.split(","):
        results[setup] = {"embedded": embedded, "cluster": cluster}[setup](presets, args)
        print(json.dumps({setup: results[setup]}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
