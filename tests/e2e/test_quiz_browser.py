"""Quiz journeys in a real browser: a whole test, a practice retry, and what the wire carries."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from browser import (
    CODE_EDITOR,
    open_page,
    pick,
    run_code,
    screenshot,
    settle,
    sign_in,
    wait_idle,
)
from helpers.st_page import capture_frames
from playwright.sync_api import Page, expect

from engine.quiz.bank import load_bank

ROOT = Path(__file__).resolve().parents[2]
BANK = load_bank(ROOT / "quizzes" / "fine_tuning_metrics.yaml")


def plain(markdown: str) -> str:
    """Text roughly as the browser shows it: no Markdown markers, single spaces."""
    return " ".join(re.sub(r"[*_`#>\[\]]", "", markdown).split())


def literal(text: str) -> str:
    """The longest run of a (family's) text between placeholders: the same in every
    variant, so it can be looked for on the page and on the wire."""
    return max(re.split(r"\{[A-Za-z_][A-Za-z0-9_]*\}", text), key=len).strip()


def answer_current(page: Page, text: str | None = None) -> bool:
    """Pick the option containing `text` (or the first one), whatever the input type; a
    code question runs its starter code, which submits it (True)."""
    settle(page)  # decide on this question's inputs, never on a stale one's
    main = page.get_by_test_id("stMain")
    inputs = '[data-testid="stRadio"], [data-testid="stCheckbox"], [data-testid="stTextInput"]'
    main.locator(f"{inputs}, {CODE_EDITOR}").first.wait_for()
    if main.locator(CODE_EDITOR).count():
        run_code(page)
        return True
    radios = main.locator('[data-testid="stRadio"] label:has(input[type=radio])')
    boxes = main.locator('[data-testid="stCheckbox"] label:has(input[type=checkbox])')
    if radios.count():
        target = radios.filter(has_text=text) if text else radios
        pick(target.first)
    elif boxes.count():
        pick((boxes.filter(has_text=text) if text else boxes).first)
    else:
        main.locator('[data-testid="stTextInput"] input').fill(text or "0.5")
    return False


def answer_remaining(page: Page, first: int, total: int = 10) -> None:
    """Answer questions first..total, waiting for each to be on screen before touching it."""
    for number in range(first, total + 1):
        expect(page.get_by_text(f"Question {number} of {total}")).to_be_visible()
        if not answer_current(page):
            page.get_by_role("button", name="Submit answer").click()
            wait_idle(page)


def test_a_learner_takes_the_whole_test_and_reads_the_report(page: Page, app_url, artifacts):
    open_page(page, app_url, "Test this pattern")
    sign_in(page, f"learner-{uuid.uuid4().hex[:8]}")
    page.get_by_role("button", name="Start the test").click()
    wait_idle(page)
    answer_remaining(page, first=1)
    expect(page.get_by_text(re.compile(r"Pattern (strong|developing|not yet)"))).to_be_visible()
    expect(page.get_by_role("button", name="Retake with new questions")).to_be_visible()
    screenshot(page, artifacts / "test_report.png")


def test_a_practice_question_answered_wrong_then_right(page: Page, app_url, artifacts):
    open_page(page, app_url, "Practice")
    first = next(q for q in BANK.questions if q.difficulty.value == "easy")
    right = next(c for c in first.choices if c.id in first.correct_choice_ids)
    wrong = next(c for c in first.choices if c.id not in first.correct_choice_ids)
    answer_current(page, wrong.text[:40])
    page.get_by_role("button", name="Submit").click()
    wait_idle(page)
    expect(page.get_by_text("Not quite.")).to_be_visible()
    if wrong.feedback:
        expect(page.get_by_text(wrong.feedback[:40], exact=False).first).to_be_visible()
    page.get_by_role("button", name="Try again").click()
    wait_idle(page)
    answer_current(page, right.text[:40])
    page.get_by_role("button", name="Submit").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^Correct \(1 / 1\)"))).to_be_visible()
    screenshot(page, artifacts / "practice.png")


def test_the_answer_key_is_not_sent_before_the_learner_submits(page: Page, app_url):
    frames = capture_frames(page)
    open_page(page, app_url, "Test this pattern")
    sign_in(page, f"learner-{uuid.uuid4().hex[:8]}")
    page.get_by_role("button", name="Start the test").click()
    wait_idle(page)
    expect(page.get_by_text("Question 1 of 10")).to_be_visible()
    page.locator(f'[data-testid="stForm"], {CODE_EDITOR}').first.wait_for()
    shown = plain(page.get_by_test_id("stMain").inner_text())
    question = next(q for q in BANK.questions if plain(literal(q.prompt))[:30] in shown)
    texts = [
        question.solution.final_answer,
        question.quick_check,
        *question.solution.steps,
        *(c.feedback for c in getattr(question, "choices", ()) if c.feedback),
    ]
    secrets = [piece for piece in map(literal, texts) if len(piece) >= 12]
    before = b"".join(frames)
    assert literal(question.prompt)[:20].encode() in before  # the capture works
    for secret in secrets:
        assert secret.encode() not in before, f"sent before submitting: {secret[:60]}"

    # Finish the test: now the explanations must arrive (so the check above was not vacuous).
    answer_remaining(page, first=1)
    for expander in page.locator('[data-testid="stExpander"] summary').all():
        expander.click()
    wait_idle(page)
    after = b"".join(frames)
    shown_steps = max((literal(step) for step in question.solution.steps), key=len)
    assert len(shown_steps) >= 12 and shown_steps.encode() in after
