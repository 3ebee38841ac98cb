"""Streamlit's websocket protocol, written once for the benchmarks' async client and the
tests' sync client: what a script run sent (``Render``), the rerun request a browser sends,
and a ``streamlit run`` server on a free loopback port.

Only the transport differs between the two clients (asyncio for hundreds of concurrent tabs,
blocking for a test that crafts one message at a time), so only the transport is theirs.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parents[2]
EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


def stream_url(url: str) -> str:
    """The websocket a page at ``url`` talks over."""
    return url.replace("http", "ws", 1) + "/_stcore/stream"


def rerun_request(
    page: str, query_string: str, widgets: Iterable[WidgetState] = (), fragment_id: str = ""
) -> bytes:
    """The BackMsg a browser sends to rerun ``page`` with these widget states; with a
    ``fragment_id`` (a click on a widget inside that fragment), only that fragment reruns."""
    message = BackMsg()
    message.rerun_script.page_name = page
    message.rerun_script.query_string = query_string
    message.rerun_script.widget_states.widgets.extend(widgets)
    if fragment_id:
        message.rerun_script.fragment_id = fragment_id
    return message.SerializeToString()


def trigger(element: Element) -> WidgetState:
    """A click on a button or form submit button."""
    return WidgetState(id=element.button.id, trigger_value=True)


@dataclass
class Render:
    """Everything one request made the server send: the final run's elements, the number of
    frames and bytes, and (when kept) the raw bytes of every frame."""

    elements: list[Element] = field(default_factory=list)
    fragment_ids: list[str] = field(default_factory=list)  # per element: "" outside fragments
    frames: int = 0
    bytes: int = 0
    raw: bytearray = field(default_factory=bytearray)

    # builtins.bytes: inside this class, ``bytes`` names the byte-count field.
    def take(self, data: builtins.bytes | str, keep_raw: bool = True) -> ForwardMsg:
        """Fold one received frame in; the parsed message tells the caller what else it said."""
        if isinstance(data, str):
            data = data.encode()
        self.frames += 1
        self.bytes += len(data)
        if keep_raw:
            self.raw += data
        message = ForwardMsg()
        message.ParseFromString(data)
        kind = message.WhichOneof("type")
        if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self.elements.append(message.delta.new_element)
            self.fragment_ids.append(message.delta.fragment_id)
        elif kind == "new_session":
            self.elements.clear()  # an st.rerun(): only the final run's page counts
            self.fragment_ids.clear()
        return message

    def of_kind(self, kind: str) -> list[Element]:
        return [e for e in self.elements if e.WhichOneof("type") == kind]

    @property
    def text(self) -> str:
        """All the prose of the run (markdown, alerts, headings, exceptions), one per line."""
        out = []
        for element in self.elements:
            kind = element.WhichOneof("type")
            if kind in ("markdown", "alert", "heading", "text"):
                out.append(getattr(element, kind).body)
            elif kind == "code":  # Streamlit 1.67 calls the code element's text code_text
                out.append(element.code.code_text)
            elif kind == "exception":
                out.append(f"{element.exception.type}: {element.exception.message}")
            elif kind == "progress":
                out.append(element.progress.text)
        return "\n".join(out)

    @property
    def exceptions(self) -> list[str]:
        return [f"{e.exception.type}: {e.exception.message}" for e in self.of_kind("exception")]

    def fragment_of(self, element: Element) -> str:
        """The fragment ``element`` was drawn in ("" for none): a browser reruns only that
        fragment when one of its widgets is used."""
        for shown, fragment in zip(self.elements, self.fragment_ids, strict=True):
            if shown is element:
                return fragment
        raise LookupError("element not in this render")

    def button(self, label: str) -> Element | None:
        """The button (or form submit button) whose label is exactly ``label``, if shown."""
        return next((e for e in self.of_kind("button") if e.button.label == label), None)


def request_finished(message: ForwardMsg) -> bool:
    """True once the run a request started has ended. "Early for rerun" means st.rerun() is
    about to start another run: wait for that one; any other status ends the request."""
    return message.WhichOneof("type") == "script_finished" and (
        message.script_finished != EARLY_FOR_RERUN
    )


# ---------------------------------------------------------------- servers


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid

    def peak_rss_mb(self) -> float:
        """VmHWM of the server process: its peak resident memory so far."""
        return _proc_status_kb(self.pid, "VmHWM") / 1024

    def rss_mb(self) -> float:
        return _proc_status_kb(self.pid, "VmRSS") / 1024


def _proc_status_kb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return float(line.split()[1])
    return float("nan")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    script: Path,
    env: dict[str, str],
    log: Path,
    options: Iterable[str] = (),
    port: int | None = None,
) -> Server:
    """`streamlit run script` on a 127.0.0.1 port (a free one unless given), returned once it
    reports healthy.

    ``options`` are extra ``section.name=value`` config options, e.g. runner.postScriptGC=false.
    """
    port = port or free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
        "--server.runOnSave=false", *(f"--{option}" for option in options),
    ]  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as out:
        process = subprocess.Popen(
            cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env}
        )
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        _wait_healthy(server, log)
    except BaseException:
        stop_server(process)
        raise
    return server


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@contextlib.contextmanager
def running_server(
    script: Path, env: dict[str, str], log: Path, options: Iterable[str] = ()
) -> Iterator[Server]:
    """``start_server``, stopped on exit."""
    server = start_server(script, env, log, options)
    try:
        yield server
    finally:
        stop_server(server.process)


def _wait_healthy(server: Server, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"streamlit exited early ({server.process.returncode}); see {log}")
        try:
            with urllib.request.urlopen(server.url + "/_stcore/health", timeout=2) as reply:
                if reply.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not become healthy in 60 s; see {log}")
