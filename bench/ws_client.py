"""Async raw Streamlit websocket clients and loopback servers for the load benchmarks."""

from __future__ import annotations

import asyncio
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
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[1]
EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


@dataclass
class Render:
    """What one request produced: elements of the final run, frames and bytes received."""

    elements: list[Element] = field(default_factory=list)
    frames: int = 0
    bytes: int = 0
    raw: bytearray = field(default_factory=bytearray)

    def of_kind(self, kind: str) -> list[Element]:
        return [e for e in self.elements if e.WhichOneof("type") == kind]

    @property
    def text(self) -> str:
        out = []
        for element in self.elements:
            kind = element.WhichOneof("type")
            if kind in ("markdown", "alert", "heading", "text"):
                out.append(getattr(element, kind).body)
            elif kind == "code":
                out.append(element.code.code_text)
            elif kind == "exception":
                out.append(f"{element.exception.type}: {element.exception.message}")
            elif kind == "progress":
                out.append(element.progress.text)
        return "\n".join(out)

    def button(self, label: str) -> Element | None:
        return next((e for e in self.of_kind("button") if e.button.label == label), None)


def answer_states(render: Render) -> list[WidgetState]:
    """A plausible answer to the question on the page: first option, first box, or 0.5."""
    for element in render.elements:
        kind = element.WhichOneof("type")
        if kind == "radio":
            return [WidgetState(id=element.radio.id, string_value=element.radio.options[0])]
        if kind == "checkbox":
            return [WidgetState(id=element.checkbox.id, bool_value=True)]
        if kind == "text_input":
            return [WidgetState(id=element.text_input.id, string_value="0.5")]
    raise LookupError(f"no answer widget on the page:\n{render.text[:500]}")


def trigger(element: Element) -> WidgetState:
    return WidgetState(id=element.button.id, trigger_value=True)


class Session:
    """One browser tab: a websocket, the page it shows and its query string."""

    def __init__(self, ws: ClientConnection, page: str, query_string: str, timeout: float) -> None:
        self.ws, self.page, self.query_string, self.timeout = ws, page, query_string, timeout
        self.on_element = None  # optional callback(element, monotonic time) for streaming pages

    async def rerun(self, widgets: Iterable[WidgetState] = (), keep_raw: bool = False) -> Render:
        message = BackMsg()
        message.rerun_script.page_name = self.page
        message.rerun_script.query_string = self.query_string
        message.rerun_script.widget_states.widgets.extend(widgets)
        await self.ws.send(message.SerializeToString())
        return await asyncio.wait_for(self._read_until_finished(keep_raw), self.timeout)

    async def _read_until_finished(self, keep_raw: bool) -> Render:
        render = Render()
        while True:
            data = await self.ws.recv()
            if isinstance(data, str):
                data = data.encode()
            render.frames += 1
            render.bytes += len(data)
            if keep_raw:
                render.raw += data
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                render.elements.append(message.delta.new_element)
                if self.on_element is not None:
                    self.on_element(message.delta.new_element, time.monotonic())
            elif kind == "new_session":
                render.elements.clear()  # st.rerun(): only the final run's page counts
            elif kind == "page_info_changed":
                self.query_string = message.page_info_changed.query_string
            elif kind == "script_finished" and message.script_finished != EARLY_FOR_RERUN:
                return render


@contextlib.asynccontextmanager
async def open_session(url: str, page: str, query_string: str = "", timeout: float = 60.0):
    ws_url = url.replace("http", "ws", 1) + "/_stcore/stream"
    async with connect(
        ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout
    ) as ws:
        yield Session(ws, page, query_string, timeout)


# ---------------------------------------------------------------- servers


@dataclass
class Server:
    url: str
    process: subprocess.Popen

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(
    script: Path, env: dict[str, str], log: Path, options: Iterable[str] = ()
) -> Iterator[Server]:
    """`streamlit run script` on a free 127.0.0.1 port, stopped on exit.

    `options` are extra `section.name=value` config options, e.g. runner.postScriptGC=false.
    """
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
        "--server.runOnSave=false",
        *(f"--{option}" for option in options),
    ]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as out:
        process = subprocess.Popen(
            cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env}
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
        yield Server(url, process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early ({process.returncode}); see {log}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as reply:
                if reply.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not become healthy in 60 s; see {log}")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
