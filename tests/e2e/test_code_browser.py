"""A code question in a real browser: write code in the editor, run it in the sandbox (by
keyboard and by the Run button), read each check's feedback, and see a syntax error cost
no attempt."""

from __future__ import annotations

import re
from pathlib import Path

from browser import CODE_EDITOR, open_page, run_code, screenshot, wait_idle, write_code
from playwright.sync_api import Page, expect

from engine.codecheck.runner import fresh_model
from engine.quiz.bank import load_bank
from engine.quiz.models import CodeQuestion, Difficulty

ROOT = Path(__file__).resolve().parents[2]
BANK = load_bank(ROOT / "quizzes" / "fine_tuning_metrics.yaml")
QUESTION = next(q for q in BANK.questions if q.id == "code-count-trainable-scalars")
COUNTS_EVERY_PARAMETER = (
    "def count_trainable_scalars(model):\n    return sum(p.numel() for p in model.parameters())\n"
)


def practice_position(question_id: str) -> int:
    """Practice walks the bank easy to hard, in file order within a difficulty."""
    order = {d: i for i, d in enumerate(Difficulty)}
    walk = sorted(BANK.questions, key=lambda q: order[q.difficulty])
    return [q.id for q in walk].index(question_id)


def scalars(trainable: list[str] | None) -> int:
    """What torch counts on the lab model the checks use: the oracle for the feedback."""
    model = fresh_model(trainable)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def test_a_learner_writes_code_runs_it_and_reads_each_checks_feedback(
    page: Page, app_url, artifacts
):
    assert isinstance(QUESTION, CodeQuestion)
    open_page(page, app_url, "Practice")
    for _ in range(practice_position(QUESTION.id)):
        page.get_by_role("button", name="Next question").click()
        wait_idle(page)
    expect(page.get_by_text("Write count_trainable_scalars(model)")).to_be_visible()

    # A syntax error is not graded: it says where, and the question stays open.
    write_code(page, "def count_trainable_scalars(model)\n    return 0\n")
    run_code(page, keyboard=True)
    expect(page.get_by_text(re.compile(r"Syntax error on line 1: .*Not graded"))).to_be_visible()
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)

    # A common mistake: counting frozen parameters too. Each check says what it saw.
    write_code(page, COUNTS_EVERY_PARAMETER)
    run_code(page, keyboard=True)
    expect(page.get_by_text("0 of 3 checks passed.")).to_be_visible()
    expect(page.get_by_text("Counts the head's scalars when only fc is trainable")).to_be_visible()
    expect(
        page.get_by_text(f"Expected {scalars(['fc'])}; your function returned {scalars(None)}.")
    ).to_be_visible()
    expect(page.get_by_text("Not quite.")).to_be_visible()
    expect(page.get_by_text("✗ failed")).to_have_count(3)
    screenshot(page, artifacts / "code_question_wrong.png")

    page.get_by_role("button", name="Try again").click()
    wait_idle(page)
    # The editor comes back holding the learner's last code, to fix rather than retype.
    editor = page.frame_locator(CODE_EDITOR).first.locator(".ace_content")
    expect(editor).to_contain_text("return sum(p.numel() for p in model.parameters())")
    write_code(page, QUESTION.reference_solution)
    run_code(page)  # the Run button this time
    expect(page.get_by_text("3 of 3 checks passed.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Correct \(1 / 1\)"))).to_be_visible()
    expect(page.get_by_text("✓ passed")).to_have_count(3)
    screenshot(page, artifacts / "code_question_right.png")
