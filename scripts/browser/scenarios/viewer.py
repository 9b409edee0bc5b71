"""The viewer: a study opens with its first image drawn and equal (within one grey level) to
dcmweb's own /rendered image at the same window; scrolling changes the image and the overlay's
n/N; right-drag window/level changes the pixels; the 2x2 layout shows four series; JPEG Lossless
and JPEG-LS series show the same pixels as their uncompressed source.

Parameters: study, raw (an uncompressed MR series), jpeg and jpegls (its lossless copies), and
optionally screenshots=DIR (writes viewer-1x1.png and viewer-2x2.png there)."""
from page_scripts import CANVAS_IMAGE, DRAWN, SERVER_RENDERED, max_difference
from playwright.sync_api import TimeoutError as PlaywrightTimeout


def wait_drawn(page, position, image_number=None):
    """Waits until viewport `position` has painted image `image_number` (any image when None)."""
    page.wait_for_function(DRAWN, arg=[position, image_number])


def wait_loaded(page, position):
    page.wait_for_function(
        "(p) => { const v = window.tandemViewer.viewports[p]; return v && v.series && v.series.finished && v.series.complete; }", arg=position)


def corner(page, position, which):
    return page.inner_text(f"#viewer .viewport:nth-of-type({position + 1}) .corner.{which}")


def run(session):
    p = session.parameters
    page = session.new_page()
    session.sign_in(page, "rad", f"/viewer/{p['study']}")
    wait_drawn(page, 0, 1)
    first = page.evaluate("() => performance.getEntriesByName('tandem:first-image')[0]?.startTime")
    print(f"info first image drawn {first:.0f} ms after navigation start", flush=True)

    page.keyboard.press("a")  # actual size: one image pixel per canvas pixel
    page.wait_for_timeout(100)
    wait_drawn(page, 0, 1)
    drawn = page.evaluate(CANVAS_IMAGE, 0)
    session.check(len(set(drawn["grey"])) > 1, "the first image is drawn (the canvas is not blank)")
    difference = max_difference(drawn, page.evaluate(SERVER_RENDERED, 0))
    session.check(difference is not None and difference <= 1,
                  f"the canvas equals the server's /rendered image at the same window within 1 grey level ({difference})")

    total = page.evaluate("() => window.tandemViewer.viewports[0].series.images.length")
    session.check(f"Im 1/{total}" in corner(page, 0, "bl"), "the overlay says image 1/N")
    page.keyboard.press("ArrowDown")
    wait_drawn(page, 0, 2)
    session.check(f"Im 2/{total}" in corner(page, 0, "bl"), "after scrolling the overlay says image 2/N")
    second = page.evaluate(CANVAS_IMAGE, 0)
    session.check(second["grey"] != drawn["grey"], "scrolling changes the image")

    before = page.evaluate("() => ({...window.tandemViewer.viewports[0].window})")
    box = page.locator("#viewer .viewport").first.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down(button="right")
    page.mouse.move(x + 120, y + 60, steps=6)
    page.mouse.up(button="right")
    page.wait_for_timeout(100)
    wait_drawn(page, 0, 2)
    after = page.evaluate("() => ({...window.tandemViewer.viewports[0].window})")
    session.check(after != before, f"right-drag changes the window ({before} → {after})")
    windowed = page.evaluate(CANVAS_IMAGE, 0)
    session.check(windowed["grey"] != second["grey"], "window/level changes the pixel values")
    session.check(max_difference(windowed, page.evaluate(SERVER_RENDERED, 0)) <= 1,
                  "at the new window the canvas still equals the server's /rendered image")
    if "screenshots" in p:
        page.keyboard.press("f")
        page.wait_for_timeout(300)
        page.screenshot(path=f"{p['screenshots']}/viewer-1x1.png")

    page.click("button:text('2×2')")
    for position in range(4):
        wait_drawn(page, position)
    shown = page.evaluate("() => window.tandemViewer.visible.map(v => v.series.geometry.seriesInstanceUID)")
    session.check(len(set(shown)) == 4, f"the 2×2 layout shows four different series ({len(set(shown))})")
    # All four series share one Frame of Reference: End in the first moves the others to the slice
    # nearest its position along their normal, here their last.
    page.keyboard.press("End")
    try:
        page.wait_for_function("() => window.tandemViewer.visible.every(v => v.index === v.series.images.length - 1)",
                               timeout=10_000)
        linked = True
    except PlaywrightTimeout:
        linked = False
    session.check(linked, "linked scrolling: End in one viewport brings the others to the same slice position")
    page.keyboard.press("Home")
    if "screenshots" in p:
        page.wait_for_timeout(300)
        page.screenshot(path=f"{p['screenshots']}/viewer-2x2.png")

    # Compressed series against their source: viewport 0 shows the raw series, 1 a compressed copy.
    for name in ("jpeg", "jpegls"):
        page.evaluate("([raw, copy]) => { const v = window.tandemViewer;"
                      " v.showSeries(v.viewports[0], raw); v.showSeries(v.viewports[1], copy); }", [p["raw"], p[name]])
        page.wait_for_function("([raw, copy]) => { const v = window.tandemViewer.viewports;"
                               " return v[0].series?.geometry.seriesInstanceUID === raw"
                               " && v[1].series?.geometry.seriesInstanceUID === copy; }", arg=[p["raw"], p[name]])
        wait_loaded(page, 0)
        wait_loaded(page, 1)
        same = page.evaluate("""() => {
            const [a, b] = window.tandemViewer.viewports;
            const window0 = {center: 600, width: 1400, fn: 'LINEAR'};
            a.setWindow(window0); b.setWindow(window0);
            if (a.series.images.length !== b.series.images.length) return 'different image counts';
            for (let i = 0; i < a.series.images.length; i++) {
                const x = a.series.frames[i], y = b.series.frames[i];
                if (!x || !y) return `image ${i + 1} missing`;
                for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return `image ${i + 1} differs at ${j}`;
            }
            return 'same';
        }""")
        session.check(same == "same", f"the {name} series decodes to the same pixels as its source ({same})")
        page.wait_for_timeout(100)
        wait_drawn(page, 0, 1)
        wait_drawn(page, 1, 1)
        difference = max_difference(page.evaluate(CANVAS_IMAGE, 1), page.evaluate(CANVAS_IMAGE, 0))
        session.check(difference == 0, f"the {name} series is drawn like its source ({difference})")
