"""In a real Chromium, editing TP on the confusion-matrix lesson recomputes precision."""

from __future__ import annotations

import pytest
from browser import metric_value, open_page, screenshot, wait_idle
from playwright.sync_api import Page, expect

from engine.metrics.classification import confusion_counts

pytestmark = pytest.mark.browser


def test_changing_tp_in_the_browser_recomputes_precision(page: Page, app_url: str, artifacts):
    open_page(page, app_url, "Confusion matrix")
    expect(page.get_by_role("heading", name="Confusion matrix", level=1)).to_be_visible()
    precision = metric_value(page, "Precision")
    expect(precision).to_have_text("0.850")

    tp_input = page.get_by_label("TP: actually positive, predicted positive")
    tp_input.fill("35")
    tp_input.press("Enter")

    expected = confusion_counts(tp=35, fp=15, tn=90, fn=10).precision
    expect(precision).to_have_text(f"{expected:.3f}")
    expect(
        page.get_by_text(f"Precision = TP / (TP + FP) = 35 / (35 + 15) = {expected:.3f}")
    ).to_be_visible()
    wait_idle(page)
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    screenshot(page, artifacts / "confusion_matrix.png")
