// Mouse and wheel on a viewport. Left drag: the current tool (stack scroll, pan, zoom or
// measure); right drag: window/level; middle drag or Shift+left: pan; Ctrl+left drag or
// Ctrl+wheel: zoom; wheel: one image per notch.

const SCROLL_PIXELS_PER_IMAGE = 6;

export function attachPointer(viewport, tool) {
  const root = viewport.root;
  let drag = null;
  root.addEventListener("contextmenu", (event) => event.preventDefault());
  root.addEventListener("wheel", (event) => {
    event.preventDefault();
    if (event.ctrlKey) viewport.zoomBy(event.deltaY < 0 ? 1.1 : 1 / 1.1);
    else viewport.scrollBy(Math.sign(event.deltaY));
  }, { passive: false });
  root.addEventListener("pointerdown", (event) => {
    if (event.target === viewport.slider || !viewport.series) return;
    event.preventDefault();
    root.setPointerCapture(event.pointerId);
    let mode = tool();
    if (event.button === 2) mode = "window";
    else if (event.button === 1 || event.shiftKey) mode = "pan";
    else if (event.ctrlKey) mode = "zoom";
    drag = { mode, x: event.clientX, y: event.clientY, carry: 0 };
    if (mode === "measure") {
      const at = viewport.toImage(event.clientX, event.clientY);
      viewport.drawing = { from: at, to: at };
    }
  });
  root.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    drag.x = event.clientX;
    drag.y = event.clientY;
    switch (drag.mode) {
      case "window": viewport.adjustWindow(dx, -dy); break;
      case "pan": viewport.panBy(dx, dy); break;
      case "zoom": viewport.zoomBy(Math.exp(-dy / 150)); break;
      case "measure":
        viewport.drawing.to = viewport.toImage(event.clientX, event.clientY);
        viewport.draw();
        break;
      default: {
        drag.carry += dy;
        const steps = Math.trunc(drag.carry / SCROLL_PIXELS_PER_IMAGE);
        if (steps) {
          drag.carry -= steps * SCROLL_PIXELS_PER_IMAGE;
          viewport.scrollBy(steps);
        }
      }
    }
  });
  const end = () => {
    if (drag && drag.mode === "measure" && viewport.drawing) {
      const { from, to } = viewport.drawing;
      if (Math.hypot(to[0] - from[0], to[1] - from[1]) > 1) {
        const lines = viewport.measurements.get(viewport.index) || [];
        viewport.measurements.set(viewport.index, [...lines, { from, to }]);
      }
      viewport.drawing = null;
      viewport.draw();
    }
    drag = null;
  };
  root.addEventListener("pointerup", end);
  root.addEventListener("pointercancel", end);
}
