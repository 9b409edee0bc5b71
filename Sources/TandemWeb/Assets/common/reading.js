// Reading status from any page (docs/reading-room.md, "Reading status"). The viewer calls
// startReading(uid) when it opens a study: the study becomes "in progress" by this user (asking
// before taking it over from someone else), a heartbeat keeps it so while the page is open,
// and leaving the page releases it unless it was marked read. A browser that dies without a
// word loses the study after [web] reading_timeout (the heartbeat stops).
import { HttpError, postJSON, request, session } from "/assets/common/api.js";
import { confirmDialog } from "/assets/common/confirm.js";

const path = (studyUID) => `/api/studies/${encodeURIComponent(studyUID)}/reading`;

/**
 * Applies `action` ("claim", "take-over", "release", "read", "reopen", "heartbeat") to a study.
 * Resolves to the new status `{state, user, since, heartbeat}`; rejects with a ReadingConflict
 * (carrying the current status) when the action does not apply, e.g. someone else reads it.
 */
export async function setStatus(studyUID, action) {
  try {
    return await postJSON(path(studyUID), { action });
  } catch (error) {
    if (error instanceof HttpError && error.status === 409) {
      const { error: reason, status } = JSON.parse(error.message);
      throw new ReadingConflict(reason, status);
    }
    throw error;
  }
}

export class ReadingConflict extends Error {
  constructor(reason, status) {
    super(reason);
    this.status = status;
  }
}

/** The current status of a study. */
export async function getStatus(studyUID) {
  return (await request(path(studyUID), { headers: { Accept: "application/json" } })).json();
}

/**
 * Claims a study, asking for confirmation before taking it over from another reader; resolves to
 * the new status, or null when the user declined or the study is already read.
 */
export async function claim(studyUID) {
  try {
    return await setStatus(studyUID, "claim");
  } catch (error) {
    if (!(error instanceof ReadingConflict) || error.status.state !== "in-progress") throw error;
    const since = error.status.since ? new Date(error.status.since).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
    const yes = await confirmDialog(`${error.status.user} is reading this study (since ${since}). Take it over?`, "Take over");
    return yes ? setStatus(studyUID, "take-over") : null;
  }
}

let reading = null;

/**
 * For the viewer: claims the study (see claim) and keeps it in progress while the page is open.
 * `onLost(status)` is called if someone takes it over meanwhile. Resolves to the status, or null.
 */
export async function startReading(studyUID, { onLost } = {}) {
  stopReading();
  const status = await claim(studyUID);
  if (!status || status.state !== "in-progress") return status;
  const { readingTimeout } = await session();
  const timer = setInterval(async () => {
    try {
      await setStatus(studyUID, "heartbeat");
    } catch (error) {
      if (error instanceof ReadingConflict) {
        stopReading();
        onLost?.(error.status);
      }
    }
  }, Math.max(5, readingTimeout / 4) * 1000);
  const leave = () => releaseOnLeave(studyUID);
  window.addEventListener("pagehide", leave);
  reading = { studyUID, timer, leave };
  return status;
}

/** Stops the heartbeat (without changing the status). */
export function stopReading() {
  if (!reading) return;
  clearInterval(reading.timer);
  window.removeEventListener("pagehide", reading.leave);
  reading = null;
}

/** Marks the study read and stops the heartbeat. */
export async function markRead(studyUID) {
  stopReading();
  return setStatus(studyUID, "read");
}

/** Gives the study back (unread) and stops the heartbeat. */
export async function release(studyUID) {
  stopReading();
  return setStatus(studyUID, "release");
}

// A request that outlives the page (keepalive), so closing the tab releases at once.
function releaseOnLeave(studyUID) {
  session().then(({ csrfToken }) => fetch(path(studyUID), {
    method: "POST", keepalive: true, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken || "", "X-Requested-With": "tandem" },
    body: JSON.stringify({ action: "release" }),
  })).catch(() => {});
}
