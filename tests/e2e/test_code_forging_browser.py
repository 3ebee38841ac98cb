"""A forged code answer in a real browser (red team 3, `forged_test_strong`): the snippet that
wrote a pass on the result pipe is not graded and spends no attempt, a property lying about
requires_grad earns nothing, and the honest answer still earns full marks afterwards."""

from __future__ import annotations

import json
import re

from browser import open_page, run_code, wait_idle, write_code
from playwright.sync_api import Page, expect
from test_code_browser import QUESTION, practice_position

FORGED_PASS = json.dumps(
    {"gradable": True, "score": 1.0, "message": "All checks passed.", "tests": []}
)
PIPE_FORGE = f"""import os, stat
def count_trainable_scalars(model):
    for fd in range(3, 64):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, {FORGED_PASS!r}.encode())
        except OSError:
            pass
    os._exit(0)
"""
STACK_FORGE = """import inspect
def count_trainable_scalars(model):
    frame = inspect.currentframe().f_back
    while frame is not None:
        if "expected" in frame.f_locals:
            return frame.f_locals["expected"]
        frame = frame.f_back
    return 12345
"""


def test_forged_code_answers_earn_nothing_and_the_honest_one_still_passes(
    page: Page, app_url
) -> None:
    open_page(page, app_url, "Practice")
    for _ in range(practice_position(QUESTION.id)):
        page.get_by_role("button", name="Next question").click()
        wait_idle(page)
    expect(page.get_by_text("Write count_trainable_scalars(model)")).to_be_visible()

    # A verdict written on the result pipe: not a report, so not graded; the question stays open.
    write_code(page, PIPE_FORGE)
    run_code(page, keyboard=True)
    expect(
        page.get_by_text(re.compile(r"Your code could not be graded — run it again"))
    ).to_be_visible()
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)

    # The expected value is not on the child's stack: it earns nothing.
    write_code(page, STACK_FORGE)
    run_code(page, keyboard=True)
    expect(page.get_by_text("0 of 3 checks passed.")).to_be_visible()
    expect(page.get_by_text("Not quite.")).to_be_visible()

    page.get_by_role("button", name="Try again").click()
    wait_idle(page)
    write_code(page, QUESTION.reference_solution)
    run_code(page)
    expect(page.get_by_text("3 of 3 checks passed.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Correct \(1 / 1\)"))).to_be_visible()
