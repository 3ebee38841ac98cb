"""The benchmarks' async Streamlit websocket client: many tabs at once over asyncio.

The protocol itself (Render, the rerun request, the server) lives in ``tests.helpers.st_wire``,
which the tests' blocking client shares.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterable

from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.helpers.st_wire import (
    ROOT,
    Render,
    Server,
    request_finished,
    rerun_request,
    running_server,
    stream_url,
    trigger,
)

__all__ = [
    "ROOT", "Render", "Server", "Session", "answer_states", "open_session", "percentile",
    "running_server", "trigger",
]  # fmt: skip


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


class Session:
    """One browser tab: a websocket, the page it shows and its query string."""

    def __init__(self, ws: ClientConnection, page: str, query_string: str, timeout: float) -> None:
        self.ws, self.page, self.query_string, self.timeout = ws, page, query_string, timeout
        # Optional callback(element, monotonic time), for pages that stream as they run.
        self.on_element: Callable[[Element, float], None] | None = None

    async def rerun(
        self, widgets: Iterable[WidgetState] = (), keep_raw: bool = False, fragment_id: str = ""
    ) -> Render:
        await self.ws.send(rerun_request(self.page, self.query_string, widgets, fragment_id))
        return await asyncio.wait_for(self._read_until_finished(keep_raw), self.timeout)

    async def _read_until_finished(self, keep_raw: bool) -> Render:
        render = Render()
        while True:
            message = render.take(await self.ws.recv(), keep_raw)
            if message.WhichOneof("type") == "page_info_changed":
                self.query_string = message.page_info_changed.query_string
            elif self.on_element is not None and _new_element(message):
                self.on_element(message.delta.new_element, time.monotonic())
            if request_finished(message):
                return render


def _new_element(message: ForwardMsg) -> bool:
    return message.WhichOneof("type") == "delta" and (
        message.delta.WhichOneof("type") == "new_element"
    )


@contextlib.asynccontextmanager
async def open_session(
    url: str, page: str, query_string: str = "", timeout: float = 60.0
) -> AsyncIterator[Session]:
    async with connect(
        stream_url(url),
        subprotocols=[Subprotocol("streamlit")],
        max_size=None,
        open_timeout=timeout,
    ) as ws:
        yield Session(ws, page, query_string, timeout)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
