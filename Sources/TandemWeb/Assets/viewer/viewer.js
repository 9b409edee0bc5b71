// The viewer page: series strip, 1×1 / 1×2 / 2×2 viewports with a series each, tools, presets,
// linked scrolling across viewports of one Frame of Reference, reading status (in progress while
// open, "Mark read"), next/previous study in the worklist's order, and the performance mark
// tandem:first-image (the loader marks tandem:series-loaded) for the benchmark.
import { SeriesData } from "./series-loader.js";
import { Viewport } from "./viewport.js";
import { attachPointer } from "./interaction.js";
import { nearestSlice } from "./geometry.js";
import { presets } from "./lut.js";
import { shortcutTable, bindKeys, helpDialog } from "./shortcuts.js";
import { studySeries, buildStrip } from "./series-strip.js";
import { neighbours, viewerURL } from "../common/worklist-order.js";
import { startReading, markRead } from "../common/reading.js";

const LAYOUTS = [1, 2, 4];

class Viewer {
  constructor(root) {
    this.root = root;
    // The page's path is /viewer/{StudyInstanceUID}; dcmweb checked the UID before serving it.
    this.study = decodeURIComponent(location.pathname.split("/")[2] || "");
    this.seriesList = [];
    this.cache = new Map();
    this.viewports = [];
    this.layout = 1;
    this.tool = "scroll";
    this.linked = true;
    this.firstImageMarked = false;
    this.toolbar = this.buildToolbar();
    this.strip = Object.assign(document.createElement("nav"), { className: "strip", ariaLabel: "Series" });
    this.grid = Object.assign(document.createElement("section"), { className: "grid l1" });
    this.table = shortcutTable(this);
    this.help = helpDialog(this.table);
    root.append(this.toolbar, this.strip, this.grid, this.help);
    bindKeys(this.table);
    addEventListener("pagehide", () => this.release());
  }

  button(label, title, run) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.title = title;
    button.addEventListener("click", run);
    return button;
  }

  buildToolbar() {
    const bar = Object.assign(document.createElement("header"), { className: "toolbar" });
    const back = Object.assign(document.createElement("a"), { href: "/", textContent: "Worklist", title: "Back to the worklist" });
    this.layoutButtons = LAYOUTS.map((n) => this.button(n === 1 ? "1×1" : n === 2 ? "1×2" : "2×2", `Layout (l)`, () => this.setLayout(n)));
    this.toolButtons = Object.fromEntries([["scroll", "Scroll", "s"], ["pan", "Pan", "p"], ["zoom", "Zoom", "z"], ["measure", "Length", "m"]]
      .map(([tool, label, key]) => [tool, this.button(label, `${label} tool (${key})`, () => this.setTool(tool))]));
    this.presetSelect = document.createElement("select");
    this.presetSelect.title = "Window presets (0–6)";
    this.presetSelect.addEventListener("change", () => this.applyPreset(Number(this.presetSelect.value)));
    this.linkButton = this.button("Link", "Link scrolling of viewports in one Frame of Reference (k)", () => this.toggleLink());
    this.readButton = this.button("Mark read", "Mark the study read and open the next one (R)", () => this.finishReading());
    this.readingState = Object.assign(document.createElement("span"), { className: "reading dim" });
    bar.append(back,
      this.button("◀ Study", "Previous study (P)", () => this.gotoStudy(-1)),
      this.button("Study ▶", "Next study (N)", () => this.gotoStudy(1)),
      ...this.layoutButtons, ...Object.values(this.toolButtons), this.presetSelect,
      this.button("Invert", "Invert (i)", () => this.active.toggleInvert()),
      this.button("Fit", "Fit (f)", () => this.active.fitToWindow()),
      this.button("1:1", "Actual size (a)", () => this.active.actualSize()),
      this.button("Reset", "Reset view and window (r)", () => this.active.resetView()),
      this.button("Cine", "Cine (c)", () => this.active.toggleCine()),
      this.linkButton, Object.assign(document.createElement("span"), { className: "spacer" }),
      this.readingState, this.readButton,
      this.button("?", "Keyboard shortcuts (?)", () => this.toggleHelp()));
    return bar;
  }

  async start() {
    performance.mark("tandem:viewer-start");
    this.startReading();
    this.seriesList = (await studySeries(this.study)).filter((s) => s.count > 0);
    if (!this.seriesList.length) {
      this.grid.append(Object.assign(document.createElement("p"), { className: "notice", textContent: "This study has no images." }));
      return;
    }
    this.stripControl = buildStrip(this.strip, this.study, this.seriesList, (uid) => this.showSeries(this.active, uid));
    this.setTool("scroll");
    this.setLinked(true);
    this.setLayout(1);
    // Thumbnails follow the first image, or come anyway when it cannot be drawn.
    setTimeout(() => this.stripControl.loadThumbnails(), 3000);
  }

  series(uid) {
    if (!this.cache.has(uid)) this.cache.set(uid, SeriesData.open(this.study, uid));
    return this.cache.get(uid);
  }

  async showSeries(viewport, uid) {
    viewport.seriesUID = uid;
    this.refreshStrip();
    const data = await this.series(uid);
    if (viewport.seriesUID !== uid) return;
    viewport.show(data);
    if (viewport === this.active) this.refreshPresets();
  }

  refreshStrip() {
    if (this.stripControl) this.stripControl.mark(this.viewports.map((v) => v.seriesUID));
  }

  setLayout(count) {
    this.layout = count;
    while (this.viewports.length < count) {
      const viewport = new Viewport(this.grid, {
        onScroll: (source) => this.linkFrom(source),
        onActivate: (target) => this.activate(target),
      });
      attachPointer(viewport, () => this.tool);
      viewport.onPainted = () => this.painted(viewport);
      this.viewports.push(viewport);
    }
    this.viewports.forEach((viewport, position) => {
      viewport.root.hidden = position >= count;
      if (position < count && !viewport.seriesUID) {
        const taken = new Set(this.viewports.map((v) => v.seriesUID));
        const next = this.seriesList.find((s) => !taken.has(s.uid)) || this.seriesList[position % this.seriesList.length];
        this.showSeries(viewport, next.uid);
      }
    });
    if (!this.active || this.viewports.indexOf(this.active) >= count) this.activate(this.viewports[0]);
    this.grid.className = `grid l${count}`;
    this.layoutButtons.forEach((b, i) => b.setAttribute("aria-pressed", String(LAYOUTS[i] === count)));
    this.refreshStrip();
  }

  cycleLayout() {
    this.setLayout(LAYOUTS[(LAYOUTS.indexOf(this.layout) + 1) % LAYOUTS.length]);
  }

  get visible() {
    return this.viewports.slice(0, this.layout);
  }

  activate(viewport) {
    this.active = viewport;
    for (const v of this.viewports) v.root.classList.toggle("active", v === viewport);
    this.refreshPresets();
  }

  nextViewport() {
    const visible = this.visible;
    this.activate(visible[(visible.indexOf(this.active) + 1) % visible.length]);
  }

  stepSeries(step) {
    const position = this.seriesList.findIndex((s) => s.uid === this.active.seriesUID);
    const next = this.seriesList[(position + step + this.seriesList.length) % this.seriesList.length];
    this.showSeries(this.active, next.uid);
  }

  setTool(tool) {
    this.tool = tool;
    for (const [name, button] of Object.entries(this.toolButtons)) button.setAttribute("aria-pressed", String(name === tool));
  }

  setLinked(linked) {
    this.linked = linked;
    this.linkButton.setAttribute("aria-pressed", String(linked));
  }

  toggleLink() {
    this.setLinked(!this.linked);
  }

  // Scrolls the other visible viewports of the same Frame of Reference to the slice nearest, along
  // their own normal, to the source's current slice position.
  linkFrom(source) {
    if (!this.linked || !source.series) return;
    const frame = source.series.geometry.frameOfReferenceUID, position = source.image.position;
    if (!frame || !position) return;
    for (const viewport of this.visible) {
      if (viewport === source || !viewport.series || viewport.series.geometry.frameOfReferenceUID !== frame) continue;
      const index = nearestSlice(viewport.series.images, position);
      if (index >= 0) viewport.setIndex(index);
    }
  }

  refreshPresets() {
    const viewport = this.active;
    const base = viewport && viewport.baseWindow;
    const list = base && viewport.series ? presets(viewport.series.geometry.modality, base) : [];
    this.presetBase = base;
    this.presetList = list;
    this.presetSelect.replaceChildren(new Option("Window: images (0)", "-1"),
      ...list.map((p, i) => new Option(`${p.name} (${i + 1})`, String(i))));
  }

  applyPreset(position) {
    const viewport = this.active;
    if (!viewport.baseWindow) return;
    const preset = position < 0 ? viewport.baseWindow : this.presetList[position];
    if (preset) viewport.setWindow(preset);
    this.presetSelect.value = String(position);
  }

  clearMeasurements() {
    this.active.measurements.delete(this.active.index);
    this.active.draw();
  }

  painted(viewport) {
    if (!this.firstImageMarked) {
      this.firstImageMarked = true;
      performance.mark("tandem:first-image");
      this.stripControl.loadThumbnails();
    }
    if (viewport === this.active && viewport.baseWindow !== this.presetBase) this.refreshPresets();
  }

  toggleHelp(open = !this.help.open) {
    if (open && !this.help.open) this.help.showModal();
    else if (!open && this.help.open) this.help.close();
  }

  // The study is in progress by this user while the page is open (reading.js keeps it so and
  // gives it back on leaving unless it was marked read).
  async startReading() {
    try {
      const status = await startReading(this.study, {
        onLost: (lost) => this.showReading(`Taken over by ${lost.user}`),
      });
      this.showReading(status ? (status.state === "read" ? `Read by ${status.user}` : "In progress by you") : "Not claimed");
    } catch (error) {
      this.showReading(`Reading status: ${error.message}`);
    }
  }

  showReading(text) {
    this.readingState.textContent = text;
  }

  async finishReading() {
    const status = await markRead(this.study);
    this.showReading(`Read by ${status.user}`);
    await this.gotoStudy(1);
  }

  // Next or previous study in the order the worklist showed (its filter and sort).
  async gotoStudy(step) {
    const around = await neighbours(this.study);
    const target = step > 0 ? around.next : around.previous;
    if (target) location.assign(viewerURL(target));
  }

  // Leaving the study: transfers stop and the frames become garbage.
  release() {
    for (const viewport of this.viewports) viewport.release();
    for (const pending of this.cache.values()) pending.then((data) => data.release(), () => {});
    this.cache.clear();
  }
}

const root = document.getElementById("viewer");
const viewer = new Viewer(root);
// Tests and the benchmark read the viewer's state through this handle.
window.tandemViewer = viewer;
viewer.start().catch((error) => {
  root.append(Object.assign(document.createElement("p"), { className: "notice", textContent: `Cannot open the study: ${error.message}` }));
});
