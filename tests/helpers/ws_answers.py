"""Answers a raw websocket client sends to the test page, built from what the server rendered.

The crafted-message tests and the server-kill fault test both answer "as a browser would";
they share this one definition so both send the same legitimate answer.
"""

from __future__ import annotations

from streamlit.proto.Element_pb2 import Element
from streamlit.proto.WidgetStates_pb2 import WidgetState

from helpers.st_ws import Render, radio_pick, trigger


def form_submitter(render: Render) -> Element:
    """The submit button of the form on screen."""
    return next(e for e in render.of_kind("button") if e.button.is_form_submitter)


def legit_answer(render: Render) -> list[WidgetState]:
    """The first option (or the number 0.5) and a click on submit, as a browser sends them."""
    widget = render.answer_input()
    kind = widget.WhichOneof("type")
    if kind == "radio":
        state = radio_pick(widget, widget.radio.options[0])
    elif kind == "checkbox":
        state = WidgetState(id=widget.checkbox.id, bool_value=True)
    else:
        state = WidgetState(id=widget.text_input.id, string_value="0.5")
    return [state, trigger(form_submitter(render))]
