// Rendering of the worklist's header and rows (no fetching here). Text goes in with textContent,
// never as HTML: patient names come from the modalities.
import { viewerURL } from "/assets/common/worklist-order.js";

/** The columns: sort key (as the API names it), header, cell. */
export const columns = [
  { key: "status", title: "Status", cell: statusCell },
  { key: "patientName", title: "Patient", cell: (s) => text(personName(s.patientName)) },
  { key: "patientID", title: "ID", cell: (s) => text(s.patientID) },
  { key: "birthDate", title: "Born / sex", cell: (s) => text(`${date(s.birthDate)} ${s.sex || ""}`.trim()) },
  { key: "modality", title: "Modality", cell: (s) => text(s.modalities.join(", ")) },
  { key: "description", title: "Description", cell: (s) => text(s.description || ""), className: "description" },
  { key: "studyDate", title: "Study date", cell: (s) => text(`${date(s.studyDate)} ${time(s.studyTime)}`.trim()) },
  { key: "centre", title: "Centre", cell: centreCell },
  { key: "series", title: "Series", cell: (s) => text(String(s.series)) },
  { key: "instances", title: "Images", cell: (s) => text(String(s.instances)) },
  { key: "arrival", title: "Arrived", cell: (s) => text(clock(s.firstReceived, true)) },
];

/** Fills the header row with a sort button per column; `onSort(key)` on click. */
export function renderHeader(row, sort, order, onSort) {
  row.replaceChildren(...columns.map((column) => {
    const th = document.createElement("th");
    th.dataset.key = column.key;
    if (column.key === sort) th.setAttribute("aria-sort", order === "asc" ? "ascending" : "descending");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = column.title;
    button.addEventListener("click", () => onSort(column.key));
    th.append(button);
    return th;
  }), actionsHeader());
}

/**
 * A row for a study. `me` is the signed-in user; `act(study, action)` runs a status action.
 * `isNew` marks a study that appeared since the last refresh.
 */
export function renderRow(study, { me, canSetStatus, act, isNew }) {
  const tr = document.createElement("tr");
  tr.tabIndex = 0;
  tr.dataset.study = study.studyInstanceUID;
  tr.dataset.state = study.status.state;
  tr.classList.add(`state-${study.status.state}`);
  if (isNew) tr.classList.add("new");
  for (const column of columns) {
    const td = document.createElement("td");
    td.className = column.className || column.key;
    td.append(column.cell(study, me));
    tr.append(td);
  }
  tr.append(actionsCell(study, me, canSetStatus, act));
  return tr;
}

function actionsHeader() {
  const th = document.createElement("th");
  th.textContent = "";
  th.setAttribute("aria-label", "Actions");
  return th;
}

function actionsCell(study, me, canSetStatus, act) {
  const td = document.createElement("td");
  td.className = "actions";
  const open = document.createElement("a");
  open.href = viewerURL(study.studyInstanceUID);
  open.textContent = "Open";
  open.dataset.action = "open";
  td.append(open);
  if (!canSetStatus) return td;
  const { state, user } = study.status;
  const buttons = [];
  if (state === "unread") buttons.push(["claim", "Start reading"]);
  if (state === "in-progress" && user === me) buttons.push(["read", "Mark read"], ["release", "Release"]);
  if (state === "in-progress" && user !== me) buttons.push(["take-over", "Take over"]);
  if (state === "read") buttons.push(["reopen", "Reopen"]);
  for (const [action, label] of buttons) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.action = action;
    button.textContent = label;
    button.addEventListener("click", (event) => {
      event.stopPropagation();
      act(study, action);
    });
    td.append(button);
  }
  return td;
}

function statusCell(study, me) {
  const span = document.createElement("span");
  const { state, user, since } = study.status;
  const badge = document.createElement("span");
  badge.className = `badge ${state}`;
  badge.textContent = { unread: "Unread", "in-progress": "In progress", read: "Read" }[state];
  span.append(badge);
  if (user) {
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = `${user === me ? "you" : user}${since ? ` · ${clock(since)}` : ""}`;
    span.append(who);
  }
  if (study.arriving) {
    const arriving = document.createElement("span");
    arriving.className = "badge arriving";
    arriving.textContent = "Arriving…";
    arriving.title = "Images are still coming in";
    span.append(arriving);
  }
  return span;
}

function centreCell(study) {
  const { ae, name } = study.centre;
  const span = text(name || ae);
  if (name) span.title = ae;
  return span;
}

function text(value) {
  const span = document.createElement("span");
  span.textContent = value ?? "";
  return span;
}

/** DICOM PN "Family^Given^Middle^Prefix^Suffix" → "Family, Given Middle". */
export function personName(pn) {
  const [family = "", given = "", middle = ""] = (pn || "").split("=")[0].split("^");
  const rest = [given, middle].filter(Boolean).join(" ");
  return rest ? `${family}, ${rest}` : family;
}

/** DICOM DA "YYYYMMDD" → "YYYY-MM-DD". */
export function date(da) {
  return da && da.length === 8 ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6)}` : da || "";
}

/** DICOM TM "HHMMSS.frac" → "HH:MM". */
function time(tm) {
  return tm && tm.length >= 4 ? `${tm.slice(0, 2)}:${tm.slice(2, 4)}` : "";
}

/** An ISO 8601 time in local time: "HH:MM", with the date when `withDate` or not today. */
function clock(iso, withDate = false) {
  if (!iso) return "";
  const when = new Date(iso);
  const hm = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
  const today = new Date().toDateString() === when.toDateString();
  if (today && !withDate) return hm;
  const ymd = `${when.getFullYear()}-${String(when.getMonth() + 1).padStart(2, "0")}-${String(when.getDate()).padStart(2, "0")}`;
  return today ? `today ${hm}` : `${ymd} ${hm}`;
}
