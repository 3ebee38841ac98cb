"""The wheel: what it carries, its `tunelab` command, and validation without the heavy extras."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from engine.cli.launch import AppNotFound, app_script, config_flags, streamlit_command

ROOT = Path(__file__).resolve().parents[2]
PIP = [sys.executable, "-m", "pip"]
HEADLESS = ["--server.headless", "true", "--server.address", "127.0.0.1"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("tunelab-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel installed on its own into a folder (its dependencies come from this venv)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [*PIP, "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    return target


def names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def metadata(wheel: Path) -> tuple[str, str]:
    with zipfile.ZipFile(wheel) as archive:
        info = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        points = next(n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt"))
        return archive.read(info).decode(), archive.read(points).decode()


def test_the_wheel_carries_the_engine_weights_migrations_app_lessons_and_banks(wheel):
    inside = names(wheel)
    for expected in (
        "engine/__main__.py",
        "engine/lab/weights/small_resnet_glyphs64.pt",
        "engine/lab/weights/small_resnet_glyphs64.json",
        "engine/codecheck/pitfall_exercises.yaml",
        "engine/store/alembic/env.py",
        "engine/store/alembic/versions/0001_baseline_schema_v4.py",
        "tunelab_app/app.py",
        "tunelab_app/lessons/home.py",
        "tunelab_app/lessons/components/routes.py",
        "tunelab_app/quizzes/fine_tuning_metrics.yaml",
        "tunelab_app/.streamlit/config.toml",
    ):
        assert expected in inside, f"{expected} missing from {wheel.name}"


def test_the_wheel_leaves_out_tests_benchmarks_and_caches_and_claims_no_app_name(wheel):
    tops = {name.split("/")[0] for name in names(wheel)}
    assert tops == {"engine", "tunelab_app", "tunelab-0.1.0.dist-info"}
    assert not [n for n in names(wheel) if "__pycache__" in n or n.endswith(".pyc")]


def test_the_tunelab_command_and_extras_are_declared(wheel):
    info, entry_points = metadata(wheel)
    assert "tunelab = engine.__main__:main" in entry_points
    message = Parser().parsestr(info)
    extras = set(message.get_all("Provides-Extra") or [])
    assert {"app", "lab", "cluster", "dev"} <= extras
    requirements = [Requirement(line) for line in message.get_all("Requires-Dist") or []]
    unconditional = {req.name.lower() for req in requirements if req.marker is None}
    assert "pydantic" in unconditional and "alembic" in unconditional
    assert not unconditional & {"torch", "torchvision", "streamlit", "ray", "psycopg"}


def test_the_installed_command_validates_a_bank(installed, tmp_path):
    bank = tmp_path / "bank.yaml"
    bank.write_bytes((ROOT / "quizzes" / "_example.yaml").read_bytes())
    env = os.environ | {"PYTHONPATH": str(installed)}
    done = subprocess.run(
        [str(installed / "bin" / "tunelab"), "validate", str(bank), "--seeds", "5"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{bank}: ok" in done.stdout
    assert "1 of 1 banks valid" in done.stderr


def test_the_installed_app_is_found_beside_the_installed_engine(installed):
    assert app_script(installed) == installed / "tunelab_app" / "app.py"


def test_a_checkout_runs_its_own_app_py():
    assert app_script(ROOT) == ROOT / "app.py"


def test_without_an_app_beside_the_engine_the_command_says_what_to_install(tmp_path):
    with pytest.raises(AppNotFound, match=r"pip install 'tunelab\[app,lab\]'"):
        app_script(tmp_path)


def test_the_shipped_streamlit_settings_travel_as_flags_and_the_callers_flags_win():
    app = ROOT / "app.py"
    flags = config_flags(app)
    assert "--client.toolbarMode=viewer" in flags
    assert "--browser.gatherUsageStats=false" in flags
    assert "--runner.postScriptGC=false" in flags
    command = streamlit_command(["--server.port", "9999"], app)
    assert command[:5] == [sys.executable, "-m", "streamlit", "run", str(app)]
    assert command[-2:] == ["--server.port", "9999"]


def test_validating_a_bank_without_torch_families_needs_neither_torch_ray_nor_streamlit():
    # The core install has none of them: any import of one fails as it would there.
    blocked = ("torch", "torchvision", "streamlit", "ray", "psycopg")
    script = (
        "import sys\n"
        "class Absent:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {blocked!r}:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Absent())\n"
        "from engine.__main__ import main\n"
        "sys.exit(main(['validate', 'quizzes/_example.yaml', '--seeds', '5', '--jobs', '1']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "quizzes/_example.yaml: ok" in done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_tunelab_run_serves_the_installed_app(installed, tmp_path):
    port = free_port()
    env = os.environ | {"PYTHONPATH": str(installed), "TUNELAB_DATA_DIR": str(tmp_path / "data")}
    server = subprocess.Popen(
        [str(installed / "bin" / "tunelab"), "run", "--server.port", str(port), *HEADLESS],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        health = ""
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
                    health = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert health == "ok", "the app never answered"
        assert server.poll() is None
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Traceback" not in output, output
