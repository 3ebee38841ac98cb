"""Over time, in a real browser: a test interrupted by a reload, progress, review, statistics."""

from __future__ import annotations

import re
from collections.abc import Iterator
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from browser import (
    pick,
    run_code,
    screenshot,
    settle,
    sidebar_link,
    sign_in,
    wait_idle,
    write_code,
    write_shipped_bank,
)
from helpers.st_ws import quiz_folder, serving_app
from playwright.sync_api import Page, expect

from engine.quiz.bank import load_bank
from engine.quiz.models import CodeQuestion, Question, QuestionType

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "quizzes" / "fine_tuning_metrics.yaml"
BANK = load_bank(SHIPPED)
PASSCODE = "e2e-instructor-passcode"
MISS_AT = {2, 5, 9}  # question numbers answered wrong on purpose


@pytest.fixture(scope="module")
def instructor_app(tmp_path_factory) -> Iterator[str]:
    """A server of our own, with a passcode and an empty database shared by both roles."""
    base = tmp_path_factory.mktemp("progress")
    # The bank's fixed questions only: this journey answers by recognising each prompt,
    # which a family's fresh numbers would defeat (tests/e2e/test_family_browser.py covers
    # families in the browser).
    write_shipped_bank(quiz_folder(base), lambda q: "generator" not in q and "formula" not in q)
    with serving_app(base, {"TUNELAB_INSTRUCTOR_PASSCODE": PASSCODE}) as url:
        yield url


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def likeness(a: str, b: str) -> float:
    """Word-order-aware similarity (two code choices may differ only in word order)."""
    return SequenceMatcher(None, tokens(a), tokens(b)).ratio()


def shown_question(page: Page) -> Question:
    """The bank question whose prompt opens with the same eight words as one on the page.

    Reads the page only once it has settled: a rerun that started late can show the new
    caption and prompt above the previous question's still-stale options.
    """
    found: list[Question] = []
    for _ in range(50):
        settle(page)  # the prompt may arrive a moment after the caption on a busy machine
        shown = " " + " ".join(tokens(page.get_by_test_id("stMain").inner_text())) + " "
        found = [q for q in BANK.questions if f" {' '.join(tokens(q.prompt)[:8])} " in shown]
        if len(found) == 1:
            return found[0]
        page.wait_for_timeout(200)
    raise AssertionError(f"cannot tell which question is shown: {[q.id for q in found]}")


def answer(page: Page, question: Question, *, right: bool) -> None:
    """Answer the shown question right or wrong, matching option labels to choice texts."""
    settle(page)  # never match against the options of the question before
    main = page.get_by_test_id("stMain")
    if question.type is QuestionType.NUMERIC:
        value = float(question.answer) if right else float(question.answer) + 1000  # type: ignore[arg-type]
        main.locator('[data-testid="stTextInput"] input').fill(repr(value))
        return
    kind = "checkbox" if question.type is QuestionType.MULTIPLE_SELECT else "radio"
    labels = main.locator(f'[data-testid="st{kind.capitalize()}"] label:has(input[type={kind}])')
    labels.first.wait_for()
    wanted = question.correct_choice_ids
    if not right:
        wanted = {next(c.id for c in question.choices if c.id not in wanted)}
    for label in labels.all():
        seen = label.inner_text().split(".", 1)[-1]  # drop the "A." letter
        best = max(question.choices, key=lambda c: likeness(c.text, seen))
        if best.id in wanted:
            pick(label)


def go(page: Page, link: str) -> None:
    sidebar_link(page, link).click()
    wait_idle(page)


def test_a_learner_resumes_after_a_reload_then_finds_progress_review_and_statistics(
    page: Page, instructor_app, artifacts
):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(instructor_app)
    wait_idle(page)
    go(page, "Test this pattern")
    sign_in(page, "Grace")
    page.get_by_role("button", name="Start the test").click()
    wait_idle(page)

    missed = []
    for number in range(1, 11):
        expect(page.get_by_text(f"Question {number} of 10")).to_be_visible()
        question = shown_question(page)
        if number in MISS_AT:
            missed.append(question)
        if isinstance(question, CodeQuestion):  # submitted by running it
            right = number not in MISS_AT
            write_code(page, question.reference_solution if right else question.starter_code)
            run_code(page)
        else:
            answer(page, question, right=number not in MISS_AT)
            page.get_by_role("button", name="Submit answer").click()
            wait_idle(page)
        if number == 4:
            # Resume relies on lessons/test_pattern.py reading the unfinished attempt back.
            page.reload()
            wait_idle(page)
            expect(
                page.get_by_text("Welcome back: your test resumes at question 5")
            ).to_be_visible()
            expect(page.get_by_text("Question 5 of 10")).to_be_visible()
            screenshot(page, artifacts / "progress_resumed_test.png")
    expect(page.get_by_text(re.compile(r"Pattern (strong|developing|not yet)"))).to_be_visible()

    go(page, "My progress")
    expect(page.get_by_role("heading", name="Tests over time")).to_be_visible()
    chart = page.locator(
        '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
    )
    expect(chart.first).to_be_visible()
    expect(page.get_by_role("heading", name="Weak questions")).to_be_visible()
    expect(page.get_by_text("No question missed so far.")).to_have_count(0)
    screenshot(page, artifacts / "progress_my_progress.png")

    go(page, "Review")
    expect(page.get_by_text("3 question(s) due now, most overdue first.")).to_be_visible()
    first_due = shown_question(page)
    assert first_due.id in {q.id for q in missed}
    if isinstance(first_due, CodeQuestion):  # submitted by running it
        write_code(page, first_due.reference_solution)
        run_code(page)
    else:
        answer(page, first_due, right=True)
        page.get_by_role("button", name="Submit").click()
        wait_idle(page)
    expect(page.get_by_text(re.compile(r"^Correct \("))).to_be_visible()
    expect(page.get_by_text("Now in box 2")).to_be_visible()
    screenshot(page, artifacts / "progress_review.png")

    go(page, "Item statistics")
    page.get_by_label("Instructor passcode").fill(PASSCODE)
    page.get_by_role("button", name="Unlock").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Per question")).to_be_visible()
    finished = f"From 1 finished test attempt(s) at version {BANK.version}."
    expect(page.get_by_text(finished)).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("1")
    expect(page.get_by_role("button", name="Item statistics (CSV)")).to_be_visible()
    expect(page.get_by_text("Grace")).to_have_count(0)
    screenshot(page, artifacts / "progress_item_statistics.png")
