"""Sign-in: an unauthenticated browser is sent to the dark sign-in page and back to the page it
asked for; the pages load their shared files; sign-out ends the session."""


def background_luminance(page):
    return page.evaluate("""() => {
        const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    }""")


def run(session):
    page = session.new_page()
    base = session.base_url
    page.goto(base + "/")
    session.check(page.url == base + "/login", f"/ without a session shows the sign-in page ({page.url})")
    session.check(page.locator("form[action='/login'] input[name=password]").count() == 1, "the sign-in form is there")
    session.check(background_luminance(page) < 40, "the sign-in page is dark")

    viewer = "/viewer/1.2.826.0.1.3680043.2.1125.1"
    page.goto(base + viewer)
    session.check(page.url.startswith(base + "/login?next="), f"a viewer link without a session asks to sign in ({page.url})")
    page.fill("input[name=name]", "rad")
    page.fill("input[name=password]", "not-the-password")
    page.click("form[action='/login'] button")
    session.check(page.locator("[role=alert]").count() == 1, "a wrong password is said so on the form")
    page.fill("input[name=name]", "rad")
    page.fill("input[name=password]", session.password("rad"))
    # The viewer page is another page's business: that the browser asks for it again is the point.
    with page.expect_request(base + viewer) as back:
        page.click("form[action='/login'] button")
    session.check(back.value.method == "GET", "after sign-in the browser goes back to the page it asked for")
    page.wait_for_url(lambda url: not url.startswith(base + "/login"))

    page.goto(base + "/")
    page.wait_for_selector("[data-session-user]:not(:empty)")
    session.check("rad" in page.inner_text("[data-session-user]"), "the top bar names the signed-in user")
    session.check(background_luminance(page) < 40, "the worklist page is dark")

    page.click("[data-sign-out]")
    page.wait_for_url(base + "/login")
    page.goto(base + "/")
    session.check(page.url == base + "/login", "after sign-out / asks to sign in again")
    status = page.evaluate("() => fetch('/api/session', {headers: {'X-Requested-With': 'tandem'}}).then(r => r.status)")
    session.check(status == 401, f"after sign-out the API answers 401 ({status})")
