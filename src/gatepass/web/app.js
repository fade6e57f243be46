// The gatepass console: register, log in, look inside the access token, and
// watch rotation and reuse detection. Everything goes through
// gatepass-client.js; server data reaches the page only through textContent.
import { createClient, readBody, readCookie } from "./gatepass-client.js";

const SILENT_REFRESH_AT = 0.8; // of the access token's lifetime
const $ = (id) => document.getElementById(id);

const state = {
  config: null,
  client: null,
  email: "",
  expiresAt: 0, // ms, local clock (from expires_in, so server clock skew does not matter)
  refreshTimer: 0,
  countdownTimer: 0,
  refreshReason: "",
  spentRefreshId: null,
  signedIn: false,
};

// --- small helpers -----------------------------------------------------------

const short = (id) => (typeof id === "string" && id.length > 12 ? `${id.slice(0, 8)}…` : String(id));

function errorText(err) {
  if (err && typeof err.message === "string" && err.message) return err.message;
  return "Something went wrong; see the flow log.";
}

/** Append one step to the flow log. kind: "ok" | "warn" | "bad" | "" */
function log(step, text, kind = "") {
  const item = document.createElement("li");
  item.dataset.step = step;
  if (kind) item.className = kind;
  const time = document.createElement("time");
  const now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = now.toLocaleTimeString([], { hour12: false });
  item.append(time, document.createTextNode(text));
  $("flow-log").append(item);
}

function setStatus(text) {
  $("status").textContent = text;
}

function b64urlBytes(segment) {
  const b64 = segment.replace(/-/g, "+").replace(/_/g, "/");
  const padded = b64 + "===".slice((b64.length + 3) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function b64urlJson(segment) {
  return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(b64urlBytes(segment)));
}

const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour12: false });

function formatLeft(ms) {
  if (ms <= 0) return "expired";
  const total = Math.ceil(ms / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return `${minutes}:${seconds}`;
}

// --- the token panel -----------------------------------------------------------

function showToken(token, expiresIn) {
  const parts = typeof token === "string" ? token.split(".") : [];
  const received = Date.now();
  state.expiresAt = received + expiresIn * 1000;
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
  $("expires-at").textContent = `(at ${clock(state.expiresAt)})`;
  $("refresh-at").textContent = clock(received + expiresIn * 1000 * SILENT_REFRESH_AT);
  tickCountdown();
  scheduleSilentRefresh(expiresIn * 1000 * SILENT_REFRESH_AT);
}

function tickCountdown() {
  $("countdown").textContent = formatLeft(state.expiresAt - Date.now());
}

function scheduleSilentRefresh(delay) {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => {
    state.refreshReason = "silent, before expiry";
    state.client.refresh().catch(() => {}); // onRefreshFailed reports it
  }, Math.max(1000, delay));
}

function stopTimers() {
  clearTimeout(state.refreshTimer);
  clearInterval(state.countdownTimer);
  state.refreshTimer = 0;
  state.countdownTimer = 0;
}

// --- signed in / signed out ------------------------------------------------------

function showSignedIn(body) {
  state.signedIn = true;
  $("auth-panel").hidden = true;
  $("session-panel").hidden = false;
  $("who").textContent = state.email || "…";
  setStatus(state.email ? `Signed in as ${state.email}.` : "Signed in.");
  showToken(body.access_token, body.expires_in);
  clearInterval(state.countdownTimer);
  state.countdownTimer = setInterval(tickCountdown, 250);
}

function showSignedOut(reason) {
  const wasSignedIn = state.signedIn;
  state.signedIn = false;
  stopTimers();
  state.spentRefreshId = null;
  $("replay").disabled = true;
  $("sessions").replaceChildren();
  $("session-panel").hidden = true;
  $("auth-panel").hidden = false;
  $("auth-info").textContent = reason || "";
  setStatus(reason ? `Signed out. ${reason}` : "Signed out.");
  if (wasSignedIn) $("email").focus();
}

/** GET a JSON document through the client; null when it fails (the caller shows nothing new). */
async function getJson(path) {
  try {
    const response = await state.client.fetch(path);
    return response.ok ? await readBody(response) : null;
  } catch {
    return null;
  }
}

async function loadIdentity() {
  const body = await getJson(`${state.config.auth_prefix}/me`);
  if (body && body.user && typeof body.user.email === "string") {
    state.email = body.user.email;
    $("who").textContent = state.email;
    setStatus(`Signed in as ${state.email}.`);
  }
}

// --- refresh ------------------------------------------------------------------

function onRefreshed(body) {
  const reason = state.refreshReason || "after a 401";
  state.refreshReason = "";
  const previous = body.previous_refresh_id;
  const next = body.refresh_id;
  log("refresh", `refresh (${reason}) → 200, rotation ${short(previous)} → ${short(next)}`, "ok");
  const rotation = $("rotation");
  rotation.dataset.old = previous ?? "";
  rotation.dataset.new = next ?? "";
  const old = document.createElement("code");
  old.className = "old-id";
  old.textContent = previous ?? "?";
  const arrow = document.createElement("span");
  arrow.className = "arrow";
  arrow.textContent = "→";
  arrow.setAttribute("aria-label", "replaced by");
  const fresh = document.createElement("code");
  fresh.className = "new-id";
  fresh.textContent = next ?? "?";
  rotation.replaceChildren("Refresh token ", old, arrow, fresh, " (the old one is now spent)");
  if (typeof previous === "string") {
    state.spentRefreshId = previous;
    $("replay").disabled = false;
  }
  showSignedIn(body);
  loadSessions();
}

function onRefreshFailed(err) {
  const reason = state.refreshReason || "after a 401";
  state.refreshReason = "";
  const status = err.status || "no answer";
  log("refresh", `refresh (${reason}) → ${status} ${err.code}: ${err.message}`, "bad");
  if (state.signedIn && err.status === 401) {
    showSignedOut("The server ended this session. Log in again.");
  }
}

async function refreshNow() {
  state.refreshReason = "manual";
  try {
    await state.client.refresh();
  } catch {
    // onRefreshFailed has logged it and signed out when the session is gone
  }
}

// --- actions ------------------------------------------------------------------

function credentials() {
  const form = $("auth-form");
  if (!form.reportValidity()) return null;
  return { email: $("email").value.trim(), password: $("password").value };
}

// Buttons whose action is running. They are marked aria-disabled, never `disabled`:
// disabling the focused button would throw keyboard focus back to the page start.
const busy = new Set();

async function withButtons(ids, action) {
  if (ids.some((id) => busy.has(id))) return;
  for (const id of ids) {
    busy.add(id);
    $(id).setAttribute("aria-disabled", "true");
  }
  try {
    await action();
  } finally {
    for (const id of ids) {
      busy.delete(id);
      $(id).removeAttribute("aria-disabled");
    }
    $("replay").disabled = !state.spentRefreshId; // only once a spent token exists
  }
}

/** Run login or register with the form's values; a failure shows the server's message. */
async function fromForm(step, run) {
  const given = credentials();
  if (given === null) return;
  $("auth-error").textContent = "";
  $("auth-info").textContent = "";
  await withButtons(["login-button", "register-button"], async () => {
    try {
      await run(given);
    } catch (err) {
      $("auth-error").textContent = errorText(err);
      log(step, `${step} → ${err.status} ${err.code}`, "bad");
    }
  });
}

function onLogin(event) {
  event.preventDefault();
  return fromForm("login", async ({ email, password }) => {
    const body = await state.client.login(email, password);
    state.email = email;
    $("password").value = "";
    log("login", `login → 200, access token issued for session ${short(body.session_id)}`, "ok");
    $("rotation").textContent = "No refresh yet.";
    delete $("rotation").dataset.old;
    delete $("rotation").dataset.new;
    $("api-result").textContent = "Not called yet.";
    showSignedIn(body);
    $("main").focus();
    loadIdentity();
    loadSessions();
  });
}

function onRegister() {
  return fromForm("register", async ({ email, password }) => {
    const body = await state.client.register(email, password);
    $("auth-info").textContent = `Account created for ${body.email}. Now log in.`;
    log("register", `register → 201, account ${body.email} created`, "ok");
  });
}

async function callApi() {
  const result = $("api-result");
  let response;
  try {
    response = await state.client.fetch("/dashboard");
  } catch (err) {
    result.textContent = `Could not reach the server: ${errorText(err)}`;
    log("call", "GET /dashboard → no answer", "bad");
    return;
  }
  const body = await readBody(response);
  result.textContent = `HTTP ${response.status}\n${JSON.stringify(body, null, 2)}`;
  log("call", `GET /dashboard → ${response.status}`, response.ok ? "ok" : "bad");
  if (response.status === 401 && state.signedIn) {
    showSignedOut("The server refused the access token: the session has ended. Log in again.");
  }
}

async function replayOldToken() {
  const id = state.spentRefreshId;
  if (!id) return;
  log("replay", `replay spent refresh token ${short(id)} → …`);
  let response;
  try {
    response = await state.client.fetch(state.config.replay_path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_id: id }),
    });
  } catch (err) {
    log("replay", `replay → no answer: ${errorText(err)}`, "bad");
    return;
  }
  const body = await readBody(response);
  if (!response.ok) {
    const message = body && typeof body.message === "string" ? body.message : `HTTP ${response.status}`;
    log("replay", `replay → ${response.status}: ${message}`, "bad");
    if (response.status === 401 && state.signedIn) showSignedOut("The session has ended.");
    return;
  }
  if (body.decision === "grace_replay") {
    log(
      "replay",
      `replay → inside the ${state.config.refresh_grace} s grace window: answered like a ` +
        `second tab's retry, session kept. Try again in ${body.retry_after} s.`,
      "warn",
    );
    return;
  }
  log("replay", "replay → reuse detected: the server revoked the whole session", "bad");
  // Show the consequence: the access token is refused at once, the refresh fails.
  await callApi();
}

async function logout() {
  try {
    await state.client.logout();
    log("logout", "logout → 204, session ended and cookies cleared", "ok");
    showSignedOut("");
  } catch (err) {
    log("logout", `logout → ${err.status} ${err.code}: ${err.message}`, "bad");
  }
}

// --- sessions -------------------------------------------------------------------

async function loadSessions() {
  const body = await getJson(`${state.config.auth_prefix}/sessions`);
  if (body === null) return;
  const list = $("sessions");
  const items = (body && Array.isArray(body.sessions) ? body.sessions : []).map(sessionItem);
  list.replaceChildren(...items);
}

function sessionItem(session) {
  const item = document.createElement("li");
  item.dataset.sessionId = session.id;
  const text = document.createElement("span");
  const started = clock(session.created_at * 1000);
  const agent = typeof session.user_agent === "string" ? session.user_agent.slice(0, 60) : "unknown browser";
  text.textContent = `Started ${started} · ${session.ip ?? "?"} · ${agent}`;
  if (session.current) {
    const mark = document.createElement("span");
    mark.className = "current";
    mark.textContent = "This session · ";
    text.prepend(mark);
  }
  const button = document.createElement("button");
  button.type = "button";
  button.className = "danger";
  button.textContent = "Revoke";
  button.setAttribute(
    "aria-label",
    `Revoke ${session.current ? "this session" : "the session"} started ${started}`,
  );
  button.addEventListener("click", () => revokeSession(session));
  item.append(text, button);
  return item;
}

async function revokeSession(session) {
  const path = `${state.config.auth_prefix}/sessions/${encodeURIComponent(session.id)}`;
  let response;
  try {
    response = await state.client.fetch(path, { method: "DELETE" });
  } catch (err) {
    log("revoke", `revoke → no answer: ${errorText(err)}`, "bad");
    return;
  }
  const which = session.current ? "this session" : `session ${short(session.id)}`;
  log("revoke", `revoke ${which} → ${response.status}`, response.ok ? "ok" : "bad");
  if (session.current && response.ok) {
    showSignedOut("You revoked this session.");
    return;
  }
  loadSessions();
}

// --- start ------------------------------------------------------------------------

function wire() {
  $("auth-form").addEventListener("submit", onLogin);
  $("register-button").addEventListener("click", onRegister);
  $("call-api").addEventListener("click", () => withButtons(["call-api"], callApi));
  $("refresh-now").addEventListener("click", () => withButtons(["refresh-now"], refreshNow));
  $("replay").addEventListener("click", () => withButtons(["replay"], replayOldToken));
  $("logout").addEventListener("click", () => withButtons(["logout"], logout));
  $("reload-sessions").addEventListener("click", () => withButtons(["reload-sessions"], loadSessions));
  $("clear-log").addEventListener("click", () => $("flow-log").replaceChildren());
}

async function start() {
  const response = await fetch("/console/config.json", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`config.json answered HTTP ${response.status}`);
  state.config = await response.json();
  state.client = createClient({
    authPrefix: state.config.auth_prefix,
    onRefresh: onRefreshed,
    onRefreshFailed,
  });
  wire();
  if (!state.config.registration_open) $("register-button").hidden = true;
  if (readCookie(document.cookie, state.config.cookies.csrf)) {
    // A session from before this page load: a refresh shows its token again.
    state.refreshReason = "resuming the session";
    try {
      await state.client.refresh();
      await loadIdentity();
      return;
    } catch {
      // onRefreshFailed logged it
    }
  }
  showSignedOut("");
}

start().catch((err) => {
  setStatus(`The console could not start: ${errorText(err)}`);
});
