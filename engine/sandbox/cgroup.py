"""A cgroup per jailed worker, where the machine offers one: memory and process-count limits
on the whole jail (shared memory and page cache included, which RLIMIT_AS does not see),
on top of the rlimits inside it. Root only, cgroup v1 (``memory``, ``pids``) or v2 (both
controllers enabled); elsewhere ``create`` returns None and the rlimits stand alone."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
log = logging.getLogger(__name__)


class WorkerCgroup:
    """The folders (one per controller on v1, one on v2) a worker's jail runs in."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders

    @property
    def procs_files(self) -> list[str]:
        return [str(folder / "cgroup.procs") for folder in self.folders]

    def remove(self) -> None:
        """Remove the folders once the jail's last process has gone (it may take a moment
        after bwrap itself: its pid namespace's processes are still being torn down)."""
        for folder in self.folders:
            for _ in range(40):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.05)


def _v2_ready(root: Path) -> bool:
    controllers = root / "cgroup.subtree_control"
    try:
        return {"memory", "pids"} <= set(controllers.read_text().split())
    except OSError:
        return False


PREFIX = "tunelab-sandbox-"


def name_for(worker: str) -> str:
    """This server's cgroup name for a worker: the server's pid first, so a later server
    can tell which leftovers belong to a server that is gone."""
    return f"{PREFIX}{os.getpid()}-{worker}"


def remove_orphans(root: Path = CGROUP_ROOT) -> None:
    """Remove empty cgroups left by servers that ended without closing their pool (killed):
    their pid is in the name and no longer runs."""
    for parent in (root, root / "memory", root / "pids"):
        with contextlib.suppress(OSError):
            for folder in parent.glob(PREFIX + "*"):
                pid = folder.name[len(PREFIX) :].split("-")[0]
                if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                    with contextlib.suppress(OSError):
                        folder.rmdir()  # refused while a process is still inside


def create(
    name: str, memory_bytes: int, processes: int, root: Path = CGROUP_ROOT
) -> WorkerCgroup | None:
    """A new cgroup called ``name`` with these limits, or None where none can be made."""
    if os.geteuid() != 0:
        return None
    remove_orphans(root)
    made: list[Path] = []
    try:
        if (root / "cgroup.controllers").exists():  # v2
            if not _v2_ready(root):
                return None
            folder = root / name
            folder.mkdir()
            made.append(folder)
            (folder / "memory.max").write_text(str(memory_bytes))
            (folder / "memory.swap.max").write_text("0")
            (folder / "pids.max").write_text(str(processes))
        else:  # v1
            memory, pids = root / "memory" / name, root / "pids" / name
            memory.mkdir()
            made.append(memory)
            pids.mkdir()
            made.append(pids)
            (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
            (pids / "pids.max").write_text(str(processes))
    except OSError as error:
        log.info("no cgroup for the sandbox worker here (%s): rlimits only", error)
        WorkerCgroup(made).remove()
        return None
    return WorkerCgroup(made)


def joining(cgroup: WorkerCgroup | None, argv: list[str]) -> list[str]:
    """``argv`` started from a shell that first moves itself into ``cgroup``, so the jail
    and everything it forks are inside from their first instruction."""
    if cgroup is None:
        return argv
    join = " && ".join(f'echo $$ > "${i + 1}"' for i in range(len(cgroup.procs_files)))
    count = len(cgroup.procs_files)
    script = f'{join} && shift {count} && exec "$@"'
    return ["/bin/sh", "-c", script, "sh", *cgroup.procs_files, *argv]
