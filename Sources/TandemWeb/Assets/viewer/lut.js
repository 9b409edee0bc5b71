// Greyscale display pipeline in the browser (PS3.3 C.11): stored value → modality value
// (Rescale Slope/Intercept) → VOI window → 8-bit grey, inverted for MONOCHROME1 or on request.
// It follows DICOMImaging's renderer exactly, so the canvas equals dcmweb's /rendered image.

// Output in 0…1 of a VOI window (PS3.3 C.11.2.1.2) for a modality value x.
export function applyWindow(x, { center, width, fn }) {
  if (fn === "LINEAR_EXACT") {
    const w = Math.max(width, Number.MIN_VALUE);
    if (x <= center - w / 2) return 0;
    if (x > center + w / 2) return 1;
    return (x - center) / w + 0.5;
  }
  if (fn === "SIGMOID") return 1 / (1 + Math.exp((-4 * (x - center)) / Math.max(width, Number.MIN_VALUE)));
  const w = Math.max(width, 1), c = center;
  if (x <= c - 0.5 - (w - 1) / 2) return 0;
  if (x > c - 0.5 + (w - 1) / 2) return 1;
  return w === 1 ? 1 : (x - (c - 0.5)) / (w - 1) + 0.5;
}

// A table from every stored value the image's Bits Stored allows to a grey byte: one
// evaluation per value when the window changes, one lookup per pixel when drawing.
export function greyTable(image, window, invert) {
  const bits = Math.min(image.bitsStored, 16);
  const size = 1 << bits;
  const first = image.signed ? -(size >> 1) : 0;
  const table = new Uint8Array(size);
  const { rescaleSlope: slope, rescaleIntercept: intercept } = image;
  const flip = (image.photometricInterpretation === "MONOCHROME1") !== Boolean(invert);
  for (let i = 0; i < size; i++) {
    const level = Math.min(Math.max(Math.round(applyWindow((first + i) * slope + intercept, window) * 255), 0), 255);
    table[i] = flip ? 255 - level : level;
  }
  return { table, first };
}

// The window of the image's header, else the full range of the frame's values (LINEAR_EXACT,
// as the server renders an image without one).
export function defaultWindow(image, samples) {
  if (image.windowCenter != null && image.windowWidth != null) {
    return { center: image.windowCenter, width: image.windowWidth, fn: image.windowFunction || "LINEAR" };
  }
  let low = Infinity, high = -Infinity;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (v < low) low = v;
    if (v > high) high = v;
  }
  const a = low * image.rescaleSlope + image.rescaleIntercept, b = high * image.rescaleSlope + image.rescaleIntercept;
  return { center: (a + b) / 2, width: Math.max(Math.abs(b - a), 1), fn: "LINEAR_EXACT" };
}

// Presets by modality: CT in Hounsfield units; MR intensities are arbitrary, so its presets are
// fractions of the series' default window.
const CT_PRESETS = [
  { name: "Brain", center: 40, width: 80 },
  { name: "Subdural", center: 75, width: 215 },
  { name: "Soft tissue", center: 40, width: 400 },
  { name: "Lung", center: -600, width: 1500 },
  { name: "Bone", center: 480, width: 2500 },
  { name: "Liver", center: 60, width: 160 },
];
const RELATIVE_PRESETS = [
  { name: "Wide", scale: 1.5, shift: 0 },
  { name: "Contrast", scale: 0.6, shift: 0 },
  { name: "High contrast", scale: 0.35, shift: 0 },
  { name: "Dark", scale: 1, shift: 0.25 },
  { name: "Bright", scale: 1, shift: -0.25 },
];

export function presets(modality, base) {
  if (modality === "CT") return CT_PRESETS.map((p) => ({ name: p.name, center: p.center, width: p.width, fn: "LINEAR" }));
  return RELATIVE_PRESETS.map((p) => ({
    name: p.name, center: base.center + p.shift * base.width, width: Math.max(base.width * p.scale, 1), fn: base.fn,
  }));
}
