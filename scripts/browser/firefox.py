"""The reading room in headless Firefox: Debian's firefox-esr driven over Marionette, Mozilla's own
remote protocol, with Mozilla's client from PyPI (marionette_driver). Playwright drives only its own
patched Firefox build, so the Chromium scenarios (harness.py) cannot run here.

    python3 scripts/browser/firefox.py BASE_URL STUDY user.rad=PASSWORD

Signs in; the worklist lists STUDY; opening it draws its first image equal (within one grey level)
to dcmweb's /rendered at the same window; scrolling changes the image and the overlay's n/N;
signing out ends the session and an unauthenticated load is sent to sign-in. Every check prints
"ok ..." or "FAIL ..."; the exit status is 0 when all passed, 1 when a check failed, 2 when the
run broke (its traceback on stderr). Firefox runs in a fresh profile that is removed at the end;
it is stopped by its PID, also when this script is ended by SIGTERM.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from marionette_driver import By, Wait, errors
from marionette_driver.keys import Keys
from marionette_driver.marionette import Marionette
from page_scripts import CANVAS_IMAGE, DRAWN, SERVER_RENDERED, max_difference

FIREFOX = os.environ.get("TANDEM_FIREFOX", "/usr/bin/firefox-esr")
# Generous: the machines that run the tests are often loaded.
TIMEOUT_S = 20
# A quiet profile: no first-run pages, no network calls of its own (the machines have no internet).
PREFERENCES = {
    "marionette.port": 0,  # any free port, written to MarionetteActivePort in the profile
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.enabled": False,
    "app.update.disabledForTesting": True,
    "services.settings.server": "http://127.0.0.1:9/",
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "browser.safebrowsing.update.enabled": False,
    "extensions.update.enabled": False,
    "app.normandy.enabled": False,
}


def start_firefox(profile):
    """Starts headless Firefox on `profile` and returns the process and its Marionette port."""
    with open(profile / "user.js", "w") as prefs:
        for name, value in PREFERENCES.items():
            literal = ("true" if value else "false") if isinstance(value, bool) else repr(value).replace("'", '"')
            prefs.write(f'user_pref("{name}", {literal});\n')
    process = subprocess.Popen([FIREFOX, "-marionette", "-headless", "-no-remote", "-profile", str(profile)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = profile / "MarionetteActivePort"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if port_file.exists() and port_file.read_text().strip().isdigit():
            return process, int(port_file.read_text())
        time.sleep(0.1)
    stop_firefox(process)
    raise RuntimeError(f"Firefox did not open its Marionette port (exit status {process.poll()})")


def stop_firefox(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class Session:
    """The browser, the server's address and the checks."""

    def __init__(self, client, base_url, parameters):
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.parameters = parameters
        self.failures = 0

    def check(self, condition, what):
        print(("ok   " if condition else "FAIL ") + what, flush=True)
        if not condition:
            self.failures += 1
        return condition

    def wait(self, condition, message):
        return Wait(self.client, timeout=TIMEOUT_S, interval=0.1,
                    ignored_exceptions=(errors.NoSuchElementException,)).until(condition, message=message)

    # The page's own globals (window.tandemViewer) are visible only outside Marionette's default
    # sandbox, whose Xray view of the page hides them: page functions run with sandbox=None.
    def wait_for(self, script, argument, message):
        """Waits until the page function `script` (as in page_scripts) is true for `argument`."""
        return self.wait(lambda _: self.call(script, argument), message)

    def call(self, script, argument):
        """The value of the page function `script` for `argument`."""
        return self.client.execute_script(f"return ({script})(arguments[0]);", script_args=[argument], sandbox=None)

    def call_async(self, script, argument):
        """The value of the async page function `script` for `argument` (its error as a string)."""
        return self.client.execute_async_script(
            f"const done = arguments[arguments.length - 1]; ({script})(arguments[0]).then(done, e => done(String(e)));",
            script_args=[argument], script_timeout=TIMEOUT_S * 1000, sandbox=None)

    def element(self, selector):
        return self.wait(lambda m: m.find_element(By.CSS_SELECTOR, selector), f"no element {selector}")

    def press(self, key):
        """A key press sent to the document (the viewer's shortcuts listen there)."""
        self.client.find_element(By.CSS_SELECTOR, "body").send_keys(key)


def run(session):
    client, base, p = session.client, session.base_url, session.parameters
    study = p["study"]

    client.navigate(base + "/")
    session.check(client.get_url() == base + "/login", f"/ without a session shows the sign-in page ({client.get_url()})")
    session.element("input[name=name]").send_keys("rad")
    session.element("input[name=password]").send_keys(p["user.rad"])
    session.element("form[action='/login'] button").click()
    session.wait(lambda m: m.get_url() == base + "/", "sign-in did not lead back to the worklist")
    row = session.element(f"tbody tr[data-study='{study}']")
    session.check("WEB-1" in row.text, f"the worklist lists the archive's study ({row.text!r})")

    row.find_element(By.CSS_SELECTOR, "a[data-action=open]").click()
    session.wait(lambda m: m.get_url() == f"{base}/viewer/{study}", "the Open link did not lead to the viewer")
    session.wait_for(DRAWN, [0, 1], "the first image was not drawn")
    session.press("a")  # actual size: one image pixel per canvas pixel
    time.sleep(0.1)
    session.wait_for(DRAWN, [0, 1], "the first image was not drawn at actual size")
    first = session.call(CANVAS_IMAGE, 0)
    session.check(len(set(first["grey"])) > 1, "the first image is drawn (the canvas is not blank)")
    difference = max_difference(first, session.call_async(SERVER_RENDERED, 0))
    session.check(difference is not None and difference <= 1,
                  f"the canvas equals the server's /rendered image at the same window within 1 grey level ({difference})")

    total = session.call("() => window.tandemViewer.viewports[0].series.images.length", None)
    overlay = "#viewer .viewport:nth-of-type(1) .corner.bl"
    session.check(f"Im 1/{total}" in session.element(overlay).text, "the overlay says image 1/N")
    session.press(Keys.DOWN)
    session.wait_for(DRAWN, [0, 2], "scrolling did not draw the second image")
    session.check(f"Im 2/{total}" in session.element(overlay).text, "after scrolling the overlay says image 2/N")
    session.check(session.call(CANVAS_IMAGE, 0)["grey"] != first["grey"], "scrolling changes the image")

    client.navigate(base + "/")
    # The top bar names the user once its sign-out button works: clicking before does nothing.
    session.wait(lambda m: m.find_element(By.CSS_SELECTOR, "[data-session-user]").text.strip(),
                 "the top bar did not name the signed-in user")
    session.element("[data-sign-out]").click()
    session.wait(lambda m: m.get_url() == base + "/login", "signing out did not show the sign-in page")
    client.navigate(f"{base}/viewer/{study}")
    session.check(client.get_url().startswith(base + "/login"), f"after sign-out the viewer asks to sign in ({client.get_url()})")
    session.check(len(client.find_elements(By.CSS_SELECTOR, "form[action='/login'] input[name=password]")) == 1,
                  "an unauthenticated load shows the sign-in form")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 64
    parameters = dict(pair.split("=", 1) for pair in argv[3:])
    parameters["study"] = argv[2]
    # `timeout` ends this script with SIGTERM: leave through the finally blocks that stop Firefox.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))
    profile = Path(tempfile.mkdtemp(prefix="tandem-firefox-"))
    process = None
    try:
        process, port = start_firefox(profile)
        client = Marionette(host="127.0.0.1", port=port)
        client.start_session()
        client.set_window_rect(width=1600, height=900)
        session = Session(client, argv[1], parameters)
        run(session)
        client.delete_session()
        return 1 if session.failures else 0
    except Exception:
        traceback.print_exc()
        return 2
    finally:
        if process is not None:
            stop_firefox(process)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
