// The reading room's one way to talk to dcmweb: same-origin fetch with the session cookie, the
// session's CSRF token on every state-changing request, and back to the sign-in page (returning
// here afterwards) when the session has ended. Plain ES module, no dependencies.

/** Thrown for an HTTP answer other than 2xx (after 401 has sent the browser to sign in). */
export class HttpError extends Error {
  constructor(status, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
  }
}

let sessionPromise = null;

/** Who is signed in: `{user, role, csrfToken}` (asked once per page). */
export function session() {
  sessionPromise ??= request("/api/session").then((response) => response.json());
  return sessionPromise;
}

/** Sends the browser to the sign-in page, which brings it back to this page afterwards. */
export function signInAgain() {
  const here = location.pathname + location.search;
  location.assign(here === "/" ? "/login" : `/login?next=${encodeURIComponent(here)}`);
}

/** Ends the session, then shows the sign-in page. */
export async function signOut() {
  await request("/logout", { method: "POST" }).catch(() => {});
  location.assign("/login");
}

/**
 * fetch() for dcmweb: `options` as fetch's, plus `json` (a value sent as an application/json
 * body). Answers the Response when 2xx; throws HttpError otherwise. 401 sends the browser to
 * sign in first.
 */
export async function request(path, options = {}) {
  const { json, ...init } = options;
  const headers = new Headers(init.headers || {});
  // Tells dcmweb to answer 401 without a Basic challenge (which would open the browser's password dialog).
  headers.set("X-Requested-With", "tandem");
  const method = (init.method || "GET").toUpperCase();
  if (!["GET", "HEAD", "OPTIONS"].includes(method) && path !== "/api/session") {
    const { csrfToken } = await session();
    if (csrfToken) headers.set("X-CSRF-Token", csrfToken);
  }
  if (json !== undefined) {
    headers.set("Content-Type", "application/json");
    init.body = JSON.stringify(json);
  }
  const response = await fetch(path, { ...init, method, headers, credentials: "same-origin", redirect: "manual" });
  if (response.status === 401) {
    signInAgain();
    throw new HttpError(401, "signed out");
  }
  // A redirect answered to fetch (sign-out's 303) is a success for our purposes.
  if (!response.ok && response.type !== "opaqueredirect") {
    const text = await response.text().catch(() => "");
    throw new HttpError(response.status, text.trim() || `HTTP ${response.status}`);
  }
  return response;
}

/** GET a JSON resource. */
export async function getJSON(path, options = {}) {
  return (await request(path, { ...options, headers: { Accept: "application/json", ...(options.headers || {}) } })).json();
}

/** POST `value` as JSON; answers the parsed JSON reply, or null for an empty one. */
export async function postJSON(path, value, options = {}) {
  const response = await request(path, { ...options, method: "POST", json: value });
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/** Fills a page's top bar: the signed-in user's name and a working sign-out button. */
export async function setUpTopBar(root = document) {
  const who = root.querySelector("[data-session-user]");
  const button = root.querySelector("[data-sign-out]");
  button?.addEventListener("click", () => signOut());
  const { user, role } = await session();
  if (who) who.textContent = `${user} (${role})`;
}
