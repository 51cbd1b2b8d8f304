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

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

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


# One Playwright and one Chromium for the whole run. Each test module imports the fixture,
# which makes a copy per module, and a second sync Playwright cannot start while the first one
# runs: so every copy hands out the same browser, and the first to be torn down stops it.
_shared: dict = {}


@pytest.fixture(scope="session")
def browser() -> Iterator:
    _require_chromium()
    if "browser" not in _shared:
        from playwright.sync_api import sync_playwright

        _shared["playwright"] = playwright = sync_playwright().start()
        _shared["browser"] = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
    yield _shared["browser"]
    if "browser" in _shared:
        _shared.pop("browser").close()
        _shared.pop("playwright").stop()


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
