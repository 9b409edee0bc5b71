// One viewport: a series' stack drawn on a canvas through a grey table (window/level, invert),
// with zoom, pan, fit, cine, a slider, measurements and corner text. Pixels are windowed into an
// image-sized canvas only when the image or the window changes; zoom and pan just redraw it.
import { greyTable, defaultWindow } from "./lut.js";
import { cornerTexts, renderCorners, drawMeasurements } from "./overlay.js";

function element(tag, className, parent) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (parent) parent.append(node);
  return node;
}

export class Viewport {
  constructor(parent, { onScroll, onActivate }) {
    this.root = element("div", "viewport", parent);
    this.root.tabIndex = -1;
    this.canvas = element("canvas", "image", this.root);
    this.marks = element("canvas", "marks", this.root);
    this.corners = Object.fromEntries(["tl", "tr", "bl", "br"].map((c) => [c, element("div", `corner ${c}`, this.root)]));
    this.slider = element("input", "slider", this.root);
    Object.assign(this.slider, { type: "range", min: "1", max: "1", value: "1", title: "Image" });
    this.slider.setAttribute("aria-label", "Image");
    this.slider.addEventListener("input", () => this.setIndex(Number(this.slider.value) - 1, true));
    this.progress = element("div", "progress", this.root);
    this.bar = element("div", "bar", this.progress);
    this.imageCanvas = document.createElement("canvas");
    this.onScroll = onScroll;
    this.root.addEventListener("pointerdown", () => onActivate(this));
    this.series = null;
    this.unsubscribe = null;
    this.measurements = new Map();
    this.index = 0;
    this.window = null;
    this.baseWindow = null;
    this.invert = false;
    this.fit = true;
    this.zoom = 1;
    this.pan = [0, 0];
    this.tableKey = "";
    this.frameKey = "";
    new ResizeObserver(() => this.resize()).observe(this.root);
  }

  show(series, index = 0) {
    this.stopCine();
    if (this.unsubscribe) this.unsubscribe();
    this.series = series;
    this.index = 0;
    this.measurements = new Map();
    this.window = null;
    this.fit = true;
    this.pan = [0, 0];
    this.slider.max = String(series.images.length);
    this.unsubscribe = series.subscribe((arrived) => {
      if (arrived === "geometry") this.slider.max = String(series.images.length);
      if (arrived === null || arrived === "geometry" || arrived === this.index) this.draw();
      this.showProgress();
    });
    this.setIndex(index);
    this.showProgress();
  }

  showProgress() {
    const { series } = this;
    // Until the whole series' geometry is in, the count is the first image's: no progress yet.
    const total = series && series.complete ? series.images.length : 0, loaded = series ? series.loaded : 0;
    this.bar.style.width = total ? `${(100 * loaded) / total}%` : "0";
    this.progress.hidden = !series || (series.finished && series.complete);
    this.root.dataset.loaded = String(loaded);
    this.root.dataset.total = String(total);
  }

  get image() {
    return this.series ? this.series.images[this.index] : null;
  }

  setIndex(index, fromUser = false) {
    if (!this.series) return;
    const clamped = Math.min(Math.max(Math.round(index), 0), this.series.images.length - 1);
    const changed = clamped !== this.index;
    this.index = clamped;
    this.slider.value = String(clamped + 1);
    this.draw();
    if (changed && fromUser) this.onScroll(this);
  }

  scrollBy(step) {
    this.setIndex(this.index + step, true);
  }

  setWindow(window) {
    this.window = { ...window, width: Math.max(window.width, 1) };
    this.draw();
  }

  // Right-drag: horizontal changes the width, vertical the level, in steps scaled to the window.
  adjustWindow(dx, dy) {
    if (!this.window) return;
    const step = Math.max(this.baseWindow ? this.baseWindow.width : this.window.width, 1) / 256;
    this.setWindow({ ...this.window, width: this.window.width + dx * step, center: this.window.center + dy * step });
  }

  resetView() {
    this.fit = true;
    this.pan = [0, 0];
    if (this.baseWindow) this.window = { ...this.baseWindow };
    this.invert = false;
    this.draw();
  }

  fitToWindow() {
    this.fit = true;
    this.pan = [0, 0];
    this.draw();
  }

  actualSize() {
    this.fit = false;
    this.zoom = 1 / (window.devicePixelRatio || 1);
    this.pan = [0, 0];
    this.draw();
  }

  zoomBy(factor) {
    this.fit = false;
    this.zoom = Math.min(Math.max(this.zoom * factor, 0.05), 40);
    this.draw();
  }

  panBy(dx, dy) {
    this.pan = [this.pan[0] + dx, this.pan[1] + dy];
    this.draw();
  }

  toggleInvert() {
    this.invert = !this.invert;
    this.draw();
  }

  toggleCine(fps = 15) {
    if (this.cine) return this.stopCine();
    let last = performance.now();
    const step = (now) => {
      if (!this.cine) return;
      if (now - last >= 1000 / fps) {
        last = now;
        this.setIndex((this.index + 1) % this.series.images.length, true);
      }
      this.cine = requestAnimationFrame(step);
    };
    if (this.series) this.cine = requestAnimationFrame(step);
  }

  stopCine() {
    if (this.cine) cancelAnimationFrame(this.cine);
    this.cine = null;
  }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    for (const canvas of [this.canvas, this.marks]) {
      canvas.width = Math.max(1, Math.round(this.root.clientWidth * ratio));
      canvas.height = Math.max(1, Math.round(this.root.clientHeight * ratio));
    }
    this.frameKey = "";
    this.draw();
  }

  // Coalesces redraws to one per display frame.
  draw() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = null;
      this.paint();
    });
  }

  // The image-to-canvas mapping: scale per image pixel (Pixel Spacing's aspect kept) and offset,
  // whole device pixels so that 1:1 shows the pixels unresampled.
  transform() {
    const image = this.image, ratio = window.devicePixelRatio || 1;
    const aspect = image.pixelSpacing ? image.pixelSpacing[0] / image.pixelSpacing[1] : 1;
    if (this.fit) {
      this.zoom = Math.min(this.canvas.width / ratio / image.columns, this.canvas.height / ratio / (image.rows * aspect));
    }
    const sx = this.zoom * ratio, sy = this.zoom * aspect * ratio;
    const x = Math.round((this.canvas.width - image.columns * sx) / 2 + this.pan[0] * ratio);
    const y = Math.round((this.canvas.height - image.rows * sy) / 2 + this.pan[1] * ratio);
    return { sx, sy, x, y, ratio };
  }

  // Display (CSS) coordinates in the viewport to image (column, row).
  toImage(clientX, clientY) {
    const box = this.canvas.getBoundingClientRect(), t = this.transform();
    return [((clientX - box.left) * t.ratio - t.x) / t.sx, ((clientY - box.top) * t.ratio - t.y) / t.sy];
  }

  paint() {
    const context = this.canvas.getContext("2d");
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = "#000";
    context.fillRect(0, 0, this.canvas.width, this.canvas.height);
    const marks = this.marks.getContext("2d");
    marks.clearRect(0, 0, this.marks.width, this.marks.height);
    const samples = this.series && this.series.frames[this.index];
    if (samples) {
      this.windowFrame(samples);
      const t = this.transform();
      context.imageSmoothingEnabled = t.sx !== 1 || t.sy !== 1;
      context.drawImage(this.imageCanvas, t.x, t.y, this.image.columns * t.sx, this.image.rows * t.sy);
      const lines = this.measurements.get(this.index) || [];
      const drawing = this.drawing ? [...lines, this.drawing] : lines;
      drawMeasurements(marks, this.image, drawing, ([c, r]) => [t.x + c * t.sx, t.y + r * t.sy], t.ratio);
      this.root.dataset.drawn = String(this.index + 1);
      if (this.onPainted) this.onPainted(this);
    }
    renderCorners(this.corners, cornerTexts(this));
  }

  // Writes the current frame through the grey table into the image canvas, when either changed.
  windowFrame(samples) {
    const image = this.image;
    if (!this.window) {
      this.baseWindow = defaultWindow(image, samples);
      this.window = { ...this.baseWindow };
    }
    const w = this.window;
    const tableKey = [w.center, w.width, w.fn, this.invert, image.bitsStored, image.signed, image.rescaleSlope,
      image.rescaleIntercept, image.photometricInterpretation].join();
    if (tableKey !== this.tableKey) {
      this.grey = greyTable(image, w, this.invert);
      this.tableKey = tableKey;
      this.frameKey = "";
    }
    const frameKey = `${this.series.geometry.seriesInstanceUID}/${this.index}/${tableKey}`;
    if (frameKey === this.frameKey) return;
    this.frameKey = frameKey;
    if (this.imageCanvas.width !== image.columns || this.imageCanvas.height !== image.rows) {
      this.imageCanvas.width = image.columns;
      this.imageCanvas.height = image.rows;
      this.imageData = null;
    }
    const context = this.imageCanvas.getContext("2d");
    this.imageData = this.imageData || context.createImageData(image.columns, image.rows);
    const out = new Uint32Array(this.imageData.data.buffer);
    if (image.samplesPerPixel === 3) {
      for (let i = 0, j = 0; i < out.length; i++, j += 3) {
        out[i] = 0xff000000 | (samples[j + 2] << 16) | (samples[j + 1] << 8) | samples[j];
      }
    } else {
      const { table, first } = this.grey;
      for (let i = 0; i < out.length; i++) {
        const g = table[samples[i] - first];
        out[i] = 0xff000000 | (g << 16) | (g << 8) | g;
      }
    }
    context.putImageData(this.imageData, 0, 0);
  }

  // The image's own grey bytes at the current window, for tests and the benchmark.
  windowedPixels() {
    if (!this.imageData) return null;
    const data = this.imageData.data, grey = new Uint8Array(data.length / 4);
    for (let i = 0; i < grey.length; i++) grey[i] = data[i * 4];
    return grey;
  }

  release() {
    this.stopCine();
    if (this.unsubscribe) this.unsubscribe();
    this.series = null;
    this.imageData = null;
  }
}
