"""Screenshot of the worklist signed in as anna (scripts/browser/worklist-screenshot.sh).
Parameters: path (the PNG to write)."""


def run(session):
    page = session.new_page()
    page.set_viewport_size({"width": 1500, "height": 520})
    session.sign_in(page, "anna")
    page.wait_for_selector("tbody tr")
    page.locator("tbody tr").first.focus()
    page.screenshot(path=session.parameters["path"])
    session.check(True, f"wrote {session.parameters['path']}")
