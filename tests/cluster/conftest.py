"""The one-machine cluster (deploy/cluster.sh), started once for the smoke test.

It needs PostgreSQL's binaries, HAProxy and Ray, takes a minute or two to start and uses every
core, so it runs only when asked: TUNELAB_CLUSTER_SMOKE=1 (.ci/run sets it for its own step).
"""

import os
import shutil
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.template_bank import write_widget_answered_template

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "cluster.sh"
PROXY_PORT = 8700
PASSCODE = "cluster passcode 7c2e"


def pytest_collection_modifyitems(config, items):
    if os.environ.get("TUNELAB_CLUSTER_SMOKE") == "1":
        return
    skip = pytest.mark.skip(reason="the cluster smoke test runs with TUNELAB_CLUSTER_SMOKE=1")
    for item in items:
        if "cluster" in item.keywords:
            item.add_marker(skip)


@dataclass
class Cluster:
    url: str
    env: dict[str, str]

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [str(SCRIPT), *args], env=self.env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def sticky_cookie(self, cookie: str = "") -> str:
        """The proxy's server cookie for a new (or, with ``cookie``, a returning) browser."""
        request = urllib.request.Request(self.url + "/_stcore/health")
        if cookie:
            request.add_header("Cookie", cookie)
        with urllib.request.urlopen(request, timeout=10) as reply:
            for header in reply.headers.get_all("Set-Cookie") or []:
                if header.startswith("TUNELAB_SERVER="):
                    return header.split(";")[0]
        return cookie  # indirect: a cookie that still names a live server is not re-sent


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    # Not pytest's tmp_path: PostgreSQL runs as its own user and must reach this folder.
    state = Path(tempfile.mkdtemp(prefix="tunelab-cluster-"))
    state.chmod(0o755)
    # One small bank on both servers: the failover test walks through a test, answering
    # through widgets as a raw websocket client can (no sandboxed code, no drawn numbers).
    quizzes = state / "quizzes"
    quizzes.mkdir()
    write_widget_answered_template(quizzes / "example.yaml")
    env = {k: v for k, v in os.environ.items() if k != "TUNELAB_DATABASE_URL"}
    env |= {
        "TUNELAB_CLUSTER_DIR": str(state),
        "TUNELAB_CLUSTER_PORT": str(PROXY_PORT),
        "TUNELAB_CLUSTER_PG_PORT": "5439",
        "TUNELAB_CLUSTER_RAY_PORT": "6389",
        "TUNELAB_QUIZ_DIR": str(quizzes),
        "TUNELAB_INSTRUCTOR_PASSCODE": PASSCODE,
    }
    cluster = Cluster(f"http://127.0.0.1:{PROXY_PORT}", env)
    try:
        cluster.run("start")
        yield cluster
    finally:
        subprocess.run([str(SCRIPT), "stop"], env=env, timeout=120, check=False)
        for log in sorted(state.glob("*.log")):  # kept in CI's output when something failed
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
        shutil.rmtree(state, ignore_errors=True)
