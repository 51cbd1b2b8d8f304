"""Playwright fixtures for the browser tests: Debian's Chromium against pytest-django's
live_server.

Import the fixtures into a test module: `from tests.browser import browser, page  # noqa: F401`.
Without /usr/bin/chromium the tests skip with a message, except in CI (`CI=true`), where a
missing browser is a failure: CI must not pass by skipping its browser tests.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
TIMEOUT_MS = 5_000


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = (
        f"{CHROMIUM} is missing: install Debian's Chromium "
        "(apt-get install -y chromium) to run the browser tests."
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Chromium for one test module.

    While sync Playwright runs, this thread has a running asyncio loop, so Django would refuse
    ORM calls from the test body: DJANGO_ALLOW_ASYNC_UNSAFE is set for exactly that long and
    then restored, so it never leaks into other tests (`check --deploy` flags it). Module scope,
    not session: a second sync Playwright cannot start while another one runs, and every test
    module imports its own copy of this fixture.
    """
    _require_chromium()
    from playwright.sync_api import sync_playwright

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh browser context (no cookies) on the live server.

    `page.dialogs` collects the message of every alert/confirm/prompt, dismissed at once, so a
    test can assert that none fired.
    """
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 860}, locale="en-US"
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.dialogs = []

    def on_dialog(dialog) -> None:
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    yield tab
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
