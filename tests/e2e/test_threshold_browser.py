"""In a real Chromium, the threshold lesson's slider and presets move the operating point."""

from __future__ import annotations

import re

import pytest
from browser import open_page, screenshot, wait_idle
from playwright.sync_api import Page, expect

from engine.lab.checkpoint import load_pretrained
from engine.lab.lesson_runs import rare_class_scores
from engine.metrics.classification import outcome_at, threshold_for_recall

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def scores():
    """The same real scores the page computes: the shipped model's probe on the rare task."""
    return rare_class_scores(load_pretrained().model)


def explanation(labels, scores, threshold: float) -> str:
    now = outcome_at(labels, scores, threshold)
    return (
        f"With your threshold, on validation: precision = {now.tp} / ({now.tp} + {now.fp}) = "
        f"{now.precision:.3f}, recall = {now.tp} / ({now.tp} + {now.fn}) = {now.recall:.3f}."
    )


def operating_point(page: Page) -> bytes:
    """A picture of the precision-recall chart, whose marked point is the threshold's."""
    chart = page.get_by_test_id("stVegaLiteChart").nth(1)
    chart.scroll_into_view_if_needed()
    return chart.screenshot()


def test_the_slider_and_the_presets_move_the_point_on_the_curve(
    page: Page, app_url, scores, artifacts
):
    labels, values = scores.val_labels, scores.val_scores  # the page chooses on validation
    open_page(page, app_url, "Precision vs recall")
    slider = page.get_by_role("slider")
    expect(slider).to_have_value("0.5")
    expect(page.get_by_text(explanation(labels, values, 0.5))).to_be_visible()
    at_half = operating_point(page)

    # Keyboard: Home takes the threshold to 0, where every digit is called an 8.
    slider.focus()
    slider.press("Home")
    wait_idle(page)
    expect(slider).to_have_value("0")
    expect(page.get_by_text(explanation(labels, values, 0.0))).to_be_visible()
    assert outcome_at(labels, values, 0.0).recall == 1.0
    assert operating_point(page) != at_half

    # The medical preset: the highest threshold on the slider's grid that keeps recall ≥ 95 %.
    page.get_by_role("button", name="Medical screen (recall first)").click()
    wait_idle(page)
    medical = threshold_for_recall(labels, values, 0.95, grid=0.001)
    shown = float(slider.input_value())
    assert shown == pytest.approx(medical, abs=1e-9)
    expect(page.get_by_text(explanation(labels, values, shown))).to_be_visible()
    assert outcome_at(labels, values, shown).recall >= 0.95
    expect(page.get_by_test_id("stMetric").filter(has_text="Recall")).to_contain_text(
        re.compile(rf"{outcome_at(labels, values, shown).recall:.3f}")
    )
    page.mouse.move(0, 0)  # no button tooltip over the text in the picture
    screenshot(page, artifacts / "threshold_medical.png")


def test_the_cost_choice_is_reported_on_test_beside_its_validation_cost(
    page: Page, app_url, artifacts
):
    open_page(page, app_url, "Precision vs recall")
    report = page.get_by_role("heading", name="Report on the test digits, once")
    report.scroll_into_view_if_needed()
    expect(page.get_by_text(re.compile(r"and 26 on the 397 test digits"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"would cost 14 there"))).to_be_visible()
    screenshot(page, artifacts / "threshold_report.png")
