// The worklist's current filter and sort, kept for this browser tab (sessionStorage), so the
// viewer can step to the previous or next study in the order the radiologist was looking at.
import { getJSON } from "/assets/common/api.js";

const key = "tandem.worklist.query";

/** Remembers the worklist's query string (filters and sort, without paging). */
export function rememberOrder(searchParams) {
  const kept = new URLSearchParams(searchParams);
  kept.delete("offset");
  kept.delete("limit");
  kept.delete("refresh");
  sessionStorage.setItem(key, kept.toString());
}

/** The remembered query string ("" before the worklist was opened in this tab). */
export function rememberedOrder() {
  return sessionStorage.getItem(key) || "";
}

/**
 * The studies before and after `studyUID` in the remembered order: `{position, total, previous,
 * next}` (UIDs, or null at either end or when the study no longer matches the filter).
 */
export async function neighbours(studyUID) {
  const query = new URLSearchParams(rememberedOrder());
  query.set("study", studyUID);
  return getJSON(`/api/worklist/neighbours?${query}`);
}

/** The viewer's address for a study. */
export function viewerURL(studyUID) {
  return `/viewer/${encodeURIComponent(studyUID)}`;
}
