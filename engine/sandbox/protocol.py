"""What crosses the jail's wall: one JSON line in (the request), one JSON line out (the reply).
Plain JSON of bounded size, never pickle: a pickled object could run code in the app."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

READY = '{"ready": true}'
MAX_REPLY_LINE = 256 << 10


@dataclass(frozen=True)
class WorkerReply:
    """What the warm worker saw of one submission's process."""

    timed_out: bool
    exit_code: int  # negative: killed by that signal (-9 SIGKILL, -24 SIGXCPU)
    cpu_seconds: float
    result: str | None  # the JSON text the child wrote, as bytes it could not exceed
    result_truncated: bool
    output: str  # what the learner printed (stdout and stderr), truncated
    output_truncated: bool


def encode_request(request: dict[str, Any]) -> bytes:
    return (json.dumps(request) + "\n").encode()


def decode_reply(line: bytes) -> WorkerReply:
    """Parse the worker's reply line; ValueError if it is not one."""
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("reply is not a JSON object")
    return WorkerReply(
        timed_out=bool(data["timed_out"]),
        exit_code=int(data["exit_code"]),
        cpu_seconds=float(data["cpu_seconds"]),
        result=None if data["result"] is None else str(data["result"]),
        result_truncated=bool(data["result_truncated"]),
        output=str(data["output"]),
        output_truncated=bool(data["output_truncated"]),
    )
