"""The browser tests' harness: Debian's chromium driven by Playwright, and the checks every page must pass.

Playwright downloads no browser here: it launches the ``chromium`` found on ``PATH`` (Debian's, installed by
``.ci/run``). Without it (or without the ``playwright`` package) each test that asks for :func:`browser` is skipped
with the reason, and the summary at the end of the run says so in one line; under ``CI=true`` they fail instead,
so that CI cannot pass without having run them.

Fixtures (imported by ``conftest.py``): ``browser`` (one chromium per test module, so each xdist worker of
``--dist loadfile`` has its own, each with a fresh profile), ``visit`` (opens a URL in a fresh context and watches
it) and ``screenshot`` (saves a PNG). Functions: :func:`assert_page_is_sound`, :func:`png_size`.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import struct
from pathlib import Path
from urllib.parse import urlsplit

import pytest

#: What chromium is started with: headless, and nothing that reaches the network on its own.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
)
#: The width of a phone: no page may scroll sideways at it.
NARROW = 375
WIDE = 1280
HEIGHT = 800
#: Where the ``screenshot`` fixture saves when asked to (the README's images): a directory named by this variable,
#: relative to the working directory (``CLAIMGRAPH_TEST_SCREENSHOTS=docs/screenshots``). Unset, a test's own
#: temporary directory, so that a test run leaves the work tree as it was.
SCREENSHOTS = "CLAIMGRAPH_TEST_SCREENSHOTS"
#: Opening the summary line of a run whose browser tests did not run.
SKIPPED = "browser tests skipped"

# Kept in the page: every Content-Security-Policy violation the document reports (the console says so too, but
# in words that vary with the browser's version).
_WATCH_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  (window.__cspViolations = window.__cspViolations || []).push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def chromium() -> str | None:
    """The path of the ``chromium`` on ``PATH``, or ``None``."""
    return shutil.which("chromium")


def unavailable() -> str | None:
    """Why the browser tests cannot run here, or ``None`` when they can."""
    try:
        import playwright.sync_api  # noqa: F401  (only whether it is installed)
    except ImportError:
        return "the playwright package is not installed (pip install --editable '.[test]')"
    if chromium() is None:
        return "chromium not found on PATH (apt-get install chromium; .ci/run installs it)"
    return None


def required() -> bool:
    """Whether a missing browser fails the run instead of skipping its tests: under ``CI=true``."""
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def _playwright():
    reason = unavailable()
    if reason is not None:
        if required():
            pytest.fail(f"{reason}; CI=true requires the browser tests", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(_playwright):
    """A headless chromium of this test module, with a fresh profile (Playwright's own temporary one)."""
    launched = _playwright.chromium.launch(executable_path=chromium(), headless=True, args=list(CHROMIUM_ARGS))
    try:
        yield launched
    finally:
        launched.close()


@dataclasses.dataclass
class Visit:
    """A page opened by the ``visit`` fixture, and what was seen while it was open.

    ``page`` is the Playwright page; ``response`` the answer to the first navigation; ``origin`` the server's
    ``scheme://host:port``; ``console_errors`` the console's errors and uncaught exceptions; ``foreign`` every
    request to another origin (each one refused before it left).
    """

    page: object
    response: object
    origin: str
    console_errors: list[str]
    foreign: list[str]

    def csp_violations(self) -> list[str]:
        """The Content-Security-Policy violations the current document reported (none when JavaScript is off)."""
        return self.page.evaluate("window.__cspViolations || []")


@pytest.fixture
def visit(browser):
    """``visit(url, *, width=1280, javascript=True) -> Visit``: open ``url`` in a context of its own (no cookies or
    cache shared with other tests) at ``width`` × 800 px, watching the console, the CSP and every request; a
    request to another origin than ``url``'s is refused and recorded. The contexts close with the test."""
    contexts = []

    def open_(url: str, *, width: int = WIDE, javascript: bool = True) -> Visit:
        context = browser.new_context(viewport={"width": width, "height": HEIGHT}, java_script_enabled=javascript)
        contexts.append(context)
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        seen = Visit(None, None, origin, [], [])

        def route(route_):
            target = urlsplit(route_.request.url)
            if f"{target.scheme}://{target.netloc}" == origin or target.scheme in ("data", "blob", "about"):
                route_.continue_()
            else:
                seen.foreign.append(route_.request.url)
                route_.abort("blockedbyclient")

        context.route("**/*", route)
        context.add_init_script(_WATCH_CSP)
        page = context.new_page()

        def console(message) -> None:
            if message.type == "error":
                seen.console_errors.append(_described(message))

        page.on("console", console)
        page.on("pageerror", lambda error: seen.console_errors.append(f"uncaught: {error}"))
        seen.page = page
        seen.response = page.goto(url, wait_until="load")
        return seen

    yield open_
    for context in contexts:
        context.close()


def _described(message) -> str:
    where = message.location or {}
    return f"{message.text} ({where.get('url', '?')}:{where.get('lineNumber', '?')})"


#: Every check of :func:`assert_page_is_sound`, run in the page: a list of problems, each one sentence.
_PROBLEMS = """
(width) => {
  const problems = [];
  const text = (el) => (el.innerText || el.textContent || "").trim();
  const named = (el) => {
    if ((el.getAttribute("aria-label") || "").trim() || (el.getAttribute("title") || "").trim()) return true;
    const by = el.getAttribute("aria-labelledby");
    if (by && by.split(/\\s+/).some((id) => document.getElementById(id) && text(document.getElementById(id)))) return true;
    return Array.from(el.labels || []).some((label) => text(label));
  };
  const describe = (el) => el.outerHTML.slice(0, 120);
  if (!document.documentElement.lang) problems.push("<html> has no lang");
  if (!document.querySelector("h1") || !text(document.querySelector("h1"))) problems.push("no h1 with text");
  if (!document.title.trim()) problems.push("no title");
  if (!document.querySelector("main#main")) problems.push("no <main id=main> for the skip link");
  for (const el of document.querySelectorAll("a[href]")) {
    const images = Array.from(el.querySelectorAll("img[alt]")).some((img) => img.alt.trim());
    if (!text(el) && !(el.getAttribute("aria-label") || "").trim() && !images) problems.push("a link without text: " + describe(el));
    // A tab of a tablist is reached by the arrow keys from the one tab that Tab reaches (a roving tabindex).
    const list = el.getAttribute("role") === "tab" && el.closest("[role=tablist]");
    const roving = list && Array.from(list.querySelectorAll("[role=tab]")).some((tab) => tab.tabIndex >= 0);
    if (el.tabIndex < 0 && !roving) problems.push("a link out of keyboard reach: " + describe(el));
  }
  // What is not rendered is in no one's way (nor in the accessibility tree): only rendered controls are checked.
  const rendered = (el) => el.checkVisibility({visibilityProperty: true});
  for (const el of Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea")).filter(rendered)) {
    if (!named(el)) problems.push("a form control without a label: " + describe(el));
    if (el.tabIndex < 0) problems.push("a form control out of keyboard reach: " + describe(el));
  }
  for (const el of Array.from(document.querySelectorAll("button, input[type=submit], input[type=button], input[type=reset]")).filter(rendered)) {
    if (!text(el) && !(el.value || "").trim() && !named(el)) problems.push("a button without a name: " + describe(el));
  }
  const scroller = document.scrollingElement;
  if (scroller.scrollWidth > window.innerWidth)
    problems.push(`the page scrolls sideways at ${width} px: ${scroller.scrollWidth} px wide`);
  return problems;
}
"""


def assert_page_is_sound(visit: Visit, *, status: int = 200) -> None:
    """Fail, listing every problem, unless the page ``visit`` shows answered ``status`` and passes the checks
    every page of claimgraph must pass: no console error or uncaught exception, no Content-Security-Policy
    violation, no request to another origin, ``<html lang>``, a ``<title>`` and an ``h1``, every link with text
    and every form control with a label (an accessible name), all within keyboard reach, the first Tab
    focusing the "skip to content" link to ``main#main``, and no sideways scrolling at 375 px (the viewport is
    set back to its width after).
    """
    page = visit.page
    assert visit.response.status == status, f"{page.url} answered {visit.response.status}"
    problems = [f"console: {error}" for error in visit.console_errors if not _is_own_status(error, status)]
    problems += [f"CSP violation: {violation}" for violation in visit.csp_violations()]
    problems += [f"request to another origin: {url}" for url in visit.foreign]
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": NARROW, "height": HEIGHT})
    try:
        problems += page.evaluate(_PROBLEMS, NARROW)
    finally:
        page.set_viewport_size({"width": width, "height": HEIGHT})
    # Tab from the top of the page, wherever an earlier Tab or click left the focus.
    page.evaluate("document.body.tabIndex = -1; document.body.focus(); document.body.removeAttribute('tabindex')")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.tagName, document.activeElement.getAttribute('href')]")
    if focused != ["A", "#main"]:
        problems.append(f"the first Tab focuses {focused}, not the skip link to #main")
    assert not problems, f"{page.url}:\n" + "\n".join(problems)


def _is_own_status(error: str, status: int) -> bool:
    """Whether a console error is only chromium reporting the error status the page was expected to answer."""
    return status >= 400 and error.startswith(f"Failed to load resource: the server responded with a status of {status} ")


@pytest.fixture
def screenshot(tmp_path: Path):
    """``screenshot(page, name, *, width=1280) -> Path``: save what ``page`` shows at ``width`` × 800 px as
    ``<name>.png`` in the directory ``$CLAIMGRAPH_TEST_SCREENSHOTS`` names (else the test's temporary directory)
    and return its path; the viewport is set back after."""
    chosen = os.environ.get(SCREENSHOTS)
    directory = Path(chosen) if chosen else tmp_path
    directory.mkdir(parents=True, exist_ok=True)

    def save(page, name: str, *, width: int = WIDE) -> Path:
        path = directory / f"{name}.png"
        before = page.viewport_size
        # The page checks leave the focus on the skip link, which would show over the picture.
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.set_viewport_size({"width": width, "height": HEIGHT})
        try:
            page.screenshot(path=str(path))
        finally:
            page.set_viewport_size(before)
        return path

    return save


def png_size(path: Path) -> tuple[int, int]:
    """The width and height of the PNG image at ``path``, read from its header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    """Say in one line at the end of the run (after the short summary, before the counts) when the browser tests
    were skipped (or, under ``CI=true``, failed) for want of a browser, and why."""
    yield
    reason = unavailable()
    if reason is None:
        return
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if reason in str(report.longrepr)]
    failed = [report for report in terminalreporter.stats.get("error", []) if reason in str(report.longrepr)]
    if skipped:
        terminalreporter.write_line(f"{SKIPPED}: {reason} ({len(skipped)} tests)", yellow=True, bold=True)
    if failed:
        terminalreporter.write_line(f"browser tests failed: {reason}; CI=true requires them ({len(failed)} tests)", red=True, bold=True)


def run_canned_query(page, text: str, name: str):
    """In the editor page ``page`` shows, open the canned query ``name`` (whose text is ``text``) from the gallery,
    run it, and return the rows of its result table once they are drawn."""
    page.wait_for_selector("#editor .yasgui .yasqe .CodeMirror")
    page.click(f"#gallery button.open-query[data-name='{name}']")
    page.wait_for_function("text => document.querySelector('.tabPanel.active .CodeMirror')?.CodeMirror.getValue() === text",
                           arg=text)
    page.click(".tabPanel.active .yasqe_queryButton")
    rows = page.locator(".tabPanel.active .yasr table.dataTable tbody tr")
    rows.first.wait_for()
    return rows
