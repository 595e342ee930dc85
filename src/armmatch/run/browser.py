"""Opening armmatch's HTML in headless Chromium (Debian's package), for tests and screenshots.

Playwright drives the system Chromium at ``/usr/bin/chromium``; it never downloads a browser.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The system Chromium, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageCheck:
    """What a page showed: the visible text of a selector, and every console/page error."""

    text: str
    errors: list[str] = field(default_factory=list)


@contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium browser (Playwright ``Browser``)."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("chromium is not installed (make chromium installs Debian's package)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def check_page(b: Any, html: Path, selector: str, *, screenshot: Path | None = None) -> PageCheck:
    """Open ``html`` offline, return the visible text of ``selector`` and any errors."""
    page = b.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(("file:", "data:"))
            else errors.append(f"network request: {r.url}")
        ),
    )
    page.goto(html.resolve().as_uri())
    locator = page.locator(selector)
    text = locator.inner_text() if locator.is_visible() else ""
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=False)
    page.close()
    return PageCheck(text, errors)
