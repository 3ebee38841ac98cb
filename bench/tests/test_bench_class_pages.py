"""bench.practice_load on the Test and Review pages, and clicks that name their fragment."""

from __future__ import annotations

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.practice_load import (
    ANSWER,
    CONNECT,
    FINISH,
    RERUN,
    SIGN_IN,
    START,
    Journey,
    Repeat,
    Request,
    parse_args,
    table_header,
)
from bench.ws_client import Render
from tests.helpers.st_wire import rerun_request


def _journey(*requests: tuple[str, float], answers: int = 0) -> Journey:
    return Journey([Request(kind, s) for kind, s in requests], answers)


def test_a_test_page_row_reports_start_answers_and_the_report_after_sign_in():
    app = [
        _journey(
            (CONNECT, 0.05), (SIGN_IN, 0.2), (START, 0.03), (ANSWER, 0.02), (FINISH, 0.06),
            answers=2,
        )
    ]  # fmt: skip
    bare = [_journey((CONNECT, 0.05), (RERUN, 0.01), (RERUN, 0.02))]
    repeat = Repeat(1, 1, 10.0, bare, app, load_before=1.0, load_after=1.5, answers_found=2)
    repeat.page = "test_pattern"
    repeat.app_cpu_s, repeat.bare_cpu_s = 0.05, 0.003
    # Test requests 0.02-0.06 (p95 0.06) against bare reruns' p95 0.02: 3x.
    assert repeat.ratio == pytest.approx(3.0)
    assert repeat.row() == (
        "| 1 | 1 / 10 | 30 / 60 (3) | 10 / 20 | **3.00×** | 30 / 30 | 20 / 20 | 60 / 60 "
        "| 200 / 200 | 50 / 50 | 10.0 / 1.0 | 2 / 2 | 0 | 1.00 → 1.50 |"
    )
    header = table_header("test_pattern").splitlines()[0]
    assert "| Test p50 / p95 ms (requests) |" in header
    assert f"| {START} | {ANSWER} | {FINISH} | {SIGN_IN} |" in header


def test_the_page_is_chosen_on_the_command_line_and_practice_stays_the_default():
    assert parse_args([]).page == "practice"
    assert parse_args(["--page", "test_pattern"]).page == "test_pattern"
    assert parse_args(["--page", "review"]).page == "review"
    with pytest.raises(SystemExit):
        parse_args(["--page", "home"])


def test_a_click_inside_a_fragment_asks_the_server_to_rerun_only_that_fragment():
    sent = BackMsg()
    sent.ParseFromString(rerun_request("practice", "", (), fragment_id="frag-1"))
    assert sent.rerun_script.fragment_id == "frag-1"
    whole = BackMsg()
    whole.ParseFromString(rerun_request("practice", ""))
    assert whole.rerun_script.fragment_id == ""


def test_a_render_remembers_which_fragment_drew_each_element():
    render = Render()
    for fragment in ("", "frag-1"):
        message = ForwardMsg()
        message.delta.new_element.CopyFrom(Element())
        message.delta.new_element.markdown.body = f"in {fragment or 'the page'}"
        message.delta.fragment_id = fragment
        render.take(message.SerializeToString())
    outside, inside = render.elements
    assert (render.fragment_of(outside), render.fragment_of(inside)) == ("", "frag-1")
