"""The name + PIN journey in Chromium: sign in, reload, switch pages, impostor refused."""

from __future__ import annotations

import re
import uuid

from browser import sign_in, wait_idle
from playwright.sync_api import Browser, Page, expect


def test_a_learner_signs_in_with_a_pin_and_a_reload_keeps_them_by_token(page: Page, app_url):
    name = f"pin-{uuid.uuid4().hex[:8]}"
    page.set_viewport_size({"width": 1280, "height": 900})  # the sidebar's links in view
    page.goto(f"{app_url}/test_pattern")
    wait_idle(page)
    sign_in(page, name, pin="my own pin 4821")
    expect(page.get_by_text(f"Welcome, {name}")).to_be_visible()
    assert "session=" in page.url and name not in page.url
    page.reload()
    wait_idle(page)
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()
    # Another page, then a reload there: the token travels, the name never does.
    page.get_by_role("link", name="My progress").click()
    wait_idle(page)
    page.reload()
    wait_idle(page)
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()
    assert name not in page.url
    signed_in_url = page.url
    page.get_by_role("button", name="Sign out").click()
    wait_idle(page)
    expect(page.get_by_role("textbox", name="Your PIN or passphrase")).to_be_visible()
    assert "session=" not in page.url
    # The link from before signing out (a bookmark, a shared computer's history) is dead.
    page.goto(signed_in_url)
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"revoked \(signed out"))).to_be_visible()
    expect(page.get_by_text(f"Signed in as {name}")).to_have_count(0)


def test_typing_a_taken_name_in_another_browser_without_its_pin_is_refused(
    browser: Browser, app_url
):
    name = f"owner-{uuid.uuid4().hex[:8]}"
    owner_context, impostor_context = browser.new_context(), browser.new_context()
    try:
        owner = owner_context.new_page()
        owner.goto(f"{app_url}/progress")
        wait_idle(owner)
        sign_in(owner, name, pin="owner's pin 1")
        expect(owner.get_by_text(f"Welcome, {name}")).to_be_visible()

        impostor = impostor_context.new_page()
        impostor.goto(f"{app_url}/progress?learner={name}")
        wait_idle(impostor)
        expect(impostor.get_by_role("textbox", name="Your PIN or passphrase")).to_be_visible()
        sign_in(impostor, name, pin="a guess 123")
        expect(impostor.get_by_text("PIN does not match")).to_be_visible()
        expect(impostor.get_by_text(f"Signed in as {name}")).to_have_count(0)
    finally:
        owner_context.close()
        impostor_context.close()
