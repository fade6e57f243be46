/**
 * gatepass-http.js: the pieces of gatepass-client.js that read what a server
 * answered: its error (GatepassError with the stable code) and its body, and
 * one cookie of a `document.cookie` string. gatepass-client.js re-exports all
 * of it; import from there.
 */

/**
 * An error answered by the server (or the network), with gatepass's stable code;
 * `retryAfter` (seconds) when the server said when to try again (429, 503).
 */
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
    const error = new GatepassError(status, body.error, message, body);
    // A 429 or 503 says when to try again: whole seconds in Retry-After.
    const retryAfter = Number.parseInt(response.headers.get("retry-after") ?? "", 10);
    if (Number.isInteger(retryAfter) && retryAfter >= 0) error.retryAfter = retryAfter;
    return error;
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

/** A TypeError naming the argument unless `value` is a string. */
export function requireString(value, what) {
  if (typeof value !== "string") {
    throw new TypeError(`${what} must be a string, got ${value === null ? "null" : typeof value}`);
  }
}
