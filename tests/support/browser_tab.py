"""A browser tab on the web service for the browser tests, and where its screenshots go.

Screenshots land in a scratch folder of the test run, so running the tests
leaves the checkout as it was. ``make screenshots`` sets
TWEETNOW_TEST_SCREENSHOTS to ``docs/screenshots`` to refresh the ones the
README shows, on purpose.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.stack import Stack

#: Names the folder that keeps the screenshots; unset, they go to a scratch folder.
SCREENSHOTS_VARIABLE = "TWEETNOW_TEST_SCREENSHOTS"


def screenshots_folder(scratch: Path) -> Path:
    """The folder TWEETNOW_TEST_SCREENSHOTS names, or else ``scratch``."""
    chosen = os.environ.get(SCREENSHOTS_VARIABLE, "").strip()
    return Path(chosen).resolve() if chosen else scratch


@dataclass
class Tab:
    """A browser tab on the web service, with what its console said."""

    page: Page
    stack: Stack
    screenshots: Path
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
        self.screenshots.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=self.screenshots / f"{name}.png", full_page=True)
