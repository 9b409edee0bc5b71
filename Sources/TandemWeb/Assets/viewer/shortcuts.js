// The keyboard map, one table for both dispatching keys and listing them on "?".

export function shortcutTable(viewer) {
  const active = () => viewer.active;
  return [
    { keys: ["ArrowDown", "ArrowRight"], label: "Next image", run: () => active().scrollBy(1) },
    { keys: ["ArrowUp", "ArrowLeft"], label: "Previous image", run: () => active().scrollBy(-1) },
    { keys: ["PageDown"], label: "10 images on", run: () => active().scrollBy(10) },
    { keys: ["PageUp"], label: "10 images back", run: () => active().scrollBy(-10) },
    { keys: ["Home"], label: "First image", run: () => active().setIndex(0, true) },
    { keys: ["End"], label: "Last image", run: () => active().setIndex(Infinity, true) },
    { keys: ["]"], label: "Next series in this viewport", run: () => viewer.stepSeries(1) },
    { keys: ["["], label: "Previous series in this viewport", run: () => viewer.stepSeries(-1) },
    { keys: ["v"], label: "Next viewport", run: () => viewer.nextViewport() },
    { keys: ["l"], label: "Layout 1×1 → 1×2 → 2×2", run: () => viewer.cycleLayout() },
    { keys: ["0"], label: "Window of the images", run: () => viewer.applyPreset(-1) },
    { keys: ["1", "2", "3", "4", "5", "6"], label: "Window presets (see the menu)", run: (key) => viewer.applyPreset(Number(key) - 1) },
    { keys: ["i"], label: "Invert", run: () => active().toggleInvert() },
    { keys: ["f"], label: "Fit to viewport", run: () => active().fitToWindow() },
    { keys: ["a"], label: "Actual size (1 image pixel per screen pixel)", run: () => active().actualSize() },
    { keys: ["+", "="], label: "Zoom in", run: () => active().zoomBy(1.25) },
    { keys: ["-"], label: "Zoom out", run: () => active().zoomBy(0.8) },
    { keys: ["r"], label: "Reset view and window", run: () => active().resetView() },
    { keys: ["c"], label: "Cine start/stop", run: () => active().toggleCine() },
    { keys: ["s"], label: "Tool: stack scroll (left drag)", run: () => viewer.setTool("scroll") },
    { keys: ["p"], label: "Tool: pan (left drag)", run: () => viewer.setTool("pan") },
    { keys: ["z"], label: "Tool: zoom (left drag)", run: () => viewer.setTool("zoom") },
    { keys: ["m"], label: "Tool: measure length (left drag)", run: () => viewer.setTool("measure") },
    { keys: ["Delete", "Backspace"], label: "Remove this image's measurements", run: () => viewer.clearMeasurements() },
    { keys: ["k"], label: "Link scrolling of same-frame-of-reference viewports on/off", run: () => viewer.toggleLink() },
    { keys: ["R"], label: "Mark the study read, open the next one", run: () => viewer.finishReading() },
    { keys: ["N"], label: "Next study in the worklist", run: () => viewer.gotoStudy(1) },
    { keys: ["P"], label: "Previous study in the worklist", run: () => viewer.gotoStudy(-1) },
    { keys: ["?"], label: "This list", run: () => viewer.toggleHelp() },
    { keys: ["Escape"], label: "Close this list", run: () => viewer.toggleHelp(false) },
  ];
}

export const MOUSE_HELP = [
  ["Wheel", "Scroll images"],
  ["Left drag", "Current tool (scroll, pan, zoom, measure)"],
  ["Right drag", "Window (horizontal) and level (vertical)"],
  ["Middle drag, Shift+left drag", "Pan"],
  ["Ctrl+wheel, Ctrl+left drag", "Zoom"],
];

export function bindKeys(table) {
  const byKey = new Map();
  for (const entry of table) for (const key of entry.keys) byKey.set(key, entry);
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.metaKey || (event.ctrlKey && event.key !== "Control")) return;
    const target = event.target;
    if (target && ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName) && event.key !== "Escape") return;
    const entry = byKey.get(event.key);
    if (!entry) return;
    event.preventDefault();
    entry.run(event.key);
  });
}

export function helpDialog(table) {
  const dialog = document.createElement("dialog");
  dialog.className = "help";
  const title = document.createElement("h2");
  title.textContent = "Keyboard and mouse";
  const list = document.createElement("dl");
  const names = { ArrowDown: "↓", ArrowRight: "→", ArrowUp: "↑", ArrowLeft: "←", " ": "Space" };
  const rows = table.map((e) => [e.keys.map((k) => names[k] || k).join(" "), e.label]).concat(MOUSE_HELP);
  for (const [keys, label] of rows) {
    const term = document.createElement("dt");
    term.textContent = keys;
    const description = document.createElement("dd");
    description.textContent = label;
    list.append(term, description);
  }
  dialog.append(title, list);
  return dialog;
}
