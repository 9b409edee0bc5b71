// Next and previous study in the worklist's order. The worklist keeps the order it shows in
// sessionStorage; without it (a viewer opened by link) the order is the archive's studies by
// date and time, newest first, from QIDO-RS.

import { getJSON } from "../common/api.js";

const ORDER_KEY = "tandem.worklist.order";

function value(item, tag) {
  const element = item[tag];
  return element && element.Value ? element.Value[0] : "";
}

async function archiveOrder() {
  const items = await getJSON("/dicomweb/studies?limit=1000&includefield=00080020&includefield=00080030",
    { headers: { Accept: "application/dicom+json" } });
  return items
    .map((item) => ({ uid: value(item, "0020000D"), when: `${value(item, "00080020")}${value(item, "00080030")}` }))
    .sort((a, b) => (a.when < b.when ? 1 : a.when > b.when ? -1 : 0))
    .map((study) => study.uid);
}

export async function neighbourStudy(study, step) {
  let order = [];
  try {
    order = JSON.parse(sessionStorage.getItem(ORDER_KEY) || "[]");
  } catch {
    order = [];
  }
  if (!order.includes(study)) order = await archiveOrder();
  const position = order.indexOf(study);
  return position < 0 ? null : order[position + step] || null;
}
