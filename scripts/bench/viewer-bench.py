"""Drives headless Chromium through a viewer and prints one JSON line per measurement.

    python3 viewer-bench.py tandem BASE_URL USER PASSWORD STUDY SERIES ROUNDS
    python3 viewer-bench.py orthanc BASE_URL ORTHANC_SERIES_ID IMAGES ROUNDS

tandem: time to first image and to the whole series loaded, from the page's performance marks
(tandem:first-image, tandem:series-loaded, relative to navigation start), and the scroll rate
once loaded (one image further per animation frame for 3 s, images painted per second).
orthanc: Orthanc Web Viewer; first image is when its canvas first shows a non-black pixel
(polled every animation frame), fully loaded when every image of the series has been fetched
after scrolling through it with the keyboard (that viewer loads on demand), or null."""
import json
import sys
import time

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage"]

SCROLL_RATE = """() => new Promise((resolve) => {
    const viewport = window.tandemViewer.viewports[0];
    const total = viewport.series.images.length;
    let painted = 0;
    viewport.onPainted = () => { painted++; };
    const start = performance.now();
    const step = () => {
        if (performance.now() - start >= 3000) return resolve(painted * 1000 / (performance.now() - start));
        viewport.setIndex((viewport.index + 1) % total);
        requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
})"""

FIRST_CANVAS_PIXEL = """() => {
    const poll = () => {
        for (const canvas of document.querySelectorAll('canvas')) {
            if (!canvas.width || !canvas.height) continue;
            const context = canvas.getContext('2d');
            if (!context) continue;
            const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 0; i < data.length; i += 4) {
                if (data[i] || data[i + 1] || data[i + 2]) { window.__firstImage = performance.now(); return; }
            }
        }
        requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
}"""


def tandem(browser, base, user, password, study, series, rounds):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=name]", user)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button")
    page.wait_for_url(lambda url: "/login" not in url)
    for _ in range(rounds):
        page.goto(f"{base}/viewer/{study}")
        page.wait_for_function("() => performance.getEntriesByName('tandem:series-loaded').length > 0", timeout=300_000)
        first = page.evaluate("() => performance.getEntriesByName('tandem:first-image')[0].startTime")
        loaded = page.evaluate("() => performance.getEntriesByName('tandem:series-loaded')[0].startTime")
        fps = page.evaluate(SCROLL_RATE)
        print(json.dumps({"viewer": "tandem", "series": series, "first_ms": first, "loaded_ms": loaded, "scroll_fps": fps}),
              flush=True)
    context.close()


def orthanc(browser, base, series_id, images, rounds):
    for _ in range(rounds):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        fetched = set()
        page.on("response", lambda r: fetched.add(r.url) if "/web-viewer/instances/" in r.url else None)
        start = time.monotonic()
        page.goto(f"{base}/web-viewer/app/viewer.html?series={series_id}")
        page.evaluate(FIRST_CANVAS_PIXEL)
        page.wait_for_function("() => window.__firstImage !== undefined", timeout=120_000)
        first = page.evaluate("() => window.__firstImage")
        page.mouse.move(640, 450)
        deadline = time.monotonic() + 300
        while len(fetched) < images and time.monotonic() < deadline:
            page.mouse.wheel(0, 120)
            page.wait_for_timeout(5)
        loaded = (time.monotonic() - start) * 1000 if len(fetched) >= images else None
        print(json.dumps({"viewer": "orthanc", "series": series_id, "first_ms": first, "loaded_ms": loaded,
                          "scroll_fps": None}), flush=True)
        context.close()


def main(argv):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            if argv[1] == "tandem":
                tandem(browser, argv[2], argv[3], argv[4], argv[5], argv[6], int(argv[7]))
            else:
                orthanc(browser, argv[2], argv[3], int(argv[4]), int(argv[5]))
        finally:
            browser.close()


if __name__ == "__main__":
    main(sys.argv)
