// The study's series as a strip of thumbnails (WADO-RS series thumbnail) with their number,
// description and image count; a click or Enter shows a series in the active viewport. The
// thumbnails are asked for only once the first image is on screen: rendering them must not
// delay it.

function value(item, tag) {
  const element = item[tag];
  return element && element.Value ? element.Value[0] : undefined;
}

import { getJSON } from "../common/api.js";

// QIDO-RS series of a study, in Series Number order.
export async function studySeries(study) {
  const fields = ["0008103E", "00201209", "00200011", "00080060"].map((f) => `includefield=${f}`).join("&");
  const items = await getJSON(`/dicomweb/studies/${study}/series?${fields}`, { headers: { Accept: "application/dicom+json" } });
  return items.map((item) => ({
    uid: value(item, "0020000E"),
    number: value(item, "00200011"),
    description: value(item, "0008103E") || "",
    modality: value(item, "00080060") || "",
    count: Number(value(item, "00201209") || 0),
  })).sort((a, b) => (a.number ?? 1e9) - (b.number ?? 1e9));
}

export function buildStrip(container, study, seriesList, choose) {
  container.replaceChildren();
  const buttons = new Map();
  for (const series of seriesList) {
    const button = document.createElement("button");
    button.className = "series";
    button.type = "button";
    button.dataset.series = series.uid;
    const image = document.createElement("img");
    image.alt = "";
    image.dataset.src = `/dicomweb/studies/${study}/series/${series.uid}/thumbnail`;
    const label = document.createElement("span");
    label.textContent = `${series.number ?? ""} ${series.description}`.trim() || series.modality;
    const count = document.createElement("span");
    count.className = "count";
    count.textContent = `${series.count} im`;
    button.append(image, label, count);
    button.addEventListener("click", () => choose(series.uid));
    container.append(button);
    buttons.set(series.uid, button);
  }
  return {
    // Marks which series the viewports show.
    mark(shown) {
      for (const [uid, button] of buttons) button.classList.toggle("shown", shown.includes(uid));
    },
    loadThumbnails() {
      for (const image of container.querySelectorAll("img[data-src]")) {
        image.src = image.dataset.src;
        image.removeAttribute("data-src");
      }
    },
  };
}
