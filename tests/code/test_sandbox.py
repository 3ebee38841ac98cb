"""The sandbox as the app uses it: fixtures graded through the jail, the queue, a lost
worker replaced, `run-code`, and a plain refusal where no jail can start."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from engine.codecheck.grade import grade_code
from engine.codecheck.runner import child_request
from engine.sandbox.jail import Limits, SandboxUnavailable, jail_argv
from engine.sandbox.pool import SandboxPool
from engine.sandbox.protocol import decode_reply
from tests.helpers.sandbox_pool import FIXTURES, attack, exercises, shared_pool, solution

EXERCISE_IDS = sorted(exercises())


def fake_bwrap(tmp_path: Path, message: str) -> Path:
    """A bwrap that fails the way a kernel refusing user namespaces makes it fail."""
    script = tmp_path / "bwrap"
    script.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit 1\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_without_a_working_bwrap_the_pool_refuses_and_nothing_is_graded(tmp_path: Path) -> None:
    bwrap = fake_bwrap(tmp_path, "bwrap: No permissions to create new namespace")
    pool = SandboxPool(size=1, bwrap=bwrap)
    with pytest.raises(SandboxUnavailable, match="No permissions to create new namespace"):
        pool.start()
    result = grade_code(exercises()["freeze_all_but_fc"], "raise SystemExit('ran!')", pool)
    assert not result.gradable
    assert result.message == (
        "Code can't be run on this server, so your answer was not graded: bubblewrap could "
        "not start a sandbox here: bwrap: No permissions to create new namespace"
    )


def test_a_missing_bwrap_is_named_plainly(tmp_path: Path) -> None:
    pool = SandboxPool(size=1, bwrap=tmp_path / "no-such-bwrap")
    with pytest.raises(SandboxUnavailable, match="bubblewrap could not start"):
        pool.start()


def test_the_jail_shares_no_namespace_clears_the_environment_and_binds_read_only() -> None:
    argv = jail_argv(Path("/bwrap"), ["-c", "pass"], Limits())
    assert "--clearenv" in argv and "--die-with-parent" in argv and "--new-session" in argv
    assert "--unshare-all" in argv or {"--unshare-net", "--unshare-pid"} <= set(argv)
    assert "--bind" not in argv  # nothing from the host is writable
    assert argv[argv.index("--tmpfs") + 1] == "/tmp"


def test_a_checkout_under_tmp_is_bound_on_top_of_the_private_tmp_not_hidden_by_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A CI clone (and its venv) may live under /tmp: bound before the tmpfs, it would vanish.
    monkeypatch.setattr(
        "engine.sandbox.jail._readonly_roots", lambda: [Path("/usr"), Path("/tmp/ci/.venv")]
    )
    argv = jail_argv(Path("/bwrap"), ["-c", "pass"], Limits())
    tmpfs = argv.index("--tmpfs")
    bind = next(
        i for i, a in enumerate(argv) if a == "--ro-bind" and argv[i + 1] == "/tmp/ci/.venv"
    )
    assert tmpfs < bind
    made = [argv[i + 1] for i, a in enumerate(argv) if a == "--dir"]
    assert "/tmp" not in made  # the private /tmp keeps its sticky, world-writable mode


def test_as_a_normal_user_every_namespace_is_unshared_and_no_capability_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    argv = jail_argv(Path("/bwrap"), ["-c", "pass"], Limits())
    assert "--unshare-all" in argv
    assert "--cap-add" not in argv


def test_as_root_the_jail_keeps_only_what_it_needs_to_become_nobody_and_clean_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 0)
    argv = jail_argv(Path("/bwrap"), ["-c", "pass"], Limits())
    kept = {argv[i + 1] for i, arg in enumerate(argv) if arg == "--cap-add"}
    assert kept == {"CAP_SETUID", "CAP_SETGID", "CAP_KILL"}
    assert argv[argv.index("--cap-drop") + 1] == "ALL"
    assert {"--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts"} <= set(argv)


def test_a_reply_that_is_not_the_protocol_is_refused() -> None:
    with pytest.raises(ValueError):
        decode_reply(b"[1, 2]\n")
    with pytest.raises(KeyError):
        decode_reply(b'{"timed_out": false}\n')


@pytest.mark.slow
@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_each_reference_passes_inside_the_jail(exercise_id: str) -> None:
    result = grade_code(exercises()[exercise_id], solution(exercise_id, "reference"), shared_pool())
    assert result.score == 1.0, [t.message for t in result.tests]


@pytest.mark.slow
def test_a_wrong_solution_gets_its_feedback_through_the_jail() -> None:
    exercise_id = "batchnorm_eval_while_frozen"
    result = grade_code(
        exercises()[exercise_id], solution(exercise_id, "wrong_train_only"), shared_pool()
    )
    assert [t.passed for t in result.tests] == [True, False]
    assert "call .eval() on frozen BatchNorm layers" in result.tests[1].message


@pytest.mark.slow
def test_a_syntax_error_costs_no_attempt_through_the_jail() -> None:
    result = grade_code(exercises()["freeze_all_but_fc"], "def f(:\n", shared_pool())
    assert not result.gradable and result.line == 1


@pytest.mark.slow
def test_waiting_submissions_can_read_their_place_in_the_queue() -> None:
    pool = shared_pool()
    exercise = exercises()["freeze_all_but_fc"]
    slow = pool.submit(child_request(exercise, "import time\ntime.sleep(2)\n"))
    while not slow.running:
        time.sleep(0.01)
    waiting = [pool.submit(child_request(exercise, "pass\n")) for _ in range(2)]
    assert [t.position for t in waiting] == [0, 1]
    assert not any(t.running for t in waiting)
    for ticket in [slow, *waiting]:
        ticket.result(timeout=60)
    assert [t.position for t in waiting] == [0, 0]


@pytest.mark.slow
def test_a_worker_that_dies_is_replaced_and_its_submission_reported() -> None:
    pool = shared_pool()
    worker = pool._workers[0]
    assert worker is not None
    killer = threading.Timer(1.0, worker.kill)
    killer.start()
    result = attack("import time\ndef attack(model):\n    time.sleep(3)\n    return 'contained'\n")
    killer.join()
    assert result.message == "Your code brought down its sandbox before the checks finished."
    assert attack("def attack(model):\n    return 'contained'\n").score == 1.0
    assert pool.restarts >= 1


@pytest.mark.slow
def test_run_code_prints_the_json_result_of_a_file() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "run-code",
            str(FIXTURES / "exercises.yaml"),
            "count_trainable_scalars",
            str(FIXTURES / "count_trainable_scalars" / "wrong_counts_tensors.py"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["gradable"] is True
    assert [t["passed"] for t in result["tests"]] == [False, False, True]
    assert result["tests"][0]["message"] == "Expected 1290; your function returned 2."


def test_run_code_names_the_known_exercises_for_an_unknown_id(tmp_path: Path) -> None:
    from engine.__main__ import main

    code = tmp_path / "answer.py"
    code.write_text("pass\n")
    assert main(["run-code", str(FIXTURES / "exercises.yaml"), "nope", str(code)]) == 2
