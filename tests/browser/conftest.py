"""Browser tests: Debian's headless Chromium, driven by Playwright, against the system stack.

The stack (redis-server, migrate, the X sandbox, gunicorn web, a dramatiq
tweeter) comes from the system tests' fixtures; Chromium from
``scripts/ensure-chromium.sh`` (never a browser download). Screenshots of each
page land in docs/screenshots/.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

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
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
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


@dataclass
class Tab:
    """A browser tab on the web service, with what its console said."""

    page: Page
    stack: Stack
    problems: list[str] = field(default_factory=list)

    def sign_in(self, username: str, *, screenshot: str | None = None) -> None:
        """Sign in with X the way a person does: through the sandbox's consent page."""
        self.page.goto("/")
        self.page.get_by_role("link", name="Sign in with X").click()
        self.page.get_by_label("User name").fill(username)
        if screenshot:
            self.screenshot(screenshot)
        self.page.get_by_role("button", name="Authorize app").click()
        self.page.wait_for_url(self.stack.web_url + "/")
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(f"@{username}")

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def _open(browser: Browser, stack: Stack, options: dict) -> Iterator[Tab]:
    context: BrowserContext = browser.new_context(base_url=stack.web_url, **options)
    page = context.new_page()
    tab = Tab(page=page, stack=stack)
    # A blocked inline script or style (CSP), a script error, a failed asset: all show here.
    page.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))
    page.on("pageerror", lambda e: tab.problems.append(str(e)))
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def tab(browser: Browser, stack: Stack) -> Iterator[Tab]:
    yield from _open(browser, stack, DESKTOP)


@pytest.fixture
def phone(browser: Browser, stack: Stack) -> Iterator[Tab]:
    yield from _open(browser, stack, PHONE)


@pytest.fixture
def username() -> str:
    return f"ada{uuid.uuid4().hex[:6]}"
