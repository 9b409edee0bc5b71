"""Runs one browser scenario against a running dcmweb in headless system Chromium (Playwright).

    python3 scripts/browser/harness.py SCENARIO BASE_URL [NAME=VALUE ...]

SCENARIO names scripts/browser/scenarios/SCENARIO.py, whose run(session) drives the pages.
NAME=VALUE pairs are the scenario's parameters (users' passwords as user.NAME=PASSWORD, anything
else as it is). Every check prints "ok ..." or "FAIL ..."; the exit status is 0 when all passed,
1 when a check failed, 2 when the scenario broke (its traceback on stderr).

Chromium is the Debian package (/usr/bin/chromium, or $TANDEM_CHROMIUM): Playwright is used from
PyPI with executable_path set, never with downloaded browsers.
"""
import importlib.util
import os
import sys
import traceback
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("TANDEM_CHROMIUM", "/usr/bin/chromium")
# Generous: the machines that run the tests are often loaded.
TIMEOUT_MS = 20_000


class Session:
    """What a scenario gets: the browser, the server's address, its parameters and the checks."""

    def __init__(self, browser, base_url, parameters):
        self.browser = browser
        self.base_url = base_url.rstrip("/")
        self.parameters = parameters
        self.failures = 0

    def password(self, user):
        return self.parameters[f"user.{user}"]

    def check(self, condition, what):
        print(("ok   " if condition else "FAIL ") + what, flush=True)
        if not condition:
            self.failures += 1
        return condition

    def new_page(self):
        """A page in a fresh browser context: its own cookies, like another person's browser."""
        context = self.browser.new_context(viewport={"width": 1600, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        return context.new_page()

    def sign_in(self, page, user, path="/"):
        """Opens `path`, signs in on the form it is sent to, and waits to be back on `path`."""
        page.goto(self.base_url + path)
        page.wait_for_selector("form[action='/login']")
        page.fill("input[name=name]", user)
        page.fill("input[name=password]", self.password(user))
        page.click("form[action='/login'] button")
        page.wait_for_url(self.base_url + path)


def load_scenario(name):
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"bad scenario name {name!r}")
    path = Path(__file__).parent / "scenarios" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 64
    scenario = load_scenario(argv[1])
    parameters = dict(pair.split("=", 1) for pair in argv[3:])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            session = Session(browser, argv[2], parameters)
            scenario.run(session)
        except Exception:
            traceback.print_exc()
            return 2
        finally:
            browser.close()
    return 1 if session.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
