"""axe-core on every page, in Chromium: no serious or critical WCAG 2.1 A/AA violation, at
a laptop's width and at 400 px, in the light theme and in the dark one.

axe-core is the engine of Deque's browser extension and of Lighthouse's accessibility
audit; axe-playwright-python injects its bundled copy (axe.min.js) into the page. The page
list is the router's own (test_every_page_browser.PAGES): a new page is checked without a
list here to forget.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser import open_routed_page, settle
from playwright.sync_api import Page
from test_every_page_browser import PAGES

# Only the rules of the standard we promise, so a best-practice note never fails a build.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
WIDTHS = (1280, 400)
# What .streamlit/config.toml's [theme.dark] paints the app with: proof the dark theme is on.
DARK_BACKGROUND = "rgb(0, 0, 0)"

_axe = Axe()


def axe_core_version() -> str:
    return _axe.axe_script.split("\n", 1)[0].removeprefix("/*! axe v").strip()


def blocking_violations(page: Page) -> list[str]:
    """One line per serious or critical violation: rule, impact, what to fix, where."""
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    results = _axe.run(page, options=options).response
    lines = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        node = violation["nodes"][0]
        summary = " ".join(node.get("failureSummary", "").split())
        lines.append(
            f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} element(s)): "
            f"{violation['help']}. First at {node['target']}: {summary}"
        )
    return lines


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("title", PAGES)
def test_every_page_has_no_serious_accessibility_violation(page: Page, app_url, title, scheme):
    page.emulate_media(color_scheme=scheme)  # Streamlit follows prefers-color-scheme
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    open_routed_page(page, app_url, title)
    background = page.evaluate(
        "() => getComputedStyle(document.querySelector('[data-testid=stApp]')).backgroundColor"
    )
    assert (background == DARK_BACKGROUND) is (scheme == "dark"), background
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        settle(page)
        found += [f"{width} px: {line}" for line in blocking_violations(page)]
    assert found == [], f"axe-core {axe_core_version()} on {title!r} ({scheme}):\n" + "\n".join(
        found
    )


def test_axe_sees_a_violation_when_there_is_one(page: Page):
    # The check itself must be able to fail: grey on white at 2.3:1 is a serious one.
    page.set_content(
        '<html lang="en"><head><title>Faint</title></head><body><main><h1>Faint</h1>'
        '<p style="color:#aaaaaa;background:#fff">faint</p></main></body></html>'
    )
    (line,) = blocking_violations(page)
    assert line.startswith("color-contrast (serious, 1 element(s))")
    assert axe_core_version().count(".") == 2
