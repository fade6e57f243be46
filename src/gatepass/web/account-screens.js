// The signed-in user's account screens in the console: resend the verification
// mail (while the address is unverified), two-step login (totp-screens.js),
// passkeys (passkey-screens.js),
// change the password, change the email address, delete the account (after a
// confirm step). They come from index.html's <template id="account-template"> and exist in the page only
// while someone is signed in. Server data reaches the page only through textContent.
// Each change goes through `fresh` (reauth-prompt.js): a login too old for it
// asks for the password (and code) and the change runs again.
import { $, errorText, log, logged, onSubmit, withButtons } from "./console-ui.js";
import { freshLogin } from "./reauth-prompt.js";
import { showPasskeys } from "./passkey-screens.js";
import { showTotp } from "./totp-screens.js";

/**
 * Show the account screens for `user` (GET /me's user).
 * @param {ReturnType<import("./gatepass-client.js").createClient>} client
 * @param {{ email: string, email_verified?: boolean, mfa?: { totp: boolean, recovery_codes: number } }} user
 * @param {{ onChanged: () => void, onGone: (reason: string) => void }} hooks
 *   onChanged after the password changed (the sessions list changed with it);
 *   onGone once the account is deleted
 */
export function showAccount(client, user, { onChanged, onGone }) {
  hideAccount();
  const screens = $("account-template").content.cloneNode(true);
  $("account-slot").append(screens);
  $("verify-notice").hidden = user.email_verified !== false;
  $("account-email").textContent = user.email;
  const factor = { on: user.mfa?.totp === true };
  const fresh = freshLogin(client, () => factor.on);

  $("resend-button").addEventListener("click", () =>
    withButtons(["resend-button"], async () => {
      $("resend-error").textContent = "";
      $("resend-result").textContent = "";
      try {
        const body = await client.requestEmailVerification();
        $("resend-result").textContent = body?.message ?? "Verification mail sent.";
        log("verify", "verification mail requested → 202", "ok");
      } catch (err) {
        $("resend-error").textContent = errorText(err);
        log("verify", `verification mail → ${err.status} ${err.code}`, "bad");
      }
    }),
  );

  const passwordLines = { errorId: "change-password-error", resultId: "change-password-result" };
  onSubmit("password-form", "change-password-button", passwordLines, async () => {
    const current = $("current-password").value;
    const chosen = $("new-password").value;
    await logged("change password", () => fresh(() => client.changePassword(current, chosen)));
    $("password-form").reset();
    onChanged();
    return "Password changed. This session stays signed in.";
  });

  const emailLines = { errorId: "change-email-error", resultId: "change-email-result" };
  onSubmit("email-form", "change-email-button", emailLines, async () => {
    const newEmail = $("new-email").value.trim();
    const password = $("email-password").value;
    const body = await logged("change email", () =>
      fresh(() => client.changeEmail(newEmail, password)),
    );
    $("email-form").reset();
    return body?.message ?? `A confirmation link is on its way to ${newEmail}.`;
  });

  showTotp(client, user.mfa, { fresh, factor });
  showPasskeys(client, { fresh });
  wireDelete(client, fresh, onGone);
}

/** Remove the account screens (signed out). */
export function hideAccount() {
  $("account-slot")?.replaceChildren();
}


// Deleting takes two steps: the password and "Delete account", then "Yes,
// delete my account" in the confirm box that appears (or "Cancel").
function wireDelete(client, fresh, onGone) {
  const lines = { errorId: "delete-error", resultId: "delete-result" };
  const confirmBox = $("delete-confirm");
  onSubmit("delete-form", "delete-button", lines, async () => {
    confirmBox.hidden = false;
    $("delete-yes").focus();
  });
  $("delete-cancel").addEventListener("click", () => {
    confirmBox.hidden = true;
    $("delete-button").focus();
  });
  $("delete-yes").addEventListener("click", () =>
    withButtons(["delete-yes", "delete-cancel"], async () => {
      $("delete-error").textContent = "";
      try {
        const password = $("delete-password").value;
        await logged("delete account", () => fresh(() => client.deleteAccount(password)));
      } catch (err) {
        confirmBox.hidden = true;
        $("delete-error").textContent = errorText(err);
        return;
      }
      onGone("Your account has been deleted.");
    }),
  );
}
