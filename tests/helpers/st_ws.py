"""A raw Streamlit websocket client: send any BackMsg, read back what the server rendered.

A browser only ever sends widget states for widgets it was shown; this client can send
anything, which is what the crafted-message and fault tests need. Widget ids are taken
from the ForwardMsg deltas the server sent (Streamlit derives them from key, form and
page), never guessed.
"""

from __future__ import annotations

import contextlib
import os
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
from websockets.sync.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[2]
EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


@dataclass
class Render:
    """Everything one script run sent: its elements, and the raw bytes of every frame."""

    elements: list[Element] = field(default_factory=list)
    raw: bytes = b""

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

    def button(self, label: str) -> Element:
        """The button (or form submit button) whose label is exactly `label`."""
        found = [e for e in self.of_kind("button") if e.button.label == label]
        if not found:
            labels = [e.button.label for e in self.of_kind("button")]
            raise LookupError(f"no button {label!r} in this run; buttons: {labels}")
        return found[0]

    def answer_input(self) -> Element:
        """The first radio, checkbox or text input: the question's answer widget."""
        for element in self.elements:
            if element.WhichOneof("type") in ("radio", "checkbox", "text_input"):
                return element
        raise LookupError(f"no answer widget in this run:\n{self.text[:2000]}")


def trigger(element: Element) -> WidgetState:
    """A click on a button or form submit button."""
    return WidgetState(id=element.button.id, trigger_value=True)


def radio_pick(element: Element, value: str) -> WidgetState:
    """A radio's state as the browser sends it: the formatted label (or anything crafted)."""
    return WidgetState(id=element.radio.id, string_value=value)


class StreamlitSession:
    """One websocket session (= one browser tab) against a running `streamlit run`."""

    def __init__(
        self,
        url: str,
        query_string: str = "",
        timeout: float = 60.0,
        headers: dict[str, str] | None = None,  # e.g. a proxy's sticky-session cookie
    ) -> None:
        ws_url = url.replace("http", "ws", 1) + "/_stcore/stream"
        self.query_string = query_string
        self.timeout = timeout
        self._stack = contextlib.ExitStack()
        self._ws: ClientConnection = self._stack.enter_context(
            connect(
                ws_url,
                subprotocols=["streamlit"],
                max_size=None,
                open_timeout=timeout,
                close_timeout=0.5,
                additional_headers=headers,
            )
        )

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._stack.close()

    def __enter__(self) -> StreamlitSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def rerun(self, page_name: str, widgets: Iterable[WidgetState] = ()) -> Render:
        """Send a rerun of `page_name` with these widget states; wait for the run to end."""
        self.send(page_name, widgets)
        return self.read_until_finished()

    def send(self, page_name: str, widgets: Iterable[WidgetState] = ()) -> None:
        """Send a rerun request without waiting for anything (a click, then a crash)."""
        message = BackMsg()
        rerun = message.rerun_script
        rerun.page_name = page_name
        rerun.query_string = self.query_string
        rerun.widget_states.widgets.extend(widgets)
        self._ws.send(message.SerializeToString())

    def read_until_finished(self) -> Render:
        """Collect ForwardMsgs until script_finished (reruns the script asks for included)."""
        render = Render()
        deadline = time.monotonic() + self.timeout
        while True:
            data = self._ws.recv(timeout=max(0.1, deadline - time.monotonic()))
            if isinstance(data, str):
                data = data.encode()
            render.raw += data
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                render.elements.append(message.delta.new_element)
            elif kind == "new_session":
                render.elements.clear()  # an st.rerun(): only the final run's page counts
            elif kind == "page_info_changed":
                self.query_string = message.page_info_changed.query_string
            elif kind == "script_finished" and message.script_finished != EARLY_FOR_RERUN:
                # "Early for rerun" means st.rerun() is about to start another run: wait
                # for that one; any other status ends what this message asked for.
                return render


# ---------------------------------------------------------------- a server of one's own


def start_server(
    log: Path, env: dict[str, str], script: Path = ROOT / "app.py"
) -> tuple[str, subprocess.Popen]:
    """`streamlit run <script>` on a free loopback port; returns (url, process) once healthy."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=log.open("a"), stderr=subprocess.STDOUT, env={**os.environ, **env}
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early ({proc.returncode}); see {log}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as reply:
                if reply.read().strip() == b"ok":
                    return url, proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise TimeoutError(f"streamlit did not become healthy; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@contextlib.contextmanager
def running_server(log: Path, env: dict[str, str]) -> Iterator[str]:
    url, proc = start_server(log, env)
    try:
        yield url
    finally:
        stop_server(proc)
