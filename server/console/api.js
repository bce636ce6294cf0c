// The platform API, with the staff member's bearer token. Errors keep the
// API's one shape: {"error": {"code", "message", "field", "details"}}.

const TOKEN_KEY = "lawcircle.console.token";

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = error?.code || "http_error";
    this.field = error?.field || null;
    this.details = error?.details || null;
  }

  /** The server does not have this endpoint (yet). */
  get missingEndpoint() {
    return this.status === 404 && /no such endpoint/.test(this.message);
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(t) {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * Calls the API. `body` is sent as JSON unless `raw` is given (a string or
 * Blob sent as is, with `contentType`).
 */
export async function api(method, path, { body, raw, contentType } = {}) {
  const headers = { accept: "application/json" };
  const t = token();
  if (t) headers.authorization = `Bearer ${t}`;
  let payload;
  if (raw !== undefined) {
    payload = raw;
    headers["content-type"] = contentType || "application/octet-stream";
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["content-type"] = "application/json";
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload });
  } catch (e) {
    throw new ApiError(0, { code: "network", message: String(e.message || e) });
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    if (res.status === 401 && t) {
      window.dispatchEvent(new CustomEvent("lawcircle:unauthorized"));
    }
    throw new ApiError(res.status, json?.error);
  }
  return json;
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, { body });
export const put = (path, body) => api("PUT", path, { body });

/** GET that answers `null` when the endpoint does not exist on this server. */
export async function getOptional(path) {
  try {
    return await get(path);
  } catch (e) {
    if (e instanceof ApiError && e.missingEndpoint) return null;
    throw e;
  }
}

/**
 * Every list of the API comes a page at a time: `limit` (at most 500) and
 * the previous page's `next_after` (as `after`) or `next_cursor` (as
 * `cursor`). Reads one page of `path` (a path with or without a query)
 * after `from` (the previous page's `next`, or null for the first):
 * `{ items, next }`, `next` null on the last page.
 */
export async function getPage(path, from = null, limit = 100) {
  const [base, query] = path.split("?");
  const q = new URLSearchParams(query || "");
  q.set("limit", String(limit));
  if (from) q.set(from.name, from.value);
  const page = await get(`${base}?${q}`);
  let next = null;
  if (page.next_after != null) next = { name: "after", value: String(page.next_after) };
  else if (page.next_cursor != null) next = { name: "cursor", value: page.next_cursor };
  return { page, items: page.items || [], next };
}

/**
 * Every item of `path`, page after page of 500, up to `max` items:
 * `{ items, more }`, `more` when the list went on past `max`.
 */
export async function getAll(path, max = 5000) {
  const items = [];
  let from = null;
  for (;;) {
    const r = await getPage(path, from, 500);
    items.push(...r.items);
    if (!r.next) return { items, more: false };
    if (items.length >= max) return { items, more: true };
    from = r.next;
  }
}

/**
 * A whole GeoJSON catalogue list (areas, duty posts, facilities), page after
 * page of at most 5,000 features: the pages of areas and duty posts follow
 * `next_cursor`, the facilities' `next_since_version`. Returns the first
 * page's collection with every page's features.
 */
export async function getCollection(path) {
  const [base, query] = path.split("?");
  let first = null;
  let next = null;
  for (;;) {
    const q = new URLSearchParams(query || "");
    if (next) q.set(next.name, next.value);
    const text = q.toString();
    const page = await get(text ? `${base}?${text}` : base);
    if (first) first.features.push(...(page.features || []));
    else first = { ...page, features: [...(page.features || [])] };
    let moved = null;
    if (page.next_cursor != null) moved = { name: "cursor", value: page.next_cursor };
    else if (page.next_since_version != null) moved = { name: "since_version", value: String(page.next_since_version) };
    if (!moved || (next && moved.value === next.value)) {
      delete first.next_cursor;
      delete first.next_since_version;
      return first;
    }
    next = moved;
  }
}
