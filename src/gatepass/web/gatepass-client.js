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
 *   (never a loop, never a second refresh for the same failure). A 401 that
 *   asks for a stronger or more recent login (RFC 9470's
 *   insufficient_user_authentication) is not the token's fault: it is never
 *   refreshed for (see gatepass-reauth.js).
 *
 * No dependencies, no build step: an ES module for current browsers and Node 20+.
 */

import { accountMethods } from "./gatepass-account.js";
import { mfaMethods, verifyBody } from "./gatepass-mfa.js";
import { asksForStepUp, reauthMethods } from "./gatepass-reauth.js";
import { passkeyMethods } from "./gatepass-passkeys.js";
import { errorFromResponse, GatepassError, readBody, readCookie, requireString } from "./gatepass-http.js";

export { errorFromResponse, GatepassError, readBody, readCookie };

export const CSRF_COOKIE = "__Host-gatepass_csrf";
// The name over plain-http development, where browsers refuse a __Host- cookie.
export const PLAIN_CSRF_COOKIE = "gatepass_csrf";
export const CSRF_HEADER = "X-CSRF-Token";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
// Auth endpoints answer 401 for reasons a refresh cannot fix (wrong password,
// spent refresh token): never refresh-and-retry them.
const NO_RETRY_ENDPOINTS = ["/login", "/register", "/refresh", "/mfa/verify", "/passkeys/login"];
// Refusals of what the user typed (or their passkey signed), not of the access
// token: never retried.
const NOT_THE_TOKEN = new Set(["invalid_credentials", "invalid_code", "invalid_credential"]);

const isStream = (body) => typeof ReadableStream !== "undefined" && body instanceof ReadableStream;

function defaultReadCookies() {
  return typeof document !== "undefined" && typeof document.cookie === "string"
    ? document.cookie
    : "";
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
 * @param {() => CredentialsContainer | undefined} [options.authenticators] where passkeys are
 *   made and used (default: navigator.credentials)
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
  requireFunction(options.authenticators, "createClient: authenticators");
  const authenticators = options.authenticators ?? (() => globalThis.navigator?.credentials);
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

  const unreachable = (url, err) =>
    new GatepassError(0, "network_error", `Could not reach the gatepass server at ${url}: ${err?.message ?? err}`);

  /** The answer's body, or a GatepassError for a failed answer. */
  async function bodyOf(response) {
    const parsed = await readBody(response);
    if (!response.ok) throw errorFromResponse(response, parsed);
    return parsed;
  }

  /** POST to an auth route, never refreshed and retried; rejects with GatepassError. */
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
      throw unreachable(authUrl(name), err);
    }
    return bodyOf(response);
  }

  /**
   * Call an auth route as the signed-in user: refreshed and retried once when the
   * access token was refused, never when the password was (a wrong password
   * stays one failure); rejects with GatepassError.
   */
  async function call(method, name, body) {
    const url = authUrl(name);
    const init = {
      method,
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    };
    let response;
    try {
      response = await send(url, init, tokenRefused);
    } catch (err) {
      throw unreachable(url, err);
    }
    return bodyOf(response);
  }

  async function tokenRefused(response) {
    const body = await readBody(response.clone());
    return !(body && typeof body === "object" && NOT_THE_TOKEN.has(body.error));
  }

  /** The server ended this session (or this account): forget what the client kept of it. */
  function forget() {
    csrfFromResponse = null;
    settle(false);
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
    return send(input, init, async () => !isNoRetryEndpoint(url));
  }

  /** The request, and once more after a refresh when it met a 401 that `retryOn401` accepts. */
  async function send(input, init, retryOn401) {
    const sentEpoch = epoch;
    const first = await fetchImpl(...buildAttempt(input, init));
    // A streamed body cannot be sent twice: such requests get no retry.
    if (first.status !== 401 || isStream(init.body) || asksForStepUp(first)) return first;
    if (!(await retryOn401(first))) return first;

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
   * Create an account. Resolves to {id, email} (201), or to {message} (202) when
   * the server wants the address verified first; rejects with GatepassError.
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
   * server's console is on); rejects with GatepassError. For a user with a
   * second factor it resolves to {mfaRequired: true, mfaToken, methods} and
   * nobody is signed in yet: finish with `verifyMfa(mfaToken, ...)`.
   * @param {string} email
   * @param {string} password
   */
  async function login(email, password) {
    requireString(email, "login: email");
    requireString(password, "login: password");
    const body = await post("/login", { email, password, cookies: true });
    if (body && body.mfa_required === true) {
      return { mfaRequired: true, mfaToken: body.mfa_token, methods: body.methods };
    }
    return signedIn(body);
  }

  /**
   * The login's second step: a code from the app (`{ code }`) or a recovery
   * code (`{ recoveryCode }`) with the mfaToken login gave. Resolves as login
   * does once signed in; rejects with GatepassError ("invalid_code", or
   * "invalid_token" when the mfaToken is dead: log in again).
   * @param {string} mfaToken
   * @param {{ code: string } | { recoveryCode: string }} proof
   */
  async function verifyMfa(mfaToken, proof) {
    return signedIn(await post("/mfa/verify", verifyBody(mfaToken, proof)));
  }

  function signedIn(body) {
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
      throw unreachable(authUrl("/logout"), err);
    }
    if (response.status !== 401) await bodyOf(response);
    forget();
  }

  return {
    fetch: authFetch,
    login,
    verifyMfa,
    logout,
    refresh,
    register,
    ...accountMethods({ post, call, forget }),
    ...mfaMethods({ call }),
    ...reauthMethods({ call }),
    ...passkeyMethods({ post, call, signedIn, authenticators }),
    csrfToken,
    url: resolve,
    authUrl,
  };
}
