"""In a real Chromium: open the freezing lab from the sidebar, train a small run, see results."""

from __future__ import annotations

import re

import pytest
from browser import metric_value, open_page, screenshot, wait_idle
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_training_the_default_linear_probe_shows_curves_and_results(
    page: Page, app_url: str, artifacts
):
    open_page(page, app_url, "Freezing lab")
    expect(page.get_by_role("heading", name="Freezing lab", level=1)).to_be_visible()
    # The default plan is the linear probe: 1 290 trainable parameters (a 128 → 10 head).
    expect(metric_value(page, "Trainable parameters")).to_have_text("1,290")

    page.get_by_test_id("stMain").get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_role("heading", name="Results of run #1")).to_be_visible(timeout=90_000)
    wait_idle(page)
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    expect(metric_value(page, "Validation accuracy")).to_have_text(
        re.compile(r"^(0\.\d{3}|1\.000)$")
    )
    weights = re.compile(r"weights of epoch \d+ \((best, restored|last)\)")
    expect(page.get_by_text(weights)).to_be_visible()
    expect(page.get_by_role("heading", name="Your runs side by side")).to_be_visible()
    screenshot(page, artifacts / "lab.png")
    # The test score is revealed on purpose, and the look is counted.
    page.get_by_role("button", name="Reveal test score of #1").click()
    expect(page.get_by_text(re.compile(r"You have looked at 1 test score\."))).to_be_visible()
    wait_idle(page)
    screenshot(page, artifacts / "lab_peek.png")


def test_stop_interrupts_a_long_run_and_frees_the_queue(page: Page, app_url: str):
    open_page(page, app_url, "Freezing lab")
    expect(page.get_by_role("heading", name="Freezing lab", level=1)).to_be_visible()
    main = page.get_by_test_id("stMain")
    # Full fine-tuning for the maximum number of epochs: long enough to stop mid-way.
    page.get_by_test_id("stSelectbox").filter(has_text="Preset").click()
    page.get_by_role("option", name="Full fine-tuning").click()
    wait_idle(page)
    epochs = page.get_by_role("slider", name="Epochs")
    epochs.focus()
    epochs.press("End")
    wait_idle(page)

    main.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text(re.compile(r"Epoch \d+ of 30"))).to_be_visible(timeout=60_000)
    # The page's own Stop: Streamlit's header shows a "Stop" (the script) while it runs.
    main.get_by_role("button", name="Stop", exact=True).click()
    expect(page.get_by_text("Training stopped.")).to_be_visible(timeout=30_000)
    wait_idle(page)
    assert page.get_by_role("heading", name=re.compile("Results of run")).count() == 0

    # The slot was released: a short run now starts at once and finishes.
    epochs.focus()
    epochs.press("Home")
    wait_idle(page)
    main.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_role("heading", name="Results of run #1")).to_be_visible(timeout=90_000)
