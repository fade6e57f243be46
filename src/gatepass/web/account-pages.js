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

async function start() {
  const path = location.pathname;
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
