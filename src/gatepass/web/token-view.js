// The token panel of the console: the access token's three parts, decoded,
// with a live countdown and the silent refresh at 80% of its lifetime.
import { $ } from "./console-ui.js";

const SILENT_REFRESH_AT = 0.8; // of the access token's lifetime

const view = {
  expiresAt: 0, // ms, local clock (from expires_in, so server clock skew does not matter)
  refreshTimer: 0,
  countdownTimer: 0,
};

function b64urlBytes(segment) {
  const b64 = segment.replace(/-/g, "+").replace(/_/g, "/");
  const padded = b64 + "===".slice((b64.length + 3) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function b64urlJson(segment) {
  return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(b64urlBytes(segment)));
}

export const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour12: false });

function formatLeft(ms) {
  if (ms <= 0) return "expired";
  const total = Math.ceil(ms / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return `${minutes}:${seconds}`;
}

/**
 * Show an access token and count down to its expiry; `silentRefresh` is called
 * at 80% of its lifetime.
 */
export function showToken(token, expiresIn, silentRefresh) {
  const parts = typeof token === "string" ? token.split(".") : [];
  const received = Date.now();
  view.expiresAt = received + expiresIn * 1000;
  if (parts.length === 3) {
    const [header, payload, signature] = parts;
    $("token-header").textContent = header;
    $("token-payload").textContent = payload;
    $("token-signature").textContent = signature;
    let decodedHeader = null;
    try {
      decodedHeader = b64urlJson(header);
      $("header-json").textContent = JSON.stringify(decodedHeader, null, 2);
      $("payload-json").textContent = JSON.stringify(b64urlJson(payload), null, 2);
    } catch {
      $("header-json").textContent = "(not JSON)";
      $("payload-json").textContent = "(not JSON)";
    }
    const size = b64urlBytes(signature).length;
    const alg = decodedHeader && typeof decodedHeader.alg === "string" ? decodedHeader.alg : "?";
    $("signature-info").textContent = `${alg} signature, ${size} bytes`;
  } else {
    // An encrypted access token (JWE, five parts): its claims are not readable here.
    $("token-header").textContent = token;
    $("token-payload").textContent = "";
    $("token-signature").textContent = "";
    const note = "This access token is encrypted (JWE): only the server can read its claims.";
    $("header-json").textContent = note;
    $("payload-json").textContent = note;
    $("signature-info").textContent = note;
  }
  $("expires-at").textContent = `(at ${clock(view.expiresAt)})`;
  $("refresh-at").textContent = clock(received + expiresIn * 1000 * SILENT_REFRESH_AT);
  tickCountdown();
  clearInterval(view.countdownTimer);
  view.countdownTimer = setInterval(tickCountdown, 250);
  clearTimeout(view.refreshTimer);
  view.refreshTimer = setTimeout(silentRefresh, Math.max(1000, expiresIn * 1000 * SILENT_REFRESH_AT));
}

function tickCountdown() {
  $("countdown").textContent = formatLeft(view.expiresAt - Date.now());
}

export function stopTimers() {
  clearTimeout(view.refreshTimer);
  clearInterval(view.countdownTimer);
  view.refreshTimer = 0;
  view.countdownTimer = 0;
}
