"""Browser journeys: Playwright drives the system Chromium against pytest-django's live server.

Browsers cannot be downloaded here (`playwright install` fails), so Playwright launches the Debian
`chromium` package (or the browser at $CHROMIUM). Without it the journeys are skipped loudly, or fail
when REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import os
from pathlib import Path

import polib
import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in the main thread from the first journey to the end of the
# session, while tests (these and any collected after them) set up rows with the ORM.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# As root Chromium needs --no-sandbox; without the network flags it keeps dialling out.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_REQUIRED = os.environ.get("REQUIRE_BROWSER") == "1"
MISSING_BROWSER = (
    f"BROWSER JOURNEYS NOT RUN: {CHROMIUM} is missing (apt-get install -y chromium); "
    "set REQUIRE_BROWSER=1 to make this an error"
)
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def pytest_report_header(config: pytest.Config) -> str | None:
    return None if CHROMIUM.exists() else MISSING_BROWSER


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists() or BROWSER_REQUIRED:
        return
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=MISSING_BROWSER))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not CHROMIUM.exists():
        pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install -y chromium)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # The journeys are in French: the browser asks for it as a French visitor's would.
    return {**browser_context_args, "locale": "fr-FR"}


@pytest.fixture(autouse=True)
def _fail_fast(page):
    page.set_default_timeout(10_000)


@pytest.fixture(scope="session")
def french_catalogue() -> dict[str, str]:
    return {
        entry.msgid: entry.msgstr
        for entry in polib.pofile(str(CATALOGUE))
        if entry.msgstr and not entry.fuzzy and not entry.obsolete
    }


@pytest.fixture
def french(french_catalogue):
    """Our own French wording, from the catalogue; a missing translation fails the journey by name."""

    def translate(msgid: str) -> str:
        if msgid not in french_catalogue:
            pytest.fail(f"French translation missing in {CATALOGUE.name}: {msgid!r}")
        return french_catalogue[msgid]

    return translate
