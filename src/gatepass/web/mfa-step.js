// The login's second step in the console: for a user with a second factor,
// the password answers an mfa_token and the methods (and no session); this
// form asks for a code from the app or a recovery code, or offers the
// passkey when the methods hold one, and finishes the login with it.
// Server data reaches the page only through textContent.
import { $, errorText, log, withButtons } from "./console-ui.js";

const SIX_DIGITS = /^\d{6}$/;

/** What the user typed: a code from the app (6 digits, spaces allowed) or a recovery code. */
export function proofOf(typed) {
  const compact = typed.replace(/\s+/g, "");
  return SIX_DIGITS.test(compact) ? { code: compact } : { recoveryCode: typed.trim() };
}

let mfaToken = null;

/** The mfa_token is spent, expired or ended by too many wrong tries: back to the password. */
function loginEnded() {
  endMfaStep();
  $("auth-error").textContent = "This login has ended. Log in again with your password.";
  $("password").focus();
}

/**
 * Wire the second step's form once.
 * @param {ReturnType<import("./gatepass-client.js").createClient>} client
 * @param {{ onSignedIn: (body: object) => void }} hooks onSignedIn with verifyMfa's answer
 */
export function wireMfaStep(client, { onSignedIn }) {
  const form = $("mfa-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (mfaToken === null || !form.reportValidity()) return;
    $("mfa-error").textContent = "";
    withButtons(["mfa-button", "mfa-cancel"], async () => {
      const proof = proofOf($("mfa-code").value);
      const kind = proof.code === undefined ? "recovery code" : "code";
      try {
        const body = await client.verifyMfa(mfaToken, proof);
        log("login", `second step (${kind}) → 200, access token issued`, "ok");
        endMfaStep();
        onSignedIn(body);
      } catch (err) {
        log("login", `second step (${kind}) → ${err.status} ${err.code}`, "bad");
        if (err.code === "invalid_token") {
          loginEnded();
          return;
        }
        $("mfa-error").textContent = errorText(err);
        $("mfa-code").select();
      }
    });
  });
  $("mfa-passkey-button").addEventListener("click", () => {
    if (mfaToken === null) return;
    $("mfa-error").textContent = "";
    withButtons(["mfa-passkey-button", "mfa-button", "mfa-cancel"], async () => {
      try {
        const body = await client.verifyMfaWithPasskey(mfaToken);
        log("login", "second step (passkey) → 200, access token issued", "ok");
        endMfaStep();
        onSignedIn(body);
      } catch (err) {
        log("login", `second step (passkey) → ${err.status ?? "refused"} ${err.code ?? err.name}`, "bad");
        if (err.code === "invalid_token") {
          loginEnded();
          return;
        }
        $("mfa-error").textContent = errorText(err);
      }
    });
  });
  $("mfa-cancel").addEventListener("click", () => {
    endMfaStep();
    $("password").focus();
  });
}

/**
 * The password was right and the server wants a second factor: show the step,
 * with the code box when `methods` hold "totp" and the passkey button when
 * they hold "passkey".
 */
export function askForCode(token, methods = ["totp", "recovery_code"]) {
  mfaToken = token;
  const codes = methods.includes("totp");
  const passkey = methods.includes("passkey");
  $("auth-form").hidden = true;
  $("mfa-form").hidden = false;
  $("mfa-error").textContent = "";
  $("mfa-code").value = "";
  $("mfa-code-box").hidden = !codes;
  $("mfa-code").required = codes;
  $("mfa-button").hidden = !codes;
  $("mfa-passkey-button").hidden = !passkey;
  (codes ? $("mfa-code") : $("mfa-passkey-button")).focus();
}

/** Back to the password form (signed in, signed out, or starting again). */
export function endMfaStep() {
  mfaToken = null;
  $("mfa-code").value = "";
  $("mfa-form").hidden = true;
  $("auth-form").hidden = false;
}
