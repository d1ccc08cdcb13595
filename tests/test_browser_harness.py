"""The browser harness itself: without a browser its tests are skipped and the run says why, and under
``CI=true`` a missing browser fails the run; with one, they run. Each case is a pytest run of its own over a
test that asks for the browser, with ``PATH`` chosen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from browser import SKIPPED, assert_page_is_sound

TESTS = Path(__file__).resolve().parent
ASKS_FOR_THE_BROWSER = '''
def test_the_browser_starts(browser):
    assert browser.version
'''
NO_CHROMIUM = "chromium not found on PATH (apt-get install chromium; .ci/run installs it)"


def run_pytest(where: Path, *options: str, path: str, ci: str | None) -> subprocess.CompletedProcess:
    """pytest over a file whose one test asks for the browser, with ``PATH`` and ``CI`` as given, the harness as
    its plugin."""
    (where / "test_asks.py").write_text(ASKS_FOR_THE_BROWSER)
    environ = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST") and name != "CI"}
    environ.update(PATH=path, PYTHONPATH=str(TESTS))
    if ci is not None:
        environ["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "browser", "-p", "no:cacheprovider", "-rs", *options, str(where)],
        cwd=where, env=environ, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize("options", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_without_chromium_the_tests_are_skipped_and_the_summary_says_why(tmp_path, options):
    ran = run_pytest(tmp_path, *options, path=str(tmp_path), ci=None)
    assert ran.returncode == 0, ran.stdout
    assert "1 skipped" in ran.stdout
    assert f"{SKIPPED}: {NO_CHROMIUM} (1 tests)" in ran.stdout.splitlines()


def test_under_ci_a_missing_chromium_fails_the_run(tmp_path):
    ran = run_pytest(tmp_path, path=str(tmp_path), ci="true")
    assert ran.returncode == 1, ran.stdout
    assert "1 error" in ran.stdout
    assert f"browser tests failed: {NO_CHROMIUM}; CI=true requires them (1 tests)" in ran.stdout.splitlines()
    assert SKIPPED not in ran.stdout


def test_a_ci_value_other_than_true_skips(tmp_path):
    ran = run_pytest(tmp_path, path=str(tmp_path), ci="false")
    assert ran.returncode == 0, ran.stdout
    assert "1 skipped" in ran.stdout


def test_with_chromium_the_tests_run_even_under_ci(tmp_path, browser):
    ran = run_pytest(tmp_path, path=os.environ["PATH"], ci="true")
    assert ran.returncode == 0, ran.stdout
    assert "1 passed" in ran.stdout
    assert SKIPPED not in ran.stdout


#: A fault put into a sound page, and the words the checks must report it with.
FAULTS = [
    ("console.error('broken')", "console: broken"),
    ("document.body.insertAdjacentHTML('beforeend', '<img src=\"https://elsewhere.example/x.png\" alt=\"x\">')",
     "CSP violation: img-src https://elsewhere.example/x.png"),
    ("document.querySelector('main').append(Object.assign(document.createElement('a'), {href: '/'}))", "a link without text"),
    ("document.querySelector('main').append(document.createElement('input'))", "a form control without a label"),
    ("document.querySelector('main').append(Object.assign(document.createElement('a'), {href: '/', textContent: 'x', tabIndex: -1}))",
     "a link out of keyboard reach"),
    ("document.querySelector('h1').remove()", "no h1 with text"),
    ("document.documentElement.removeAttribute('lang')", "<html> has no lang"),
    ("const wide = document.createElement('div'); wide.textContent = 'x'; wide.style.width = '400px';"
     " document.querySelector('main').append(wide)", "the page scrolls sideways at 375 px"),
    ("document.querySelector('.skip-link').remove()", "the first Tab focuses ['A', '/'], not the skip link to #main"),
]


@pytest.mark.parametrize(("fault", "reported"), FAULTS, ids=[words for _, words in FAULTS])
def test_the_checks_report_each_fault(server, visit, fault, reported):
    seen = visit(server.url + "/")
    assert_page_is_sound(seen)
    seen.page.evaluate(fault)
    if reported.startswith("CSP violation"):
        # The browser reports a violation by an event of its own, after the script that caused it has returned.
        seen.page.wait_for_function("(window.__cspViolations || []).length > 0")
    with pytest.raises(AssertionError) as failure:
        assert_page_is_sound(seen)
    assert reported in str(failure.value)


def test_a_control_that_is_not_rendered_needs_no_label(server, visit):
    """Like the accessibility tree, the checks pass over what is not shown (a widget's hidden parts)."""
    seen = visit(server.url + "/")
    seen.page.evaluate("const hidden = document.createElement('input'); hidden.style.display = 'none';"
                       " document.querySelector('main').append(hidden)")
    assert_page_is_sound(seen)
