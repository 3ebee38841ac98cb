"""The seccomp filter bubblewrap installs on the jail (``bwrap --seccomp FD``): system calls
learner code never needs, refused with EPERM. SysV IPC and POSIX message queues outlive the
process that made them (a segment pinned host memory no limit counted, and the next
submission read it); ptrace, process_vm_*, keyctl, userfaultfd, perf_event_open, bpf and
io_uring are kernel surface a learner has no use for; unshare/setns/mount stop a new
namespace inside the jail.

A classic BPF program assembled here (no libseccomp needed): it checks the architecture
(anything but the one it was built for is killed, so a 32-bit or x32 call cannot slip past
the numbers), then compares the call's number with each refused one."""

from __future__ import annotations

import errno
import platform
import struct

# struct seccomp_data: int nr; __u32 arch; ...
_NR_OFFSET, _ARCH_OFFSET = 0, 4
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K
_JA = 0x05  # BPF_JMP | BPF_JA
RET_ALLOW = 0x7FFF0000
RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
X32_SYSCALL_BIT = 0x40000000

# Per machine: (AUDIT_ARCH_*, {name: number}). Numbers from the kernel's syscall tables.
_TABLES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (
        0xC000003E,
        {
            "shmget": 29, "shmat": 30, "shmctl": 31, "shmdt": 67,
            "semget": 64, "semop": 65, "semctl": 66, "semtimedop": 220,
            "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71,
            "mq_open": 240, "mq_unlink": 241, "mq_timedsend": 242, "mq_timedreceive": 243,
            "mq_notify": 244, "mq_getsetattr": 245,
            "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
            "add_key": 248, "request_key": 249, "keyctl": 250,
            "userfaultfd": 323, "perf_event_open": 298, "bpf": 321,
            "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
            "unshare": 272, "setns": 308, "mount": 165, "umount2": 166, "pivot_root": 155,
            "kexec_load": 246, "init_module": 175, "finit_module": 313, "delete_module": 176,
            "open_by_handle_at": 304, "swapon": 167, "swapoff": 168, "acct": 163,
        },
    ),
    "aarch64": (
        0xC00000B7,
        {
            "shmget": 194, "shmctl": 195, "shmat": 196, "shmdt": 197,
            "semget": 190, "semctl": 191, "semtimedop": 192, "semop": 193,
            "msgget": 186, "msgctl": 187, "msgrcv": 188, "msgsnd": 189,
            "mq_open": 180, "mq_unlink": 181, "mq_timedsend": 182, "mq_timedreceive": 183,
            "mq_notify": 184, "mq_getsetattr": 185,
            "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
            "add_key": 217, "request_key": 218, "keyctl": 219,
            "userfaultfd": 282, "perf_event_open": 241, "bpf": 280,
            "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
            "unshare": 97, "setns": 268, "mount": 40, "umount2": 39, "pivot_root": 41,
            "kexec_load": 104, "init_module": 105, "finit_module": 273, "delete_module": 106,
            "open_by_handle_at": 265, "swapon": 224, "swapoff": 225, "acct": 89,
        },
    ),
}  # fmt: skip


class NoFilterForThisMachine(RuntimeError):
    """No syscall table for this architecture: the jail is not started without one."""


def refused_syscalls(machine: str | None = None) -> dict[str, int]:
    machine = machine or platform.machine()
    if machine not in _TABLES:
        raise NoFilterForThisMachine(
            f"no seccomp syscall table for {machine!r} (known: {', '.join(sorted(_TABLES))})"
        )
    return dict(_TABLES[machine][1])


# kill, tkill, tgkill: the learner's filter refuses them aimed at pid 1, the small init of
# its own pid namespace (which it could otherwise signal, though the init ignores it).
_SIGNAL_CALLS = {"x86_64": (62, 200, 234), "aarch64": (129, 130, 131)}
_ARG0_OFFSET = 16  # seccomp_data.args[0], low 32 bits (little-endian machines)


Instruction = tuple[int, int, str | None, str | None]
# Refused in learner code, but the unprivileged worker makes one namespace per submission
# with it (forkserver._isolate) and then installs the full filter on the learner itself.
NAMESPACE_CALLS = frozenset({"unshare"})


def _assemble(
    program: list[tuple[int, int, str | None, str | None]], labels: dict[str, int]
) -> bytes:
    """``(code, k, jump-if-true label, jump-if-false label)`` to struct sock_filter bytes."""
    out = []
    for index, (code, k, true, false) in enumerate(program):
        jt = labels[true] - index - 1 if true else 0
        jf = labels[false] - index - 1 if false else 0
        if code == _JA:  # an unconditional jump carries its offset in k
            k, jt = jt, 0
        out.append(struct.pack("=HBBI", code, jt, jf, k))
    return b"".join(out)


def filter_program(
    machine: str | None = None,
    allowed: frozenset[str] = frozenset(),
    protect_init: bool = False,
) -> bytes:
    """The BPF program as the raw ``struct sock_filter[]`` bwrap reads from its fd: every
    refused call but ``allowed``; with ``protect_init``, no signal to pid 1 either."""
    machine = machine or platform.machine()
    refused = sorted({n for name, n in refused_syscalls(machine).items() if name not in allowed})
    arch = _TABLES[machine][0]
    program: list[Instruction] = [
        (_LD_W_ABS, _ARCH_OFFSET, None, None),
        (_JEQ_K, arch, None, "kill"),
        (_LD_W_ABS, _NR_OFFSET, None, None),
    ]
    if machine == "x86_64":
        program.append((_JGE_K, X32_SYSCALL_BIT, "deny", None))
    program += [(_JEQ_K, number, "deny", None) for number in refused]
    labels: dict[str, int] = {}
    if protect_init:
        program += [(_JEQ_K, number, "signal", None) for number in _SIGNAL_CALLS[machine]]
        program.append((_JA, 0, "allow", None))
        labels["signal"] = len(program)
        program += [(_LD_W_ABS, _ARG0_OFFSET, None, None), (_JEQ_K, 1, "deny", "allow")]
    labels["allow"] = len(program)
    program.append((_RET_K, RET_ALLOW, None, None))
    labels["deny"] = len(program)
    program.append((_RET_K, RET_ERRNO | errno.EPERM, None, None))
    labels["kill"] = len(program)
    program.append((_RET_K, RET_KILL_PROCESS, None, None))
    return _assemble(program, labels)


def install_on_this_process() -> None:
    """Load the full filter on the calling process (and what it forks), on top of any
    already there: the kernel applies every filter, so this only ever refuses more."""
    import ctypes

    program = filter_program(protect_init=True)
    buffer = ctypes.create_string_buffer(program, len(program))

    class _Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = _Program(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_seccomp, seccomp_mode_filter = 22, 2
    if libc.prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")
