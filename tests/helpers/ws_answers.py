"""What a raw websocket client types into the pages, built from what the server rendered:
a sign-in (name + PIN) and a legitimate answer to the question on screen.

The crafted-message, identity, fault and cluster tests all act "as a browser would"; they
share these definitions so all of them send the same thing.
"""

from __future__ import annotations

from streamlit.proto.Element_pb2 import Element
from streamlit.proto.WidgetStates_pb2 import WidgetState

from helpers.st_ws import Render, StreamlitSession, radio_pick, trigger

NAME_LABEL, PIN_LABEL = "Your name, so TuneLab can keep your progress", "Your PIN or passphrase"


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


def sign_in(
    session: StreamlitSession, name: str, pin: str, page: str = "test_pattern"
) -> tuple[Render, Render]:
    """Open `page`, fill its sign-in form with `name` and `pin` and submit it; returns the
    run that showed the form and the run after submitting."""
    form = session.rerun(page)
    fields = {e.text_input.label: e.text_input.id for e in form.of_kind("text_input")}
    after = session.rerun(
        page,
        [
            WidgetState(id=fields[NAME_LABEL], string_value=name),
            WidgetState(id=fields[PIN_LABEL], string_value=pin),
            trigger(form_submitter(form)),
        ],
    )
    return form, after
