"""A raw Streamlit websocket client: send any BackMsg, read back what the server rendered.

A browser only ever sends widget states for widgets it was shown; this client can send
anything, which is what the crafted-message and fault tests need. Widget ids are taken
from the ForwardMsg deltas the server sent (Streamlit derives them from key, form and
page), never guessed.

The protocol (frames, the rerun request, the server) is helpers/st_wire.py, shared with the
benchmarks' async client; this module adds the blocking transport and the test helpers.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from subprocess import Popen

from streamlit.proto.Element_pb2 import Element
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from helpers import st_wire
from helpers.st_wire import (
    ROOT,
    free_port,
    request_finished,
    rerun_request,
    stop_server,
    stream_url,
    trigger,
)

__all__ = [
    "Render", "StreamlitSession", "free_port", "quiz_folder", "radio_pick", "serving_app",
    "start_server", "stop_server", "trigger",
]  # fmt: skip


class Render(st_wire.Render):
    """A run as the tests read it: a missing button or answer widget fails loudly."""

    def button(self, label: str) -> Element:
        """The button (or form submit button) whose label is exactly `label`."""
        found = super().button(label)
        if found is None:
            labels = [e.button.label for e in self.of_kind("button")]
            raise LookupError(f"no button {label!r} in this run; buttons: {labels}")
        return found

    def answer_input(self) -> Element:
        """The first radio, checkbox or text input: the question's answer widget."""
        for element in self.elements:
            if element.WhichOneof("type") in ("radio", "checkbox", "text_input"):
                return element
        raise LookupError(f"no answer widget in this run:\n{self.text[:2000]}")


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
        source: str | None = None,  # e.g. "127.0.0.2": another browser, on loopback
    ) -> None:
        self.query_string = query_string
        self.timeout = timeout
        self._stack = contextlib.ExitStack()
        self._ws: ClientConnection = self._stack.enter_context(
            connect(
                stream_url(url),
                subprotocols=[Subprotocol("streamlit")],
                max_size=None,
                open_timeout=timeout,
                close_timeout=0.5,
                additional_headers=headers,
                **({"source_address": (source, 0)} if source else {}),
            )
        )

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._stack.close()

    def __enter__(self) -> StreamlitSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def rerun(
        self, page_name: str, widgets: Iterable[WidgetState] = (), fragment_id: str = ""
    ) -> Render:
        """Send a rerun of `page_name` with these widget states (only of that fragment, when
        given: a click inside it); wait for the run to end."""
        self.send(page_name, widgets, fragment_id)
        return self.read_until_finished()

    def send(
        self, page_name: str, widgets: Iterable[WidgetState] = (), fragment_id: str = ""
    ) -> None:
        """Send a rerun request without waiting for anything (a click, then a crash)."""
        self._ws.send(rerun_request(page_name, self.query_string, widgets, fragment_id))

    def read_until_finished(self) -> Render:
        """Collect ForwardMsgs until script_finished (reruns the script asks for included)."""
        render = Render()
        deadline = time.monotonic() + self.timeout
        while True:
            data = self._ws.recv(timeout=max(0.1, deadline - time.monotonic()))
            message = render.take(data)
            if message.WhichOneof("type") == "page_info_changed":
                self.query_string = message.page_info_changed.query_string
            if request_finished(message):
                return render


# ---------------------------------------------------------------- a server of one's own


def start_server(
    log: Path,
    env: dict[str, str],
    script: Path = ROOT / "app.py",
    *,
    port: int | None = None,
    options: Sequence[str] = (),
) -> tuple[str, Popen[bytes]]:
    """`streamlit run <script>` on a loopback port (a free one unless given), with extra
    ``section.name=value`` options; returns (url, process) once healthy."""
    server = st_wire.start_server(script, env, log, options, port)
    return server.url, server.process


def quiz_folder(base: Path) -> Path:
    """`base`/quizzes, created empty: the banks a `serving_app(base)` server lists."""
    folder = base / "quizzes"
    folder.mkdir()
    return folder


@contextlib.contextmanager
def serving_app(base: Path, settings: Mapping[str, str] | None = None) -> Iterator[str]:
    """app.py served over `base`/quizzes and `base`/data (its SQLite file is
    data/tunelab.db), logging to `base`/streamlit.log, with these extra environment
    settings (a passcode, a token secret); stopped on exit. Yields the URL."""
    env = {
        "TUNELAB_QUIZ_DIR": str(base / "quizzes"),
        "TUNELAB_DATA_DIR": str(base / "data"),
        **(settings or {}),
    }
    with st_wire.running_server(ROOT / "app.py", env, base / "streamlit.log") as server:
        yield server.url
