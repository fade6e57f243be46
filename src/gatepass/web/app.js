// The gatepass console: register, log in, look inside the access token, and
// watch rotation and reuse detection. Everything goes through
// gatepass-client.js; server data reaches the page only through textContent.
import { hideAccount, showAccount } from "./account-screens.js";
import { $, errorText, getJson, loadConfig, log, setStatus, short, withButtons } from "./console-ui.js";
import { showIdentities, showProviderButtons, takeMfaToken } from "./federation-view.js";
import { createClient, readBody, readCookie } from "./gatepass-client.js";
import { askForCode, endMfaStep, wireMfaStep } from "./mfa-step.js";
import { listSessions } from "./sessions-view.js";
import { showToken, stopTimers } from "./token-view.js";

const state = {
  config: null,
  client: null,
  email: "",
  refreshReason: "",
  spentRefreshId: null,
  signedIn: false,
};

function silentRefresh() {
  state.refreshReason = "silent, before expiry";
  state.client.refresh().catch(() => {}); // onRefreshFailed reports it
}

// --- signed in / signed out ------------------------------------------------------

function showSignedIn(body) {
  state.signedIn = true;
  $("auth-panel").hidden = true;
  $("session-panel").hidden = false;
  $("who").textContent = state.email || "…";
  setStatus(state.email ? `Signed in as ${state.email}.` : "Signed in.");
  showToken(body.access_token, body.expires_in, silentRefresh);
}

function showSignedOut(reason) {
  const wasSignedIn = state.signedIn;
  state.signedIn = false;
  stopTimers();
  state.spentRefreshId = null;
  $("replay").disabled = true;
  $("sessions").replaceChildren();
  hideAccount();
  endMfaStep();
  $("session-panel").hidden = true;
  $("auth-panel").hidden = false;
  $("auth-info").textContent = reason || "";
  setStatus(reason ? `Signed out. ${reason}` : "Signed out.");
  if (wasSignedIn) $("email").focus();
}

async function loadIdentity() {
  const body = await getJson(state.client, `${state.config.auth_prefix}/me`);
  if (body && body.user && typeof body.user.email === "string" && state.signedIn) {
    state.email = body.user.email;
    $("who").textContent = state.email;
    setStatus(`Signed in as ${state.email}.`);
    showAccount(state.client, body.user, {
      onChanged: () => loadSessions(),
      onGone: (reason) => showSignedOut(reason),
    });
    showIdentities(state.client, state.config, body.user);
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

/** withButtons, then the replay button is enabled only once a spent token exists. */
const act = (ids, action) =>
  withButtons(ids, action, () => {
    $("replay").disabled = !state.spentRefreshId;
  });

/** Run login or register with the form's values; a failure shows the server's message. */
async function fromForm(step, run) {
  const given = credentials();
  if (given === null) return;
  $("auth-error").textContent = "";
  $("auth-info").textContent = "";
  $("resend-verification").hidden = true;
  await act(["login-button", "register-button"], async () => {
    try {
      await run(given);
    } catch (err) {
      $("auth-error").textContent = errorText(err);
      log(step, `${step} → ${err.status} ${err.code}`, "bad");
      // Not verified yet: offer the mail again, for this address.
      $("resend-verification").hidden = err.code !== "email_not_verified";
    }
  });
}

function onLogin(event) {
  event.preventDefault();
  return fromForm("login", async ({ email, password }) => {
    const body = await state.client.login(email, password);
    state.email = email;
    $("password").value = "";
    if (body.mfaRequired) {
      const methods = Array.isArray(body.methods) ? body.methods : [];
      const what = methods.includes("totp") ? "a code" : "your passkey";
      log("login", `login → 200, password accepted: the second step needs ${what}`, "ok");
      askForCode(body.mfaToken, methods);
      return;
    }
    log("login", `login → 200, access token issued for session ${short(body.session_id)}`, "ok");
    loggedIn(body);
  });
}

/** A login (with or without its second step) has signed someone in: show the session. */
function loggedIn(body) {
  $("rotation").textContent = "No refresh yet.";
  delete $("rotation").dataset.old;
  delete $("rotation").dataset.new;
  $("api-result").textContent = "Not called yet.";
  showSignedIn(body);
  $("main").focus();
  loadIdentity();
  loadSessions();
}

/** A passkey alone, no email: the browser offers the passkeys it holds for this site. */
async function onPasskeyLogin() {
  $("auth-error").textContent = "";
  $("auth-info").textContent = "";
  await act(["passkey-login-button", "login-button", "register-button"], async () => {
    try {
      const body = await state.client.loginWithPasskey();
      state.email = "";
      log("login", `passkey login → 200, access token issued for session ${short(body.session_id)}`, "ok");
      loggedIn(body);
    } catch (err) {
      $("auth-error").textContent = errorText(err);
      log("login", `passkey login → ${err.status ?? "refused"} ${err.code ?? err.name}`, "bad");
    }
  });
}

function onRegister() {
  return fromForm("register", async ({ email, password }) => {
    const body = await state.client.register(email, password);
    if (typeof body?.email === "string") {
      $("auth-info").textContent = `Account created for ${body.email}. Now log in.`;
      log("register", `register → 201, account ${body.email} created`, "ok");
    } else {
      // The server verifies the address first: the link in its mail does it.
      $("auth-info").textContent = body?.message ?? "Check your mail to finish registering.";
      log("register", "register → 202, verification mail sent", "ok");
    }
  });
}

async function resendVerification() {
  const email = $("email").value.trim();
  try {
    const body = await state.client.requestEmailVerification({ email });
    $("auth-error").textContent = "";
    $("auth-info").textContent = body?.message ?? "Verification mail sent.";
    $("resend-verification").hidden = true;
    log("verify", "verification mail requested → 202", "ok");
  } catch (err) {
    $("auth-error").textContent = errorText(err);
    log("verify", `verification mail → ${err.status} ${err.code}`, "bad");
  }
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

// --- start ------------------------------------------------------------------------

function loadSessions() {
  return listSessions(state.client, state.config.auth_prefix, () =>
    showSignedOut("You revoked this session."),
  );
}

function wire() {
  $("auth-form").addEventListener("submit", onLogin);
  wireMfaStep(state.client, { onSignedIn: loggedIn });
  $("register-button").addEventListener("click", onRegister);
  $("passkey-login-button").addEventListener("click", onPasskeyLogin);
  $("resend-verification").addEventListener("click", () =>
    act(["resend-verification"], resendVerification),
  );
  $("call-api").addEventListener("click", () => act(["call-api"], callApi));
  $("refresh-now").addEventListener("click", () => act(["refresh-now"], refreshNow));
  $("replay").addEventListener("click", () => act(["replay"], replayOldToken));
  $("logout").addEventListener("click", () => act(["logout"], logout));
  $("reload-sessions").addEventListener("click", () => act(["reload-sessions"], loadSessions));
  $("clear-log").addEventListener("click", () => $("flow-log").replaceChildren());
}

async function start() {
  state.config = await loadConfig();
  state.client = createClient({
    authPrefix: state.config.auth_prefix,
    onRefresh: onRefreshed,
    onRefreshFailed,
  });
  wire();
  if (!state.config.registration_open) $("register-button").hidden = true;
  // No WebAuthn here (an old browser, or a page that is not a secure context).
  if (!window.PublicKeyCredential) $("passkey-login-button").hidden = true;
  showProviderButtons(state.config);
  const mfa = takeMfaToken();
  if (mfa) {
    // A sign-in with a provider for a user with a second factor: it finishes it.
    showSignedOut("");
    askForCode(mfa.token, mfa.methods);
    return;
  }
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
