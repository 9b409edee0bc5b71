"""Scripts that run in the page, shared by the Chromium (Playwright) and Firefox (Marionette)
scenarios: each is a JavaScript function of one argument, and the pixel comparison done in Python."""

# The viewport's canvas region holding the image at 1:1, as grey bytes, and the image's own size.
CANVAS_IMAGE = """(position) => {
    const viewport = window.tandemViewer.viewports[position];
    const t = viewport.transform(), image = viewport.image;
    const pixels = viewport.canvas.getContext('2d').getImageData(t.x, t.y, image.columns, image.rows).data;
    const grey = [];
    for (let i = 0; i < pixels.length; i += 4) grey.push(pixels[i]);
    return {grey, columns: image.columns, rows: image.rows};
}"""

# dcmweb's /rendered PNG of the viewport's current image at its current window, decoded in the page.
SERVER_RENDERED = """async (position) => {
    const viewport = window.tandemViewer.viewports[position];
    const image = viewport.image, w = viewport.window;
    const fn = {LINEAR: 'linear', LINEAR_EXACT: 'linear-exact', SIGMOID: 'sigmoid'}[w.fn || 'LINEAR'];
    const url = `/dicomweb/studies/${window.tandemViewer.study}/series/${viewport.series.geometry.seriesInstanceUID}` +
        `/instances/${image.sopInstanceUID}/frames/${image.frame}/rendered?window=${w.center},${w.width},${fn}`;
    const response = await fetch(url, {headers: {Accept: 'image/png'}});
    const bitmap = await createImageBitmap(await response.blob());
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const grey = [];
    for (let i = 0; i < pixels.length; i += 4) grey.push(pixels[i]);
    return {grey, columns: bitmap.width, rows: bitmap.height};
}"""

# Whether viewport `position` has painted image `n` (any image when null) and has nothing pending.
DRAWN = """([p, n]) => { const v = window.tandemViewer && window.tandemViewer.viewports[p];
    return Boolean(v && v.series?.complete && v.root.dataset.drawn
        && (n === null || v.root.dataset.drawn === String(n)) && !v.pending); }"""


def max_difference(a, b):
    """The largest grey-level difference of two same-sized images, None when their sizes differ."""
    if (a["columns"], a["rows"]) != (b["columns"], b["rows"]):
        return None
    return max(abs(x - y) for x, y in zip(a["grey"], b["grey"]))
