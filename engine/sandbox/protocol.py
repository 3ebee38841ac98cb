"""What crosses the jail's wall: one JSON line in (the request), one JSON line out (the reply).
Plain JSON of bounded size, never pickle: a pickled object could run code in the app.

The reply carries the child's result and output as base64 of their capped bytes, so its
length is bounded after encoding (4/3 of the caps): JSON-escaping control bytes would grow
a within-cap result six-fold, past the line limit."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

READY = '{"ready": true}'
MAX_REPLY_LINE = 1 << 20


@dataclass(frozen=True)
class WorkerReply:
    """What the warm worker saw of one submission's process."""

    timed_out: bool
    exit_code: int  # negative: killed by that signal (-9 SIGKILL, -24 SIGXCPU)
    cpu_seconds: float
    result: str | None  # the JSON text the child wrote (its report), capped
    result_truncated: bool
    output: str  # what the learner printed (stdout and stderr), truncated
    output_truncated: bool


def encode_request(request: dict[str, Any]) -> bytes:
    return (json.dumps(request) + "\n").encode()


def encode_bytes(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _decode_bytes(text: object) -> str:
    try:
        return base64.b64decode(str(text), validate=True).decode("utf-8", "replace")
    except binascii.Error as error:
        raise ValueError(f"not base64: {error}") from error


def encode_reply(
    *,
    timed_out: bool,
    exit_code: int,
    cpu_seconds: float,
    result: bytes,
    result_truncated: bool,
    output: bytes,
    output_truncated: bool,
) -> str:
    """The collector's reply line (without its newline)."""
    return json.dumps(
        {
            "timed_out": timed_out,
            "exit_code": exit_code,
            "cpu_seconds": cpu_seconds,
            "result": encode_bytes(result) if result else None,
            "result_truncated": result_truncated,
            "output": encode_bytes(output),
            "output_truncated": output_truncated,
        }
    )


def decode_reply(line: bytes) -> WorkerReply:
    """Parse the worker's reply line; ValueError if it is not one."""
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("reply is not a JSON object")
    return WorkerReply(
        timed_out=bool(data["timed_out"]),
        exit_code=int(data["exit_code"]),
        cpu_seconds=float(data["cpu_seconds"]),
        result=None if data["result"] is None else _decode_bytes(data["result"]),
        result_truncated=bool(data["result_truncated"]),
        output=_decode_bytes(data["output"]),
        output_truncated=bool(data["output_truncated"]),
    )
