"""Browser tests: Debian's headless Chromium, driven by Playwright, against the system stack.

The stack (redis-server, migrate, the X sandbox, gunicorn web, dramatiq
workers) comes from the session fixtures in tests/conftest.py; Chromium from
``scripts/ensure-chromium.sh`` (never a browser download). Screenshots of each
page land in a scratch folder of the run, or where TWEETNOW_TEST_SCREENSHOTS says
(``make screenshots``: docs/screenshots/).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, expect, sync_playwright

from tests.support.browser_tab import Tab, screenshots_folder
from tests.support.stack import Stack

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

expect.set_options(timeout=15_000)


@pytest.fixture(autouse=True)
def _sandbox_without_faults(no_faults: None) -> Iterator[None]:
    yield


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not at {CHROMIUM}: run scripts/ensure-chromium.sh (make test does)"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshots_folder(tmp_path_factory.mktemp("screenshots"))


def _open(browser: Browser, stack: Stack, screenshots: Path, options: dict) -> Iterator[Tab]:
    context: BrowserContext = browser.new_context(base_url=stack.web_url, **options)
    page = context.new_page()
    tab = Tab(page=page, stack=stack, screenshots=screenshots)
    # A blocked inline script or style (CSP), a script error, a failed asset: all show here.
    page.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))
    page.on("pageerror", lambda e: tab.problems.append(str(e)))
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def tab(browser: Browser, stack: Stack, screenshots: Path) -> Iterator[Tab]:
    yield from _open(browser, stack, screenshots, DESKTOP)


@pytest.fixture
def phone(browser: Browser, stack: Stack, screenshots: Path) -> Iterator[Tab]:
    yield from _open(browser, stack, screenshots, PHONE)


@pytest.fixture
def username() -> str:
    return f"ada{uuid.uuid4().hex[:6]}"
