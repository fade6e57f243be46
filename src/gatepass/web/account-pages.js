// The pages the account mails link to (account.html): /verify-email,
// /confirm-email and /reset-password carry ?token=, /forgot-password asks for
// the reset mail. The token is read once and taken out of the address bar at
// once (so it stays out of the history, bookmarks and screen shares); it is
// spent only when the person presses the button, never on load (mail
// scanners that open links must not use it up).
// Server data reaches the page only through textContent.
import { $, errorText, loadConfig, onSubmit, setStatus } from "./console-ui.js";
import { createClient } from "./gatepass-client.js";

function takeToken() {
  const token = new URLSearchParams(location.search).get("token");
  if (location.search || location.hash) history.replaceState(null, "", location.pathname);
  return token || null;
}

const lines = (name) => ({ errorId: `${name}-error`, resultId: `${name}-result` });

/** A token's one use is over: the form's controls go, the way to log in gets the focus. */
function spent(formId) {
  for (const control of $(formId).querySelectorAll(".field, .actions")) control.hidden = true;
  $("console-link").focus();
}

// What /oidc-error?error=<code> says: fixed text per code (the code itself is never shown).
const SIGN_IN_ERRORS = {
  federation_denied: "The provider did not let you sign in: consent was refused, or it reported an error.",
  federation_state: "This sign-in expired or was started in another browser or tab. Start it again.",
  federation_token: "The provider's answer could not be verified, so nobody was signed in.",
  federation_no_email: "The provider did not share an email address, which gatepass needs for an account.",
  return_to_refused: "The page to return to after signing in is not allowed.",
  link_required:
    "An account with this email address exists already. Log in to it with its password, then link the provider under Your account.",
  identity_exists: "This provider account is linked to another gatepass account.",
  provider_unavailable: "The sign-in provider is unavailable right now. Try again in a moment.",
  service_unavailable: "The server is unavailable right now. Try again in a moment.",
  registration_closed: "Registration is closed: only existing accounts can sign in.",
  email_not_verified: "Confirm your email address first: we sent you a link.",
  forbidden: "This account is disabled.",
  rate_limited: "Too many sign-in attempts. Wait a little, then try again.",
  not_found: "This sign-in provider is not configured.",
};

const PAGES = {
  "/verify-email": (client, token) =>
    onSubmit("verify-form", "verify-button", lines("verify"), async () => {
      const body = await client.verifyEmail(token);
      spent("verify-form");
      return `${body.email} is verified. You can log in.`;
    }),
  "/confirm-email": (client, token) =>
    onSubmit("confirm-form", "confirm-button", lines("confirm"), async () => {
      const body = await client.confirmEmail(token);
      spent("confirm-form");
      return `Your account's email address is now ${body.email}.`;
    }),
  "/reset-password": (client, token) => {
    const repeat = $("reset-repeat");
    const match = () =>
      repeat.setCustomValidity(repeat.value === $("reset-new").value ? "" : "The two passwords differ.");
    repeat.addEventListener("input", match);
    $("reset-new").addEventListener("input", match);
    onSubmit("reset-form", "reset-button", lines("reset"), async () => {
      await client.resetPassword(token, $("reset-new").value);
      $("reset-form").reset();
      spent("reset-form");
      return "Your password has been changed and every session of the account has ended. Log in with the new password.";
    });
  },
  "/forgot-password": (client) =>
    onSubmit("forgot-form", "forgot-button", lines("forgot"), async () => {
      const body = await client.forgotPassword($("forgot-email").value.trim());
      return body?.message ?? "If an account has this address, a reset link is on its way.";
    }),
};

function showSignInError() {
  const code = new URLSearchParams(location.search).get("error");
  history.replaceState(null, "", location.pathname);
  const known = Object.hasOwn(SIGN_IN_ERRORS, code ?? "");
  $("oidc-error-text").textContent = known ? SIGN_IN_ERRORS[code] : "Signing in with the provider failed.";
  $("oidc-error-page").hidden = false;
  $("oidc-error-page").dataset.code = known ? code : "unknown";
  setStatus("");
}

async function start() {
  const path = location.pathname;
  if (path === "/oidc-error") {
    showSignInError();
    return;
  }
  const page = PAGES[path];
  if (page === undefined) throw new Error(`no page for ${path}`);
  const token = takeToken();
  const config = await loadConfig();
  const client = createClient({ authPrefix: config.auth_prefix });
  setStatus("");
  if (path !== "/forgot-password" && token === null) {
    $("no-token").hidden = false;
    return;
  }
  $(`${path.slice(1)}-page`).hidden = false;
  page(client, token);
}

start().catch((err) => {
  setStatus(`The page could not start: ${errorText(err)}`);
});
