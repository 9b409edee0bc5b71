// The worklist page (docs/reading-room.md, "Worklist"): filters and sort in the address bar's
// query (so a reload or a bookmark keeps them), one page of studies from /api/worklist, polled
// every few seconds so new studies and status changes appear without a reload.
import { getJSON, session, setUpTopBar } from "/assets/common/api.js";
import { confirmDialog } from "/assets/common/confirm.js";
import { ReadingConflict, claim, setStatus } from "/assets/common/reading.js";
import { rememberOrder, viewerURL } from "/assets/common/worklist-order.js";
import { renderHeader, renderRow } from "/assets/worklist/rows.js";

const refreshSeconds = 5;
const pageSize = 50;
const filters = document.getElementById("filters");
const table = document.getElementById("worklist");
const live = document.getElementById("live");
const errorLine = document.getElementById("error");
let known = null; // study UIDs shown so far (to mark new arrivals)
let me = "";
let canSetStatus = false;
let timer = null;

function params() {
  return new URLSearchParams(location.search);
}

function setParams(changes, { resetPage = true } = {}) {
  const next = params();
  for (const [name, value] of Object.entries(changes)) {
    if (value === "" || value === null || value === undefined) next.delete(name);
    else next.set(name, value);
  }
  if (resetPage) next.delete("offset");
  history.replaceState(null, "", next.toString() ? `?${next}` : location.pathname);
  load();
}

// Date inputs hold YYYY-MM-DD; the API and the address bar hold DICOM's YYYYMMDD.
const toDA = (value) => value.replaceAll("-", "");
const fromDA = (da) => (da && da.length === 8 ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6)}` : "");
function localDA(daysAgo) {
  const day = new Date();
  day.setDate(day.getDate() - daysAgo);
  return `${day.getFullYear()}${String(day.getMonth() + 1).padStart(2, "0")}${String(day.getDate()).padStart(2, "0")}`;
}

function showFilters() {
  const p = params();
  filters.q.value = p.get("q") || "";
  filters.from.value = fromDA(p.get("from"));
  filters.to.value = fromDA(p.get("to"));
  for (const name of ["modality", "centre", "status"]) filters[name].value = p.get(name) || "";
}

async function load({ refresh = false } = {}) {
  clearTimeout(timer);
  const p = params();
  const sort = p.get("sort") || "arrival";
  const order = p.get("order") || (sort === "arrival" ? "desc" : "asc");
  const query = new URLSearchParams(p);
  query.set("sort", sort);
  query.set("order", order);
  query.set("limit", String(pageSize));
  rememberOrder(query);
  if (refresh) query.set("refresh", "1");
  try {
    const page = await getJSON(`/api/worklist?${query}`);
    render(page, sort, order);
    errorLine.hidden = true;
    live.textContent = `Updated ${new Date().toLocaleTimeString([], { hour12: false })}`;
  } catch (error) {
    errorLine.textContent = `Could not load the worklist: ${error.message}`;
    errorLine.hidden = false;
  }
  timer = setTimeout(() => load({ refresh: true }), refreshSeconds * 1000);
}

function render(page, sort, order) {
  renderHeader(table.tHead.rows[0], sort, order, (key) => {
    const sameKey = key === sort;
    setParams({ sort: key, order: sameKey ? (order === "asc" ? "desc" : "asc") : (key === "arrival" ? "desc" : "asc") });
  });
  const focused = document.activeElement?.closest?.("tbody tr")?.dataset.study;
  const rows = page.studies.map((study) => renderRow(study, {
    me, canSetStatus, act, isNew: known !== null && !known.has(study.studyInstanceUID),
  }));
  table.tBodies[0].replaceChildren(...rows);
  known = new Set([...(known || []), ...page.studies.map((s) => s.studyInstanceUID)]);
  if (focused) table.querySelector(`tbody tr[data-study="${CSS.escape(focused)}"]`)?.focus();
  document.getElementById("empty").hidden = page.total > 0;
  const last = Math.min(page.offset + page.studies.length, page.total);
  document.getElementById("range").textContent = page.total ? `${page.offset + 1}–${last} of ${page.total}` : "0 studies";
  document.getElementById("previous-page").disabled = page.offset === 0;
  document.getElementById("next-page").disabled = last >= page.total;
  document.getElementById("previous-page").onclick = () => setParams({ offset: Math.max(0, page.offset - pageSize) || "" }, { resetPage: false });
  document.getElementById("next-page").onclick = () => setParams({ offset: page.offset + pageSize }, { resetPage: false });
}

async function act(study, action) {
  try {
    if (action === "claim") await claim(study.studyInstanceUID);
    else if (action === "take-over") await takeOver(study);
    else await setStatus(study.studyInstanceUID, action);
  } catch (error) {
    errorLine.textContent = error instanceof ReadingConflict ? `Not changed: ${error.message}.` : error.message;
    errorLine.hidden = false;
  }
  load({ refresh: true });
}

async function takeOver(study) {
  const { user } = study.status;
  if (await confirmDialog(`${user} is reading this study. Take it over?`, "Take over")) {
    await setStatus(study.studyInstanceUID, "take-over");
  }
}

async function fillChoices() {
  const { centres, modalities } = await getJSON("/api/worklist/choices");
  for (const modality of modalities) filters.modality.add(new Option(modality, modality));
  for (const { ae, name } of centres) filters.centre.add(new Option(name ? `${name} (${ae})` : ae, ae));
  showFilters();
}

function wireFilters() {
  let typing = null;
  filters.q.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => setParams({ q: filters.q.value.trim() }), 250);
  });
  filters.addEventListener("submit", (event) => event.preventDefault());
  for (const name of ["from", "to"]) {
    filters[name].addEventListener("change", () => setParams({ [name]: toDA(filters[name].value) }));
  }
  for (const name of ["modality", "centre", "status"]) {
    filters[name].addEventListener("change", () => setParams({ [name]: filters[name].value }));
  }
  for (const button of filters.querySelectorAll("[data-range]")) {
    button.addEventListener("click", () => {
      const days = button.dataset.range;
      setParams(days === "" ? { from: "", to: "" } : { from: localDA(Number(days)), to: "" });
      showFilters();
    });
  }
}

// Keyboard: "/" to search, arrows between rows, Enter opens the study.
function wireKeyboard() {
  document.addEventListener("keydown", (event) => {
    if (event.key === "/" && document.activeElement?.tagName !== "INPUT") {
      event.preventDefault();
      filters.q.focus();
      return;
    }
    const row = document.activeElement?.closest?.("tbody tr");
    if (!row || document.activeElement !== row) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      (event.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling)?.focus();
    } else if (event.key === "Enter") {
      location.assign(viewerURL(row.dataset.study));
    }
  });
  table.addEventListener("dblclick", (event) => {
    const row = event.target.closest("tbody tr");
    if (row && !event.target.closest("button, a")) location.assign(viewerURL(row.dataset.study));
  });
}

const identity = await session();
me = identity.user;
canSetStatus = identity.role === "radiologist" || identity.role === "admin";
setUpTopBar();
wireFilters();
wireKeyboard();
showFilters();
fillChoices().catch(() => {});
load();
