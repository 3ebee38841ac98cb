"""A parametric question in a real browser: its numbers come from the variant, the learner
computes the answer from what the page shows (scikit-learn checks it here), in Practice
("another one like this" draws new numbers) and in a test."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
import yaml
from browser import open_page, pick, screenshot, settle, sign_in, wait_idle
from helpers.st_ws import quiz_folder, serving_app
from playwright.sync_api import Page, expect
from sklearn.metrics import precision_score, recall_score

COUNTS = re.compile(r"TP = (\d+), FP = (\d+), TN = (\d+), FN = (\d+)")


def family(qid: str, difficulty: str, kind: str, ask: str) -> dict[str, object]:
    return {
        "id": qid,
        "difficulty": difficulty,
        "topic": "classification metrics",
        "type": kind,
        "generator": "confusion_metric",
        "params": {"ask": ask},
        "prompt": "TP = {tp}, FP = {fp}, TN = {tn}, FN = {fn}. What is the {metric}?",
        "solution": {"steps": ["{formula}"], "final_answer": "{metric}"},
        "quick_check": "Read the right row or column.",
        "hint": "Precision: TP / (TP + FP); recall: TP / (TP + FN).",
    }


FAMILY_BANK = {
    "id": "families",
    "title": "Families only",
    "pattern": "Computing metrics from counts",
    "version": "1",
    "test": {"easy": 1, "medium": 1, "hard": 0},
    "questions": [
        family("precision-family", "easy", "single_choice", "precision"),
        family("recall-family", "medium", "numeric", "recall"),
    ],
}


@pytest.fixture(scope="module")
def family_app(tmp_path_factory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("family")
    (quiz_folder(base) / "families.yaml").write_text(yaml.safe_dump(FAMILY_BANK, sort_keys=False))
    with serving_app(base) as url:
        yield url


def shown_counts(page: Page) -> tuple[int, int, int, int]:
    settle(page)
    found = COUNTS.search(page.get_by_test_id("stMain").inner_text())
    assert found, "the variant's counts are on the page"
    tp, fp, tn, fn = (int(g) for g in found.groups())
    return tp, fp, tn, fn


def labels(tp: int, fp: int, tn: int, fn: int) -> tuple[list[int], list[int]]:
    truth = [1] * tp + [0] * fp + [0] * tn + [1] * fn
    predicted = [1] * tp + [1] * fp + [0] * tn + [0] * fn
    return truth, predicted


def pick_precision(page: Page) -> str:
    truth, predicted = labels(*shown_counts(page))
    right = f"{precision_score(truth, predicted):.3f}"
    radios = page.get_by_test_id("stMain").locator(
        '[data-testid="stRadio"] label:has(input[type=radio])'
    )
    pick(radios.filter(has_text=right).first)
    return right


@pytest.mark.browser
def test_a_learner_answers_a_parametric_question_and_gets_another_like_it(
    page: Page, family_app, artifacts
):
    open_page(page, family_app, "Practice")
    first = shown_counts(page)
    pick_precision(page)
    page.get_by_role("button", name="Submit").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^Correct \(1 / 1\)"))).to_be_visible()

    page.get_by_role("button", name="Another one like this").click()
    wait_idle(page)
    assert shown_counts(page) != first  # new numbers, the same skill
    pick_precision(page)
    page.get_by_role("button", name="Submit").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^Correct \(1 / 1\)"))).to_be_visible()
    screenshot(page, artifacts / "family_practice.png")


@pytest.mark.browser
def test_a_learner_answers_parametric_questions_in_a_test(page: Page, family_app, artifacts):
    open_page(page, family_app, "Test this pattern")
    sign_in(page, f"learner-{uuid.uuid4().hex[:8]}")
    page.get_by_role("button", name="Start the test").click()
    wait_idle(page)
    expect(page.get_by_text("Question 1 of 2")).to_be_visible()
    pick_precision(page)
    page.get_by_role("button", name="Submit answer").click()
    wait_idle(page)

    expect(page.get_by_text("Question 2 of 2")).to_be_visible()
    truth, predicted = labels(*shown_counts(page))
    typed = f"{recall_score(truth, predicted):.4f}"
    page.get_by_test_id("stMain").locator('[data-testid="stTextInput"] input').fill(typed)
    page.get_by_role("button", name="Submit answer").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Pattern strong"))).to_be_visible()
    screenshot(page, artifacts / "family_test.png")
