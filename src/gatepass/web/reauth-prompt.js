// Asking for a fresh login in the console: when a change answers
// insufficient_user_authentication (the login is older than the server's
// GATEPASS_REAUTH_MAX_AGE), the dialog asks for the password, and for a code
// from the app when two-step login is on; the client re-authenticates and the
// change runs once more (gatepass-reauth.js's withReauthentication).
import { $, log } from "./console-ui.js";

/**
 * Ask for the proof; resolves to { password, code? }, or null when cancelled.
 * @param {boolean} totpOn whether to ask for a code too
 */
export function askForProof(totpOn) {
  const dialog = $("reauth-dialog");
  const form = $("reauth-form");
  form.reset();
  $("reauth-code-hint").hidden = !totpOn;
  $("reauth-code-field").hidden = !totpOn;
  $("reauth-code").required = totpOn;
  return new Promise((resolve) => {
    const finish = (proof) => {
      form.removeEventListener("submit", submitted);
      $("reauth-cancel").removeEventListener("click", cancelled);
      dialog.removeEventListener("cancel", cancelled);
      dialog.close();
      resolve(proof);
    };
    const submitted = (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      const proof = { password: $("reauth-password").value };
      if (totpOn) proof.code = $("reauth-code").value.trim();
      form.reset();
      finish(proof);
    };
    const cancelled = (event) => {
      event.preventDefault(); // Escape: close through finish, once
      finish(null);
    };
    form.addEventListener("submit", submitted);
    $("reauth-cancel").addEventListener("click", cancelled);
    dialog.addEventListener("cancel", cancelled);
    dialog.showModal();
    $("reauth-password").focus();
  });
}

/**
 * Run the change `action`; if the server asks for a recent login, ask, re-authenticate
 * and run it once more.
 * @param {ReturnType<import("./gatepass-client.js").createClient>} client
 * @param {() => boolean} totpOn whether two-step login is on right now
 */
export function freshLogin(client, totpOn) {
  return (action) =>
    client.withReauthentication(action, async () => {
      log("reauth", "the change needs a recent login → 401 insufficient_user_authentication", "warn");
      const proof = await askForProof(totpOn());
      if (proof !== null) log("reauth", "POST /reauthenticate, then the change again", "");
      return proof;
    });
}
