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


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def filter_program(machine: str | None = None) -> bytes:
    """The BPF program bwrap loads, as the raw ``struct sock_filter[]`` it reads from its fd."""
    machine = machine or platform.machine()
    refused = sorted(set(refused_syscalls(machine).values()))
    arch = _TABLES[machine][0]
    program = [
        _op(_LD_W_ABS, _ARCH_OFFSET),
        _op(_JEQ_K, arch, jt=1),
        _op(_RET_K, RET_KILL_PROCESS),
        _op(_LD_W_ABS, _NR_OFFSET),
    ]
    checks = [*([X32_SYSCALL_BIT] if machine == "x86_64" else []), *refused]
    allow_at = len(checks)  # index, among the comparisons, of RET ALLOW; EPERM follows it
    for index, number in enumerate(checks):
        code = _JGE_K if number == X32_SYSCALL_BIT else _JEQ_K
        program.append(_op(code, number, jt=allow_at - index))
    program.append(_op(_RET_K, RET_ALLOW))
    program.append(_op(_RET_K, RET_ERRNO | errno.EPERM))
    return b"".join(program)
