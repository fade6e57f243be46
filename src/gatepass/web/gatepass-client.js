/**
 * gatepass-client.js: a fetch wrapper for browser apps that sign in to a
 * gatepass server with cookies.
 *
 *   import { createClient } from "/console/gatepass-client.js";
 *   const auth = createClient({ authPrefix: "/auth" });
 *   await auth.login("ada@example.com", "correct horse battery staple");
 *   const response = await auth.fetch("/dashboard");
 *
 * What it does for every request made through `auth.fetch`:
 * - sends the cookies (`credentials: "include"`), so the HttpOnly access and
 *   refresh cookies travel and no token is ever stored by JavaScript;
 * - adds `X-CSRF-Token` on methods that change state (anything but GET, HEAD,
 *   OPTIONS), taken from the readable CSRF cookie (`__Host-gatepass_csrf`, or
 *   `gatepass_csrf` from a server with GATEPASS_COOKIE_SECURE=false), or from the
 *   last login/refresh response when the cookie cannot be read (another origin);
 * - on a 401 it refreshes the session ONCE and retries the request ONCE. All
 *   requests that fail while a refresh is running wait for that same refresh;
 *   a request that was sent before a refresh finished is retried without a new
 *   one. If the refresh fails, the caller gets the original 401 response
 *   (never a loop, never a second refresh for the same failure).
 *
 * No dependencies, no build step: an ES module for current browsers and Node 20+.
 */

export const CSRF_COOKIE = "__Host-gatepass_csrf";
// The name over plain-http development, where browsers refuse a __Host- cookie.
export const PLAIN_CSRF_COOKIE = "gatepass_csrf";
export const CSRF_HEADER = "X-CSRF-Token";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
// Auth endpoints answer 401 for reasons a refresh cannot fix (wrong password,
// spent refresh token): never refresh-and-retry them.
const NO_RETRY_ENDPOINTS = ["/login", "/register", "/refresh"];

/** An error answered by the server (or the network), with gatepass's stable code. */
export class GatepassError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the server could not be reached
   * @param {string} code gatepass error code, e.g. "invalid_credentials"
   * @param {string} message human-readable text
   * @param {unknown} [body] the parsed response body, if any
   */
  constructor(status, code, message, body) {
    super(message);
    this.name = "GatepassError";
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/**
 * Read a fetch Response body as JSON when it is JSON, as text otherwise; null when empty.
 * @param {Response} response
 */
export async function readBody(response) {
  if (response.status === 204 || response.status === 205) return null;
  const text = await response.text();
  if (text === "") return null;
  const type = response.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * Turn a failed response and its body into a GatepassError with a clear message.
 * @param {Response} response
 * @param {unknown} body
 */
export function errorFromResponse(response, body) {
  const status = response.status;
  if (body && typeof body === "object" && typeof body.error === "string") {
    const message = typeof body.message === "string" && body.message ? body.message : body.error;
    return new GatepassError(status, body.error, message, body);
  }
  if (body && typeof body === "object" && typeof body.detail === "string") {
    return new GatepassError(status, `http_${status}`, body.detail, body);
  }
  const reason = response.statusText ? `${status} ${response.statusText}` : String(status);
  return new GatepassError(
    status,
    `http_${status}`,
    `The server answered HTTP ${reason} without a gatepass error body; ` +
      "is the gatepass server running at this address?",
    body,
  );
}

function defaultReadCookies() {
  return typeof document !== "undefined" && typeof document.cookie === "string"
    ? document.cookie
    : "";
}

/**
 * Find one cookie's value in a `document.cookie` string.
 * @param {string} cookieString
 * @param {string} name
 * @returns {string | null}
 */
export function readCookie(cookieString, name) {
  for (const part of cookieString.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return null;
}

function requireString(value, what) {
  if (typeof value !== "string") {
    throw new TypeError(`${what} must be a string, got ${value === null ? "null" : typeof value}`);
  }
}

function requireFunction(value, what) {
  if (value !== undefined && typeof value !== "function") {
    throw new TypeError(`${what} must be a function, got ${value === null ? "null" : typeof value}`);
  }
}

/**
 * Create a client bound to one gatepass server.
 *
 * @param {object} [options]
 * @param {string} [options.baseUrl=""] origin of the gatepass server ("" = this page's origin)
 * @param {string} [options.authPrefix="/auth"] where the auth routes live
 * @param {typeof fetch} [options.fetch] the fetch to use (default: globalThis.fetch)
 * @param {RequestCredentials} [options.credentials="include"]
 * @param {() => string} [options.readCookies] returns the `document.cookie` string
 * @param {(body: object) => void} [options.onRefresh] called after each successful refresh
 * @param {(error: GatepassError) => void} [options.onRefreshFailed] called when a refresh fails
 */
export function createClient(options = {}) {
  if (options === null || typeof options !== "object") {
    throw new TypeError("createClient(options): options must be an object");
  }
  const baseUrl = options.baseUrl ?? "";
  const authPrefix = options.authPrefix ?? "/auth";
  const credentials = options.credentials ?? "include";
  requireString(baseUrl, "createClient: baseUrl");
  requireString(authPrefix, "createClient: authPrefix");
  if (authPrefix !== "" && (!authPrefix.startsWith("/") || authPrefix.endsWith("/"))) {
    throw new TypeError(
      `createClient: authPrefix must start with "/" and not end with "/", got ${JSON.stringify(authPrefix)}`,
    );
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== "function") {
    throw new TypeError("createClient: no fetch function (pass options.fetch)");
  }
  requireFunction(options.readCookies, "createClient: readCookies");
  requireFunction(options.onRefresh, "createClient: onRefresh");
  requireFunction(options.onRefreshFailed, "createClient: onRefreshFailed");
  const readCookies = options.readCookies ?? defaultReadCookies;
  const root = baseUrl.replace(/\/+$/, "");

  let csrfFromResponse = null;
  let refreshInFlight = null;
  // Bumped whenever the credentials change (refresh settled, login, logout), so a
  // 401 for a request sent with older credentials is not blamed on the new ones.
  let epoch = 0;
  let credentialsValid = true;

  const resolve = (path) => (/^[a-z][a-z0-9+.-]*:/i.test(path) ? path : root + path);
  const authUrl = (name) => resolve(authPrefix + name);

  function csrfToken() {
    const cookies = readCookies();
    return readCookie(cookies, CSRF_COOKIE) ?? readCookie(cookies, PLAIN_CSRF_COOKIE) ?? csrfFromResponse;
  }

  function settle(valid) {
    epoch += 1;
    credentialsValid = valid;
  }

  function isNoRetryEndpoint(url) {
    let path;
    try {
      path = new URL(url, "http://gatepass.invalid").pathname;
    } catch {
      return false;
    }
    return NO_RETRY_ENDPOINTS.some((name) => path.endsWith(authPrefix + name));
  }

  async function post(name, body) {
    const headers = new Headers({ Accept: "application/json" });
    if (body !== undefined) headers.set("Content-Type", "application/json");
    const csrf = csrfToken();
    if (csrf) headers.set(CSRF_HEADER, csrf);
    let response;
    try {
      response = await fetchImpl(authUrl(name), {
        method: "POST",
        credentials,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new GatepassError(
        0,
        "network_error",
        `Could not reach the gatepass server at ${authUrl(name)}: ${err?.message ?? err}`,
      );
    }
    const parsed = await readBody(response);
    if (!response.ok) throw errorFromResponse(response, parsed);
    return parsed;
  }

  async function runRefresh() {
    try {
      const body = await post("/refresh");
      if (body && typeof body.csrf_token === "string") csrfFromResponse = body.csrf_token;
      settle(true);
      options.onRefresh?.(body);
      return body;
    } catch (err) {
      settle(false);
      options.onRefreshFailed?.(err);
      throw err;
    }
  }

  /**
   * Rotate the refresh cookie and get a new access token. Concurrent calls share
   * one request. Resolves to the server's JSON body; rejects with GatepassError.
   */
  function refresh() {
    if (refreshInFlight === null) {
      refreshInFlight = runRefresh().finally(() => {
        refreshInFlight = null;
      });
    }
    return refreshInFlight;
  }

  function buildAttempt(input, init) {
    const isRequest = typeof Request !== "undefined" && input instanceof Request;
    const method = String(init.method ?? (isRequest ? input.method : "GET")).toUpperCase();
    const headers = new Headers(isRequest ? input.headers : undefined);
    new Headers(init.headers).forEach((value, key) => headers.set(key, value));
    if (!SAFE_METHODS.has(method) && !headers.has(CSRF_HEADER)) {
      const csrf = csrfToken();
      if (csrf) headers.set(CSRF_HEADER, csrf);
    }
    const target = isRequest ? input.clone() : resolve(String(input));
    return [target, { ...init, method, headers, credentials }];
  }

  /**
   * fetch() with cookies, the CSRF header and one refresh-and-retry on 401.
   * Same arguments and result as the global fetch; network errors reject as fetch does.
   * @param {RequestInfo | URL} input a path ("/dashboard"), a URL or a Request
   * @param {RequestInit} [init]
   */
  async function authFetch(input, init = {}) {
    const url = typeof input === "string" || input instanceof URL ? String(input) : input?.url;
    if (typeof url !== "string") {
      throw new TypeError("fetch: input must be a path, a URL or a Request");
    }
    // A streamed body cannot be sent twice: such requests get no retry.
    const retryable =
      !isNoRetryEndpoint(url) &&
      !(typeof ReadableStream !== "undefined" && init.body instanceof ReadableStream);
    const sentEpoch = epoch;
    const first = await fetchImpl(...buildAttempt(input, init));
    if (first.status !== 401 || !retryable) return first;

    if (sentEpoch === epoch || refreshInFlight !== null) {
      try {
        await refresh();
      } catch {
        return first;
      }
    } else if (!credentialsValid) {
      return first; // the refresh that followed this request already failed
    }
    // Whatever the retry answers (even another 401) is final.
    return fetchImpl(...buildAttempt(input, init));
  }

  /**
   * Create an account. Resolves to {id, email}; rejects with GatepassError.
   * @param {string} email
   * @param {string} password
   */
  async function register(email, password) {
    requireString(email, "register: email");
    requireString(password, "register: password");
    return post("/register", { email, password });
  }

  /**
   * Log in with cookies. Resolves to the server's JSON body (expires_in,
   * csrf_token, session_id, ...; a copy of access_token only while the
   * server's console is on); rejects with GatepassError.
   * @param {string} email
   * @param {string} password
   */
  async function login(email, password) {
    requireString(email, "login: email");
    requireString(password, "login: password");
    const body = await post("/login", { email, password, cookies: true });
    if (body && typeof body.csrf_token === "string") csrfFromResponse = body.csrf_token;
    settle(true);
    return body;
  }

  /**
   * End this session on the server. Resolves when the server ended it or there
   * was no live session (401); rejects with GatepassError on any other failure.
   */
  async function logout() {
    let response;
    try {
      response = await authFetch(authUrl("/logout"), { method: "POST" });
    } catch (err) {
      throw new GatepassError(
        0,
        "network_error",
        `Could not reach the gatepass server at ${authUrl("/logout")}: ${err?.message ?? err}`,
      );
    }
    const body = await readBody(response);
    if (!response.ok && response.status !== 401) throw errorFromResponse(response, body);
    csrfFromResponse = null;
    settle(false);
  }

  return { fetch: authFetch, login, logout, refresh, register, csrfToken, url: resolve, authUrl };
}
