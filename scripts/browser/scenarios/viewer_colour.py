"""The viewer's colour images: each series (YBR_FULL, YBR_FULL_422 as stored uncompressed, PALETTE
COLOR, RGB with Planar Configuration 1) is drawn at 1:1 with the same RGB pixels as dcmweb's own
/rendered image, within one level per channel, and every image of it arrives.

Parameters: study, and series=UID,UID,… (one per colour form)."""

# The viewport's canvas region holding the image at 1:1, as RGB triples.
CANVAS_RGB = """(position) => {
    const viewport = window.tandemViewer.viewports[position];
    const t = viewport.transform(), image = viewport.image;
    const pixels = viewport.canvas.getContext('2d').getImageData(t.x, t.y, image.columns, image.rows).data;
    const rgb = [];
    for (let i = 0; i < pixels.length; i += 4) rgb.push(pixels[i], pixels[i + 1], pixels[i + 2]);
    return {rgb, columns: image.columns, rows: image.rows};
}"""

# dcmweb's /rendered PNG of the viewport's current image, decoded in the page.
SERVER_RGB = """async (position) => {
    const viewport = window.tandemViewer.viewports[position];
    const image = viewport.image;
    const url = `/dicomweb/studies/${window.tandemViewer.study}/series/${viewport.series.geometry.seriesInstanceUID}` +
        `/instances/${image.sopInstanceUID}/frames/${image.frame}/rendered`;
    const response = await fetch(url, {headers: {Accept: 'image/png'}});
    const bitmap = await createImageBitmap(await response.blob());
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const rgb = [];
    for (let i = 0; i < pixels.length; i += 4) rgb.push(pixels[i], pixels[i + 1], pixels[i + 2]);
    return {rgb, columns: bitmap.width, rows: bitmap.height};
}"""


def run(session):
    p = session.parameters
    page = session.new_page()
    session.sign_in(page, "rad", f"/viewer/{p['study']}")
    page.wait_for_function("() => window.tandemViewer && window.tandemViewer.viewports[0]?.root.dataset.drawn")
    for uid in p["series"].split(","):
        page.evaluate("(uid) => { const v = window.tandemViewer; v.showSeries(v.viewports[0], uid); }", uid)
        page.wait_for_function("(uid) => { const v = window.tandemViewer.viewports[0];"
                               " return v.series?.geometry.seriesInstanceUID === uid && v.series.finished && v.series.complete; }", arg=uid)
        name = page.evaluate("() => window.tandemViewer.viewports[0].series.geometry.seriesDescription")
        loaded = page.evaluate("() => { const s = window.tandemViewer.viewports[0].series;"
                               " return [s.loaded, s.images.length]; }")
        session.check(loaded[0] == loaded[1] and loaded[1] > 0, f"{name}: every image arrives ({loaded[0]}/{loaded[1]})")
        for image in range(1, loaded[1] + 1):
            page.evaluate("(i) => { const v = window.tandemViewer.viewports[0]; v.setIndex(i - 1); v.actualSize(); }",
                          image)
            page.wait_for_function("(n) => { const v = window.tandemViewer.viewports[0];"
                                   " return v.root.dataset.drawn === String(n) && !v.pending; }", arg=image)
            drawn, rendered = page.evaluate(CANVAS_RGB, 0), page.evaluate(SERVER_RGB, 0)
            same_size = (drawn["columns"], drawn["rows"]) == (rendered["columns"], rendered["rows"])
            difference = max(abs(a - b) for a, b in zip(drawn["rgb"], rendered["rgb"])) if same_size else None
            colourful = len({tuple(drawn["rgb"][i:i + 3]) for i in range(0, len(drawn["rgb"]), 3)}) > 100
            session.check(same_size and difference <= 1 and colourful,
                          f"{name} image {image}: the canvas equals /rendered within one level per channel "
                          f"({difference}), in colour")
