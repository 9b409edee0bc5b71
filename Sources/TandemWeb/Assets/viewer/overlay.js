// The text in a viewport's corners (patient, study, series, image n/N, slice location and
// thickness, window, zoom) and the measurements drawn over the image.
import { lineLength } from "./geometry.js";

function personName(value) {
  return (value || "").split("=")[0].replaceAll("^", " ").trim();
}

function dicomDate(value) {
  return value && /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}` : value || "";
}

function dicomTime(value) {
  return value && /^\d{4}/.test(value) ? `${value.slice(0, 2)}:${value.slice(2, 4)}` : "";
}

function number(value, digits = 1) {
  return value == null ? "" : Number(value).toFixed(digits).replace(/\.0+$/, "");
}

export function cornerTexts(viewport) {
  const { series, index } = viewport;
  if (!series) return { tl: [], tr: [], bl: [], br: [] };
  const g = series.geometry, image = series.images[index] || {};
  const total = series.complete ? series.images.length : "…";
  const bl = [`Se ${g.seriesNumber ?? ""} ${g.seriesDescription || ""}`.trim(), `Im ${index + 1}/${total}`];
  if (image.sliceLocation != null) bl.push(`Loc ${number(image.sliceLocation, 2)} mm`);
  if (image.sliceThickness != null) bl.push(`Thk ${number(image.sliceThickness, 2)} mm`);
  const br = [];
  if (viewport.window) br.push(`W ${number(viewport.window.width)} L ${number(viewport.window.center)}`);
  br.push(`Zoom ${Math.round(viewport.zoom * 100)}%${viewport.invert ? " · inverted" : ""}`);
  if (!image.pixelSpacing) br.push("No Pixel Spacing: lengths in pixels");
  if (series.failure) br.push(`Loading failed: ${series.failure.message}`);
  else if (!series.frames[index]) br.push(series.finished ? "Image unavailable" : "Loading…");
  return {
    tl: [personName(g.patientName), g.patientID || "", [dicomDate(g.patientBirthDate), g.patientSex].filter(Boolean).join(" ")],
    tr: [g.studyDescription || "", `${dicomDate(g.studyDate)} ${dicomTime(g.studyTime)}`.trim(), g.modality || ""],
    bl, br,
  };
}

export function renderCorners(elements, texts) {
  for (const corner of ["tl", "tr", "bl", "br"]) {
    const text = texts[corner].filter(Boolean).join("\n");
    if (elements[corner].textContent !== text) elements[corner].textContent = text;
  }
}

// Lines with their length label, in display coordinates through toScreen(column, row).
export function drawMeasurements(context, image, lines, toScreen, scale) {
  context.save();
  context.lineWidth = 1.5 * scale;
  context.strokeStyle = "#f3c94b";
  context.fillStyle = "#f3c94b";
  context.font = `${13 * scale}px system-ui, sans-serif`;
  for (const line of lines) {
    const a = toScreen(line.from), b = toScreen(line.to);
    context.beginPath();
    context.moveTo(a[0], a[1]);
    context.lineTo(b[0], b[1]);
    context.stroke();
    const { value, unit } = lineLength(image, line.from, line.to);
    context.fillText(`${value.toFixed(unit === "mm" ? 1 : 0)} ${unit}`, b[0] + 6 * scale, b[1] - 6 * scale);
  }
  context.restore();
}
